# Everyday recipes. `just --list` shows them.

# Build the index from corpus/ (or the given sources) into index/.
ingest *ARGS:
    cargo run --release --bin ingest -- {{ARGS}}

# Search the index: `just search "eczema probiotics"`.
search +QUERY:
    cargo run --release --bin search -- {{QUERY}}

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
    bash bench/run {{ARGS}}
