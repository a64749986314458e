//! Dates as pages and files write them, read into one form: ISO 8601.
//!
//! [`normalize`] reads the shapes found in metas, JSON-LD, `<time>`
//! elements, front matter and sitemaps: ISO and RFC 3339 (`2019-10-19`,
//! `2019-10-19T19:08:22+02:00`, `2022-5-5 22:17:36`), RFC 2822 and the
//! C/JavaScript forms (`Wed, 02 Feb 2022 09:12:22 +0100`, `Fri Feb 18
//! 10:27:24 2022`, `Tue Feb 20 2018 01:00:00 GMT+0100 (…)`), day-first
//! numeric dates (`20.11.2019`), month names in English, German, French,
//! Spanish, Italian, Portuguese and Dutch (`November 20, 2019`, `5. Mai
//! 2022`, `5 de mayo de 2022`), and Unix timestamps. The result is the
//! calendar date (`2019-10-19`), with the time when the source gives one
//! together with its offset (`2019-10-19T19:08:22+02:00`; a time without an
//! offset does not say which day it is elsewhere, so it is left out).
//!
//! [`tidy`] is for dates a person wrote in a file: read the same way, but
//! kept as written when they are not one certain date.
//!
//! What cannot be read as one certain date is refused: `10/05/2022` (May
//! or October), a date without a year, `0000-00-00`, a bare time. The
//! calendar itself (days in a month, leap years, timestamps) is the `time`
//! crate's. This module does not decide which of a page's dates is its
//! publication date (`html::published`).

use time::{Date, Month, OffsetDateTime};

/// Earliest and latest years read as a date: outside them a number is a
/// count or an id, not a publication year.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2199;

/// `raw` as an ISO 8601 date (or date and time with offset), if it is one
/// certain date.
pub fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let parsed = timestamp(raw)
        .or_else(|| numeric(raw))
        .or_else(|| worded(raw))?;
    Some(parsed.to_string())
}

/// A date a person wrote (front matter, a record's `date`, a sitemap's
/// `<lastmod>`): in ISO 8601 when it is one certain date, else as written
/// ("Spring 2020" stays).
pub fn tidy(raw: &str) -> String {
    normalize(raw).unwrap_or_else(|| raw.trim().to_string())
}

/// A date, and its time of day when the source gives one with an offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Parsed {
    date: Date,
    /// Hours, minutes, seconds and the offset from UTC in minutes.
    time: Option<(u8, u8, u8, i32)>,
}

impl Parsed {
    fn new(year: i32, month: u8, day: u8, clock: Clock) -> Option<Parsed> {
        if !YEARS.contains(&year) {
            return None;
        }
        let date = Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()?;
        let time = match clock {
            Clock {
                time: Some((h, m, s)),
                offset: Some(offset),
            } => Some((h, m, s, offset)),
            _ => None,
        };
        Some(Parsed { date, time })
    }
}

impl std::fmt::Display for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d = self.date;
        write!(
            f,
            "{:04}-{:02}-{:02}",
            d.year(),
            u8::from(d.month()),
            d.day()
        )?;
        if let Some((h, m, s, offset)) = self.time {
            write!(f, "T{h:02}:{m:02}:{s:02}")?;
            if offset == 0 {
                f.write_str("Z")?;
            } else {
                let sign = if offset < 0 { '-' } else { '+' };
                let offset = offset.unsigned_abs();
                write!(f, "{sign}{:02}:{:02}", offset / 60, offset % 60)?;
            }
        }
        Ok(())
    }
}

/// A Unix timestamp in seconds (10 digits) or milliseconds (13).
fn timestamp(raw: &str) -> Option<Parsed> {
    if !raw.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds: i64 = match raw.len() {
        10 => raw.parse().ok()?,
        13 => raw.parse::<i64>().ok()? / 1000,
        _ => return None,
    };
    let t = OffsetDateTime::from_unix_timestamp(seconds).ok()?;
    let clock = Clock {
        time: Some((t.hour(), t.minute(), t.second())),
        offset: Some(0),
    };
    Parsed::new(t.year(), t.month().into(), t.day(), clock)
}

