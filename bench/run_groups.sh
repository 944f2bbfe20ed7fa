#!/usr/bin/env bash
# The yearly index study at institute scale: 300 companies × 250 respondents, 1000 bootstrap
# resamples per company (and for all respondents), per-company indices with intervals in the
# index table. Run from the repository root after building the release preset:
#   bash bench/run_groups.sh [build/release/csipls]
set -euo pipefail
csipls=${1:-build/release/csipls}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$csipls" simulate --model data/ccsi_population.model --n 250 --groups 300 --seed 11 --out "$work/study.csv"
for threads in 1 2; do
  for mode in separate pooled; do
    extra=()
    [ "$mode" = pooled ] && extra=(--pooled)
    /usr/bin/time -f "threads=$threads mode=$mode: %e s wall, %M KiB peak RSS" \
      "$csipls" estimate --model models/ccsi.model --data "$work/study.csv" --group company --scale 1:10 \
      --bootstrap 1000 --threads "$threads" "${extra[@]}" --index-table "$work/index-$threads-$mode.csv" \
      --out "$work/result-$threads-$mode.json" 2>&1 | grep -v '^\s*$' | tail -1
  done
  # Threads never change the result.
  [ "$threads" = 2 ] && cmp "$work/index-1-separate.csv" "$work/index-2-separate.csv" && echo "1 and 2 threads: identical index tables"
done
echo "index table rows (with header): $(wc -l < "$work/index-2-separate.csv")"
