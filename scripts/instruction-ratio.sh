#!/usr/bin/env bash
# Instructions per execution of fwsim and of shuttle on the zoo's shared bugs, counted by
# callgrind: the part of zoo-vs-shuttle's speed ratio that does not depend on the CPU.
#
#   bash scripts/instruction-ratio.sh [BUG…]      (every shared bug if none; ~2 min a bug)
#
# The speed ratio that FUZZING.md's goal is judged by is this instruction ratio times the ratio
# of the two sides' instructions per cycle, which moves with the CPU; a table from this script
# beside `zoo-vs-shuttle 0` on one machine says how much of the speed comes from each.
#
# Method: `zoo-vs-shuttle 0 0 N BUG` runs rounds of N executions on each side (nine). It is
# counted at two values of N, so that start-up and the rounds' fixed costs cancel out; fwsim's
# side is everything under `fwsim::fuzz::campaign::explore` (a campaign's own thread), and
# shuttle's the rest of the total.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v valgrind >/dev/null || { echo "instruction-ratio: needs valgrind (apt-get install -y valgrind)" >&2; exit 2; }
cargo build -q -p fwsim-zoo --release --bin zoo-vs-shuttle
bin=target/release/zoo-vs-shuttle
# A one-execution speed table names the bugs both sides run (its first column) and how many
# rounds of each side it takes ("9 rounds of 1 executions").
table=$("$bin" 0 0 1 2>/dev/null)
mapfile -t known < <(awk -F' *\\| *' '/^\| [a-z]/ && $2 != "bug" {print $2}' <<<"$table")
rounds=$(grep -o '[0-9]* rounds of' <<<"$table" | grep -o '^[0-9]*')
[ -n "$rounds" ] && [ ${#known[@]} -gt 0 ] || { echo "instruction-ratio: cannot read zoo-vs-shuttle's speed table" >&2; exit 2; }
bugs=("$@")
[ ${#bugs[@]} -gt 0 ] || bugs=("${known[@]}")
for bug in "${bugs[@]}"; do
  if ! printf '%s\n' "${known[@]}" | grep -qxF -- "$bug"; then
    echo "instruction-ratio: \`$bug\` is not one of the bugs both sides run: ${known[*]}" >&2
    exit 2
  fi
done

small=1000
large=3000
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# The total and fwsim's inclusive count of one callgrind profile.
counts() {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null | awk '
    /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
    /fwsim::fuzz::campaign::explore/ { gsub(",", "", $1); if ($1 + 0 > fw) fw = $1 + 0 }
    END { if (fw == 0) exit 1; print total, fw }'
}

echo "| bug | fwsim instructions | shuttle instructions | ratio |"
echo "|---|---|---|---|"
for bug in "${bugs[@]}"; do
  for n in $small $large; do
    valgrind --tool=callgrind --callgrind-out-file="$out/$bug.$n" "$bin" 0 0 $n "$bug" >/dev/null 2>&1
  done
  read -r t1 f1 < <(counts "$out/$bug.$small")
  read -r t2 f2 < <(counts "$out/$bug.$large")
  python3 - "$bug" "$t1" "$f1" "$t2" "$f2" $((rounds * (large - small))) <<'PY'
import sys
bug, t1, f1, t2, f2, runs = sys.argv[1], *map(int, sys.argv[2:])
fwsim = (f2 - f1) / runs
shuttle = ((t2 - f2) - (t1 - f1)) / runs
print(f"| {bug} | {fwsim:,.0f} | {shuttle:,.0f} | {shuttle / fwsim:.2f}× |")
PY
done