/// A date of three numbers at the start, `Y-M-D` (also with `/` or `.`),
/// `D.M.Y`, or `D/M/Y` and `M/D/Y` when only one reading is a date; then
/// an optional time and offset.
fn numeric(raw: &str) -> Option<Parsed> {
    let (a, rest) = digits(raw)?;
    let sep = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '-' | '/' | '.'))?;
    let (b, rest) = digits(&rest[1..])?;
    let rest = rest.strip_prefix(sep)?;
    let (c, rest) = digits(rest)?;
    let clock = clock(rest)?;
    let n = |s: &str| s.parse::<u32>().ok();
    let (year, month, day) = if a.len() == 4 {
        (n(a)?, n(b)?, n(c)?)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        let (first, second) = (n(a)?, n(b)?);
        if sep == '.' || first > 12 {
            (n(c)?, second, first)
        } else if second > 12 {
            (n(c)?, first, second)
        } else {
            return None;
        }
    } else {
        return None;
    };
    Parsed::new(
        i32::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
        clock,
    )
}

/// A date with its month in words ("November 20, 2019", "20 Nov 2019",
/// "Fri Feb 18 10:27:24 2022", "5 de mayo de 2022"): the day is the number
/// just before the month or else just after it, the year the first
/// four-digit number; a time and an offset may be among the words.
/// Weekdays and other words are passed over; the first parenthesis ends
/// the date.
fn worded(raw: &str) -> Option<Parsed> {
    enum Word {
        Month(u8),
        Number(u32, usize),
        Other,
    }
    let raw = raw.split('(').next().unwrap_or(raw);
    let mut words = Vec::new();
    let mut clock = Clock::default();
    let mut pm = None;
    for token in raw.split(|c: char| c.is_whitespace() || c == ',') {
        let token = token.trim_end_matches('.');
        let lower = token.to_lowercase();
        if token.is_empty() || matches!(lower.as_str(), "de" | "del" | "of" | "the") {
            continue;
        }
        let word = if let Some(month) = month_number(&lower) {
            Word::Month(month)
        } else if let Some(number) = ordinal(&lower) {
            Word::Number(number, digits(token).map_or(0, |(d, _)| d.len()))
        } else {
            if clock.time.is_none()
                && let Some((time, rest)) = time_of_day(token)
            {
                clock.time = Some(time);
                clock.offset = clock.offset.or(zone(rest));
            } else if let Some(offset) = zone(token) {
                clock.offset.get_or_insert(offset);
            } else if lower == "am" || lower == "pm" {
                pm = Some(lower == "pm");
            }
            Word::Other
        };
        words.push(word);
    }
    let at = words.iter().position(|w| matches!(w, Word::Month(_)))?;
    let Word::Month(month) = words[at] else {
        return None;
    };
    let day_at = |i: Option<usize>| match i.and_then(|i| words.get(i)) {
        Some(Word::Number(day, len)) if *len <= 2 && (1..=31).contains(day) => Some(*day),
        _ => None,
    };
    let day = day_at(at.checked_sub(1)).or_else(|| day_at(Some(at + 1)))?;
    let year = words.iter().find_map(|w| match w {
        Word::Number(year, 4) => Some(*year),
        _ => None,
    })?;
    if let (Some(pm), Some((h, m, s))) = (pm, clock.time) {
        clock.time = twelve_hour(h, pm).map(|h| (h, m, s));
    }
    Parsed::new(
        i32::try_from(year).ok()?,
        month,
        u8::try_from(day).ok()?,
        clock,
    )
}

