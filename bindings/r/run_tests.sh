#!/usr/bin/env bash
# Installs the R package against the csipls build tree $1 into a library of its own and runs its
# testthat tests. ctest's bindings_r test; by hand: bindings/r/run_tests.sh build/release
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")" && pwd)
library="$build/bindings/r-library"
mkdir -p "$library"
# A copy of the sources: R CMD INSTALL compiles in src/.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$source_dir" "$work/csipls"
rm -f "$work/csipls/src/"*.o "$work/csipls/src/"*.so "$work/csipls/src/Makevars"
# The glue only copies data and calls the library: -O1 without debug info halves its compile time.
printf 'CXX20FLAGS = -O1\n' > "$work/Makevars"
CSIPLS_PREFIX="$build" R_MAKEVARS_USER="$work/Makevars" MAKEFLAGS=-j2 R CMD INSTALL --no-docs --no-html --no-help -l "$library" "$work/csipls" > "$work/install.log" 2>&1 ||
  { cat "$work/install.log"; exit 1; }
cd "$source_dir/tests"
CSIPLS_SOURCE_DIR="$(cd "$source_dir/../.." && pwd)" CSIPLS_CLI="$build/csipls" R_LIBS="$library" \
  Rscript -e 'library(testthat); library(csipls); test_dir("testthat", reporter = "summary", stop_on_failure = TRUE)'
