//! The robots.txt reader Rubric uses (texting_robots, as `rubric-fetch`
//! calls it), bytes in: never panics, a crawl delay is a number, and a URL
//! is answered the same way twice.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(robot) = texting_robots::Robot::new("Rubric", data) else {
        return;
    };
    if let Some(delay) = robot.delay {
        assert!(!delay.is_nan());
    }
    for url in [
        "https://example.org/",
        "https://example.org/private/a?b=1",
        "https://example.org/%E2%82%AC/x",
    ] {
        assert_eq!(robot.allowed(url), robot.allowed(url));
    }
});
