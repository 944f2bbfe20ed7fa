#!/usr/bin/env bash
# Whole-process timings: mobi (hyperfine) and a 1,000,000-row file made by
# ../shared/tools/make_large_mobi.py (read + estimate + write JSON, elapsed time and peak memory).
# Usage: bench/run_large.sh [BUILD_DIR]   (default build/release)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
shared=../shared
big=${TMPDIR:-/tmp}/csipls_big_1m.csv
[ -f "$big" ] || python3 "$shared/tools/make_large_mobi.py" 1000000 "$big"
# The same file with 2 % of the cells blank (a fixed pattern: one cell in about half of the rows).
holes=${TMPDIR:-/tmp}/csipls_big_1m_missing.csv
[ -f "$holes" ] || awk 'BEGIN { FS = OFS = "," } NR == 1 { print; next }
  { for (i = 1; i <= NF; i++) if ((NR * 31 + i * 17) % 50 == 0) $i = ""; print }' "$big" > "$holes"
echo "== compute benchmarks"
"$build/bench/csipls_bench" --benchmark_min_time=0.5
echo "== whole process on mobi (250 rows)"
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 5 --runs 50 \
    "$build/csipls estimate --model models/ecsi.model --data $shared/data/mobi.csv --out /tmp/csipls_mobi.json"
fi
echo "== whole process on 1,000,000 rows x 24 ($(du -h "$big" | cut -f1)); data as doubles: $((1000000 * 24 * 8 / 1024)) KiB"
for run in 1 2 3; do
  /usr/bin/time -f "run $run: %e s elapsed, %M KiB peak resident" \
    "$build/csipls" estimate --model models/ecsi.model --data "$big" --out /tmp/csipls_big.json
done
echo "== the same with 2 % of the cells missing, each treatment"
for treatment in listwise mean pairwise em; do
  /usr/bin/time -f "$treatment: %e s elapsed, %U s user, %M KiB peak resident" \
    "$build/csipls" estimate --model models/ecsi.model --data "$holes" --missing-treatment "$treatment" --out /tmp/csipls_big.json
done
