#!/usr/bin/env bash
# The report of a 300-company study with its workbook and PDF (issue 17: ≤ 5 s): the CCSI model on
# 300 companies × 250 respondents with a 200-resample bootstrap per company, so the index table has
# 301 rows with intervals. The estimation is done once beforehand and not timed; timed are
# `csipls report --result` writing HTML, XLSX and PDF together, and each output alone (to see which
# part dominates). Run from the repository root after building the release preset:
#   bash bench/run_report300.sh [build/release/csipls]
set -euo pipefail
csipls=$(realpath "${1:-build/release/csipls}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$csipls" simulate --model data/ccsi_population.model --n 250 --groups 300 --seed 11 --out "$work/study.csv"
"$csipls" estimate --model models/ccsi.model --data "$work/study.csv" --group company --scale 1:10 \
  --bootstrap 200 --threads 2 --index-table "$work/index.csv" --out "$work/result.json" > /dev/null
echo "index table rows (with header): $(wc -l < "$work/index.csv"); result: $(stat -c %s "$work/result.json") bytes"
cd "$work"
hyperfine --warmup 1 --runs 5 --export-markdown "$work/times.md" \
  -n "html+xlsx+pdf" "$csipls report --result result.json --out r.html --xlsx r.xlsx --pdf r.pdf" \
  -n "html" "$csipls report --result result.json --out r.html" \
  -n "xlsx" "$csipls report --result result.json --xlsx r.xlsx" \
  -n "pdf" "$csipls report --result result.json --pdf r.pdf"
cat "$work/times.md"
echo "sizes: html $(stat -c %s r.html), xlsx $(stat -c %s r.xlsx), pdf $(stat -c %s r.pdf) bytes; pdf pages: $(pdfinfo r.pdf | awk '/^Pages/ {print $2}')"
