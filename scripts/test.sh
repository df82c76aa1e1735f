#!/usr/bin/env bash
# The project's one test command (README "Quick start"; .ci/run calls exactly this).
# It installs what the tests need on a fresh machine, then runs format, lint and tests.
# Anything it cannot install makes it fail loudly: no test is ever skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "toolchain"
cargo --version
{ cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "tests"
cargo test --workspace --locked --all-targets
cargo test --workspace --locked --doc

step "examples"
cargo run --locked -q -p fwsim --example timeline > /dev/null
