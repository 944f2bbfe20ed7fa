#!/usr/bin/env bash
# The way Monte Carlo studies are run without `csipls montecarlo`: one `csipls simulate` and one
# `csipls estimate` process per replication (ECSI population, n = 250, PLS, no bootstrap).
# Usage: run_montecarlo_loop.sh CSIPLS [ITERATIONS]; prints replications per second.
set -euo pipefail
csipls=$1 iterations=${2:-50}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$(date +%s.%N)
for i in $(seq 1 "$iterations"); do
  "$csipls" simulate --model "$source_dir/examples/cluster/ecsi_population.model" --n 250 --continuous --seed "$i" \
    --out "$work/data.csv"
  "$csipls" estimate --model "$source_dir/models/ecsi.model" --data "$work/data.csv" --out "$work/result.json" >/dev/null
done
end=$(date +%s.%N)
echo "$iterations replications in $(echo "$end - $start" | bc -l) s: $(echo "$iterations / ($end - $start)" | bc -l) replications/s"