/// A time of day and an offset, as found after a date.
#[derive(Debug, Clone, Copy, Default)]
struct Clock {
    time: Option<(u8, u8, u8)>,
    /// Minutes east of UTC.
    offset: Option<i32>,
}

/// What follows a numeric date: nothing, or `T`/spaces, a time and an
/// offset (see [`time_of_day`] and [`zone`]). Anything else right after
/// the date makes it no date at all (`2019-10-19abc`); after a space it is
/// passed over (`2019-10-19 by Jane`), and a `T` must be followed by a
/// time.
fn clock(rest: &str) -> Option<Clock> {
    let Some(after) = rest.strip_prefix(['T', 't', ' ']) else {
        return rest.is_empty().then(Clock::default);
    };
    match time_of_day(after.trim_start()) {
        Some((time, rest)) => Some(Clock {
            time: Some(time),
            offset: zone(rest.split_whitespace().next().unwrap_or("")),
        }),
        // `T` promises a time: `2019-10-19T25:00` is no date.
        None if !rest.starts_with(' ') => None,
        None => Some(Clock::default()),
    }
}

/// A time of day at the start of `s`: `HH:MM[:SS][.fff]`, optionally
/// followed by `am`/`pm`; and the rest of `s`.
fn time_of_day(s: &str) -> Option<((u8, u8, u8), &str)> {
    let (h, after) = digits(s).filter(|(h, _)| h.len() <= 2)?;
    let after = after.strip_prefix(':')?;
    let (m, mut after) = digits(after).filter(|(m, _)| m.len() == 2)?;
    let mut s = "0";
    if let Some(more) = after.strip_prefix(':')
        && let Some((sec, more)) = digits(more).filter(|(s, _)| s.len() == 2)
    {
        s = sec;
        after = more;
    }
    if let Some(fraction) = after.strip_prefix(['.', ',']) {
        after = digits(fraction).map_or(fraction, |(_, more)| more);
    }
    let (mut h, m, s) = (
        h.parse::<u8>().ok()?,
        m.parse::<u8>().ok()?,
        s.parse::<u8>().ok()?,
    );
    if h > 23 || m > 59 || s > 60 {
        return None;
    }
    let trimmed = after.trim_start();
    let meridiem = trimmed.get(..2).map(str::to_ascii_lowercase);
    let after = match meridiem.as_deref() {
        Some(half @ ("am" | "pm")) => {
            h = twelve_hour(h, half == "pm")?;
            &trimmed[2..]
        }
        _ => after,
    };
    Some(((h, m, s.min(59)), after))
}

/// An hour of a 12-hour clock (1–12) with `am`/`pm`, on the 24-hour clock.
fn twelve_hour(h: u8, pm: bool) -> Option<u8> {
    match (h, pm) {
        (1..=11, false) | (12, true) => Some(h),
        (1..=11, true) => Some(h + 12),
        (12, false) => Some(0),
        _ => None,
    }
}

