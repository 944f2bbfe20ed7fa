#!/usr/bin/env bash
# Validates JSON results of `csipls estimate` against docs/result.schema.json: a set produced here
# (plain; --scale --bootstrap; --group with --aggregate; --micom; --consistent; --predict; --fit-test;
# missing data; --ipma; the practice indices; a formative block), then every result the CLI
# end-to-end tests kept (tests/cli/cli_harness.hpp copies each --out JSON of `csipls estimate`
# into PRODUCED_DIR), when that folder exists.
# Usage: result_schema_test.sh CSIPLS SOURCE_DIR PRODUCED_DIR [KEEP_DIR]
set -euo pipefail
csipls=$1 source_dir=$2 produced_dir=$3
work=${4:-$(mktemp -d)}
[ -n "${4:-}" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work"
cd "$work"
model=$source_dir/models/ccsi.model data=$source_dir/data/ccsi_example.csv population=$source_dir/data/ccsi_population.model
run() { "$csipls" "$@" >/dev/null 2>>stderr.log || { echo "failed: csipls $*" >&2; cat stderr.log >&2; exit 1; }; }
est() { local out=$1; shift; run estimate --model "$model" --data "$data" --threads 1 --out "$out" "$@"; }

est plain.json
est scale-bootstrap.json --scale 1:10 --bootstrap 40 --save-draws draws.csv
est bca.json --scale 1:10 --bootstrap 30 --ci bca
est consistent.json --consistent
est predict.json --predict --folds 5 --repetitions 2
est fit-test.json --consistent --fit-test 30
est ipma.json --scale 1:10 --ipma 顾客满意
est fimix.json --method fimix --k 1..2 --starts 2 --segment-stop 1e-6
est pos.json --method pos --k 2 --starts 2
sed 's/^感知价值 =~/感知价值 <~/' "$model" > formative.model
run estimate --model formative.model --data "$data" --scale 1:10 --bootstrap 20 --threads 1 --out formative.json
# Missing answers: about one row in three with a blank cell, each treatment.
awk -F, -v OFS=, 'NR == 1 { print; next } { for (c = 1; c <= NF; ++c) if ((NR * 7 + c * 3) % 53 == 0) $c = ""; print }' "$data" > missing.csv
for treatment in listwise mean pairwise em; do
  run estimate --model "$model" --data missing.csv --missing-treatment "$treatment" --scale 1:10 --out "missing-$treatment.json"
done
# Groups: companies simulated, estimated per group with aggregation, a bootstrap and permutations.
run simulate --model "$population" --n 150 --groups 3 --scale 1:10 --out groups.csv
printf 'company,weight,industry\nC001,1,banks\nC002,3,banks\nC003,2,insurers\n' > aggregate.csv
run estimate --model "$model" --data groups.csv --group company --scale 1:10 --aggregate aggregate.csv --bootstrap 20 \
  --permutations 20 --threads 1 --out groups.json
run estimate --model "$model" --data groups.csv --group company --pooled --scale 1:10 --out groups-pooled.json
run estimate --model "$model" --data groups.csv --group company --micom --permutations 20 --threads 1 --out micom.json
# Indices of CSI practice.
printf 'node,parent,weight\nimage,CSI,0.3\nsatisfaction,CSI,0.7\nBI1,image,0.4\nBI2,image,0.6\nSAT1,satisfaction,0.5\nSAT2,satisfaction,0.5\n' > w.csv
run estimate --model "$model" --data "$data" --scale 1:10 --item-scores --weights-index w.csv --gap SAT1:EQ1 --out practice.json

files=("$work"/*.json)
if [ -d "$produced_dir" ]; then
  shopt -s nullglob
  files+=("$produced_dir"/*.json)
fi
"${PYTHON:-python3}" "$source_dir/tests/schema/validate_results.py" "$source_dir/docs/result.schema.json" "${files[@]}"
