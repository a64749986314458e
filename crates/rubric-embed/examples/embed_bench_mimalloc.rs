//! Embedding speed with mimalloc as the global allocator; see
//! `common/bench.rs`. Compare with `embed_bench` (the system allocator).

#[path = "common/bench.rs"]
mod bench;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    bench::main("mimalloc")
}
