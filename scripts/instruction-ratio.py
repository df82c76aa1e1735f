#!/usr/bin/env python3
"""Instructions per execution of fwsim and of shuttle on the zoo's shared bugs, counted by
callgrind: the part of zoo-vs-shuttle's speed ratio that does not depend on the CPU.

    python3 scripts/instruction-ratio.py [--misses] [--d1=BYTES,WAYS,LINE] [BUG...]
                                           (every shared bug if none)

The speed ratio that FUZZING.md's goal is judged by is this instruction ratio times the ratio
of the instructions each side retires per second, which the CPU decides. `--misses` adds
callgrind's cache and branch simulation and prints, per 1,000 instructions of each side, the L1
instruction and data misses and the mispredicted branches: the usual reasons why one program
retires fewer instructions a cycle than another. The simulated L1 caches are 32 KiB, 8-way,
with 64-byte lines (Zen 4's; Intel's L1 instruction cache is the same) on every host: callgrind
would otherwise take the host's own, and tables from two machines would not compare.
`--d1=49152,12,64` (implies `--misses`) simulates another L1 data cache instead, here the
48 KiB 12-way one of Intel's cores since Ice Lake and of AMD's Zen 5. About 15 seconds a bug, 45
with `--misses`.

Method: `zoo-vs-shuttle 0 0 N BUG` runs rounds of N executions of shuttle and ten times as
many of fwsim (the table's header says how many), taking turns.
It is profiled at two values of N, so that start-up and the rounds' fixed costs cancel out;
fwsim's side is everything under `fwsim::fuzz::campaign::explore` (a campaign runs on a thread
of its own) and shuttle's is the rest of the total.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

USAGE = "python3 scripts/instruction-ratio.py [--misses] [--d1=BYTES,WAYS,LINE] [BUG...]"
SMALL, LARGE = 1000, 3000
# The L1 caches `--misses` simulates, whatever the host's (BYTES,WAYS,LINE).
L1 = "32768,8,64"
# The miss columns of `--misses`: callgrind's events that each one sums.
MISSES = [("I1mr",), ("D1mr", "D1mw"), ("Bcm", "Bim")]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "zoo-vs-shuttle")


def fail(message):
    print(f"instruction-ratio: {message}", file=sys.stderr)
    sys.exit(2)


def output_of(command):
    """What `command` prints, or a clean exit naming it and the end of what it said."""
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"`{' '.join(command)}` failed: {run.stderr.strip()[-300:]}")
    return run.stdout


def speed_table_facts():
    """The bugs both sides run, the number of rounds, and how many executions a round of fwsim
    runs for each of shuttle's, from a one-execution speed table."""
    table = output_of([BIN, "0", "0", "1"])
    bugs = [row.split("|")[1].strip() for row in table.splitlines() if re.match(r"^\| [a-z]", row)]
    bugs = [b for b in bugs if b != "bug"]
    rounds = re.search(r"(\d+) rounds of\s+(\d+) executions of fwsim and 1 of shuttle", table)
    if not bugs or not rounds:
        fail("cannot read zoo-vs-shuttle's speed table")
    return bugs, int(rounds.group(1)), int(rounds.group(2))


def profile(bug, executions, misses, directory):
    """Each event's program total and fwsim's inclusive count, from one callgrind run.
    `misses`: None, or the extra options of callgrind's cache and branch simulation."""
    out = os.path.join(directory, f"{bug}.{executions}")
    extra = ["--cache-sim=yes", "--branch-sim=yes", *misses] if misses is not None else []
    run = subprocess.run(
        ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *extra, BIN, "0", "0", str(executions), bug],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    if run.returncode != 0:
        said = [line for line in run.stderr.splitlines() if line.startswith("valgrind:")]
        fail(f"valgrind failed on {bug}: {' / '.join(said) or run.stderr.strip()[-300:]}")
    text = output_of(["callgrind_annotate", "--inclusive=yes", out])
    shown = re.search(r"^Events shown:\s+(.*)$", text, re.M)
    if shown is None:
        fail(f"cannot read callgrind_annotate's output for {bug}")
    events = shown.group(1).split()
    total, fwsim = None, None
    for line in text.splitlines():
        numbers = [int(n.replace(",", "")) for n in re.findall(r"(?:^|\s)([\d,]+)(?= \()", line)]
        if len(numbers) != len(events):
            continue
        if "PROGRAM TOTALS" in line:
            total = numbers
        elif "fwsim::fuzz::campaign::explore" in line and (fwsim is None or numbers[0] > fwsim[0]):
            fwsim = numbers
    if total is None or fwsim is None:
        fail(f"no fwsim campaign in the profile of {bug}")
    return events, total, fwsim


def per_execution(bug, misses, runs, scale, directory):
    """Each event per execution, for fwsim and for shuttle. `runs`: shuttle's executions
    between the two profiles; fwsim ran `scale` times as many."""
    events, t1, f1 = profile(bug, SMALL, misses, directory)
    _, t2, f2 = profile(bug, LARGE, misses, directory)
    fwsim = {e: (f2[i] - f1[i]) / (runs * scale) for i, e in enumerate(events)}
    shuttle = {e: ((t2[i] - f2[i]) - (t1[i] - f1[i])) / runs for i, e in enumerate(events)}
    return fwsim, shuttle


def per_thousand(side, names):
    """The events `names` per 1,000 instructions of one side. (A count near zero can come out
    a hair below it, since the two profiled runs differ a little: shown as 0.)"""
    return max(0.0, 1000 * sum(side[n] for n in names) / side["Ir"])


def main():
    args = sys.argv[1:]
    d1 = [a for a in args if a.startswith("--d1=")]
    for a in d1:
        if not re.fullmatch(r"--d1=\d+,\d+,\d+", a):
            fail(f"`{a}`: expected --d1=BYTES,WAYS,LINE, as in --d1=49152,12,64")
    d1_cache = d1[-1].removeprefix("--d1=") if d1 else L1
    misses = [f"--I1={L1}", f"--D1={d1_cache}"] if "--misses" in args or d1 else None
    chosen = [a for a in args if a != "--misses" and a not in d1]
    if any(a.startswith("-") for a in chosen):
        fail(f"unknown option; usage: {USAGE}")
    if shutil.which("valgrind") is None:
        fail("needs valgrind (apt-get install -y valgrind)")
    build = ["cargo", "build", "-q", "-p", "fwsim-zoo", "--release", "--bin", "zoo-vs-shuttle"]
    if subprocess.run(build, cwd=ROOT).returncode != 0:
        fail("cannot build zoo-vs-shuttle (cargo's errors are above)")
    known, rounds, scale = speed_table_facts()
    for bug in chosen:
        if bug not in known:
            fail(f"`{bug}` is not one of the bugs both sides run: {', '.join(known)}")
    runs = rounds * (LARGE - SMALL)
    header = "| bug | fwsim instructions | shuttle instructions | ratio |"
    if misses is not None:
        header += " I1 misses per 1,000 (fwsim / shuttle) | D1 misses per 1,000 | mispredicted branches per 1,000 |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    with tempfile.TemporaryDirectory() as directory:
        for bug in chosen or known:
            fw, sh = per_execution(bug, misses, runs, scale, directory)
            row = f"| {bug} | {fw['Ir']:,.0f} | {sh['Ir']:,.0f} | {sh['Ir'] / fw['Ir']:.2f}× |"
            if misses is not None:
                for names in MISSES:
                    row += f" {per_thousand(fw, names):.1f} / {per_thousand(sh, names):.1f} |"
            print(row, flush=True)


if __name__ == "__main__":
    main()
