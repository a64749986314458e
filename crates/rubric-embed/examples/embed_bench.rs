//! Embedding speed with the system allocator; see `common/bench.rs`.

#[path = "common/bench.rs"]
mod bench;

fn main() -> std::process::ExitCode {
    bench::main("system")
}
