# Everyday recipes. `just --list` shows them. Install just with
# `cargo install just`. Arguments are passed on as they were quoted:
# `just search "it's eczema"`, `just search '"gut flora"'`,
# `just ingest --index "my ix"`.

set positional-arguments

# Build the index from corpus/ (or rubric.toml's sources, or the given ones).
ingest *ARGS:
    cargo run --release --bin ingest -- "$@"

# Search the index: `just search "eczema probiotics"`.
search +QUERY:
    cargo run --release --bin search -- "$@"

# Serve the index and the search page: `just serve 8080`.
serve *ARGS:
    cargo run --release --bin search -- --serve "$@"

# Unit and end-to-end tests.
test:
    cargo test --workspace --locked

# Formatting and lints, as CI checks them.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --locked -- -D warnings

# Everything CI runs (the same steps as .ci/run).
ci:
    bash .ci/run

# The benchmark suite (linux-doc corpora, tantivy-cli and Pagefind floor):
# prints one table, writes target/bench/results-<date>.json.
bench *ARGS:
    bash bench/run "$@"