/// A time zone written after a time: `Z`, `+02:00`, `+0200`, `+02`,
/// `GMT`/`UTC` optionally followed by an offset, or a common abbreviation.
fn zone(token: &str) -> Option<i32> {
    let upper = token.to_ascii_uppercase();
    let named = match upper.as_str() {
        "Z" | "GMT" | "UTC" | "UT" | "WET" => Some(0),
        "BST" | "CET" | "WEST" => Some(60),
        "CEST" | "EET" => Some(120),
        "EEST" | "MSK" => Some(180),
        "EDT" => Some(-240),
        "EST" | "CDT" => Some(-300),
        "CST" | "MDT" => Some(-360),
        "MST" | "PDT" => Some(-420),
        "PST" => Some(-480),
        _ => None,
    };
    if named.is_some() {
        return named;
    }
    let signed = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .unwrap_or(&upper);
    let (sign, digits_part) = match signed.as_bytes().first()? {
        b'+' => (1, &signed[1..]),
        b'-' => (-1, &signed[1..]),
        _ => return None,
    };
    let compact: String = digits_part.chars().filter(|c| *c != ':').collect();
    if !compact.bytes().all(|b| b.is_ascii_digit()) || digits_part.contains("::") {
        return None;
    }
    let (h, m) = match compact.len() {
        1 | 2 => (compact.parse::<i32>().ok()?, 0),
        4 => (
            compact[..2].parse::<i32>().ok()?,
            compact[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    (h <= 14 && m < 60).then_some(sign * (h * 60 + m))
}

/// The leading run of ASCII digits of `s` (at least one), and the rest.
fn digits(s: &str) -> Option<(&str, &str)> {
    let end = s.bytes().take_while(u8::is_ascii_digit).count();
    (end > 0).then(|| s.split_at(end))
}

/// A number written alone or as an ordinal ("20", "20th", "1st", "5.").
fn ordinal(lower: &str) -> Option<u32> {
    let (number, rest) = digits(lower)?;
    matches!(rest, "" | "st" | "nd" | "rd" | "th" | "er" | "º" | "°")
        .then(|| number.parse().ok())
        .flatten()
}

/// Month names and their usual abbreviations, lower-case, in English,
/// German, French, Spanish, Italian, Portuguese and Dutch: January's, then
/// February's, and so on.
const MONTHS: [&str; 12] = [
    "jan janv january januar janvier enero ene gennaio gen janeiro januari jänner",
    "feb february februar février févr fevrier febrero febbraio fevereiro fev februari",
    "mar march märz mär maerz mars marzo março maart mrt",
    "apr april avril avr abril abr aprile",
    "may mai mayo maggio mag maio mei",
    "jun june juni juin junio giugno giu junho",
    "jul july juli juillet juil julio luglio lug julho",
    "aug august août aout agosto ago augustus",
    "sep sept september septembre septiembre setiembre settembre setembro set",
    "oct october oktober okt octobre octubre ottobre ott outubro out",
    "nov november novembre noviembre novembro",
    "dec december dezember dez décembre déc decembre diciembre dic dicembre dezembro",
];

/// The month a lower-case word names, if it names one.
fn month_number(lower: &str) -> Option<u8> {
    (1..=12)
        .zip(MONTHS)
        .find(|(_, names)| names.split(' ').any(|name| name == lower))
        .map(|(month, _)| month)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::normalize;

    proptest! {
        /// Whatever a page writes, the result is ISO 8601 that reads back
        /// as itself.
        #[test]
        fn any_text_gives_iso_that_reads_back_as_itself(
            raw in "[0-9A-Za-z:.,/+\\- TZé()]{0,40}",
        ) {
            if let Some(iso) = normalize(&raw) {
                prop_assert!(
                    iso.len() == 10 || iso.len() == 20 || iso.len() == 25,
                    "{raw:?} gave {iso:?}"
                );
                prop_assert_eq!(normalize(&iso), Some(iso.clone()));
            }
        }

        #[test]
        fn every_calendar_date_written_in_iso_is_read(
            y in 1900i32..2199, m in 1u8..=12, d in 1u8..=28, h in 0u8..24, min in 0u8..60,
        ) {
            let day = format!("{y:04}-{m:02}-{d:02}");
            prop_assert_eq!(normalize(&day), Some(day.clone()));
            let time = format!("{day}T{h:02}:{min:02}:00+05:30");
            prop_assert_eq!(normalize(&time), Some(time.clone()));
        }
    }

    fn n(raw: &str) -> Option<String> {
        normalize(raw)
    }

    #[test]
    fn iso_dates_and_times_with_an_offset_keep_their_time() {
        assert_eq!(n("2019-10-19").as_deref(), Some("2019-10-19"));
        assert_eq!(
            n("2019-10-19T19:08:22+02:00").as_deref(),
            Some("2019-10-19T19:08:22+02:00")
        );
        assert_eq!(
            n("2019-06-17T18:28:00+0200").as_deref(),
            Some("2019-06-17T18:28:00+02:00")
        );
        assert_eq!(
            n("2017-11-25T22:34:50.123Z").as_deref(),
            Some("2017-11-25T22:34:50Z")
        );
        assert_eq!(
            n("2023-01-17T00:30:41+00:00").as_deref(),
            Some("2023-01-17T00:30:41Z")
        );
        assert_eq!(n(" 2024/05/01 ").as_deref(), Some("2024-05-01"));
    }

    #[test]
    fn a_time_without_an_offset_leaves_only_the_date() {
        assert_eq!(n("2022-5-5 22:17:36").as_deref(), Some("2022-05-05"));
        assert_eq!(n("2019-11-20T01:50:59.403").as_deref(), Some("2019-11-20"));
        assert_eq!(n("November 20, 2019 13:42").as_deref(), Some("2019-11-20"));
    }

    #[test]
    fn mail_and_c_and_javascript_forms_are_read() {
        assert_eq!(
            n("Wed, 02 Feb 2022 09:12:22 +0100").as_deref(),
            Some("2022-02-02T09:12:22+01:00")
        );
        assert_eq!(n("Fri Feb 18 10:27:24 2022").as_deref(), Some("2022-02-18"));
        assert_eq!(
            n("Tue Feb 20 2018 01:00:00 GMT+0100 (Central European Standard Time)").as_deref(),
            Some("2018-02-20T01:00:00+01:00")
        );
        assert_eq!(
            n("May 02, 2021 3:51 PM UTC").as_deref(),
            Some("2021-05-02T15:51:00Z")
        );
    }

    #[test]
    fn month_names_are_read_in_several_languages() {
        assert_eq!(n("20th November 2019").as_deref(), Some("2019-11-20"));
        assert_eq!(n("Nov. 20, 2019").as_deref(), Some("2019-11-20"));
        assert_eq!(n("5. Mai 2022").as_deref(), Some("2022-05-05"));
        assert_eq!(n("5 de mayo de 2022").as_deref(), Some("2022-05-05"));
        assert_eq!(n("1er février 2021").as_deref(), Some("2021-02-01"));
        assert_eq!(n("12 dicembre 2020").as_deref(), Some("2020-12-12"));
        assert_eq!(n("3. März 2021").as_deref(), Some("2021-03-03"));
    }

    #[test]
    fn day_first_and_month_first_numbers_only_when_certain() {
        assert_eq!(n("20.11.2019").as_deref(), Some("2019-11-20"));
        assert_eq!(n("05.03.2021").as_deref(), Some("2021-03-05"));
        assert_eq!(n("20/11/2019").as_deref(), Some("2019-11-20"));
        assert_eq!(n("11/20/2019").as_deref(), Some("2019-11-20"));
        assert_eq!(n("10/05/2022 05:22 pm"), None);
    }

    #[test]
    fn a_date_a_person_wrote_is_kept_when_it_cannot_be_read() {
        assert_eq!(super::tidy(" Spring 2020 "), "Spring 2020");
        assert_eq!(super::tidy("May 5, 2024"), "2024-05-05");
    }

    #[test]
    fn unix_timestamps_are_utc_instants() {
        assert_eq!(n("1651626439").as_deref(), Some("2022-05-04T01:07:19Z"));
        assert_eq!(n("1620021848429").as_deref(), Some("2021-05-03T06:04:08Z"));
    }

    #[test]
    fn what_is_not_one_certain_date_is_refused() {
        for raw in [
            "",
            "0000-00-00",
            "2019-02-30",
            "2019-13-01",
            "today",
            "13:42",
            "November 2019",
            "20 November",
            "12345",
            "2019-10-19abc",
            "1066-10-14",
            "Spring 2020",
            "2019-10-19T25:00:00Z",
        ] {
            assert_eq!(n(raw), None, "{raw:?}");
        }
    }
}
