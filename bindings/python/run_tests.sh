#!/usr/bin/env bash
# Builds the Python module against the csipls build tree $1 in a venv of Debian's python3 (with its
# numpy, pandas, pybind11 and pytest: PEP 668 keeps pip out of the system's site-packages) and runs
# its tests. ctest's bindings_python test; by hand: bindings/python/run_tests.sh build/release
set -euo pipefail
build=$(cd "$1" && pwd)
source_dir=$(cd "$(dirname "$0")" && pwd)
venv="$build/bindings/python-venv"
[ -x "$venv/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$venv"
# A copy of the sources: setuptools writes build/ and *.egg-info next to them.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$source_dir/." "$work/"
rm -rf "$work/build" "$work"/*.egg-info
CSIPLS_PREFIX="$build" "$venv/bin/pip" install --quiet --no-build-isolation --no-index --no-deps --force-reinstall "$work"
# -P: import the installed package, not the source folder.
cd "$work" && CSIPLS_CLI="$build/csipls" "$venv/bin/python" -P -m pytest -q -p no:cacheprovider "$source_dir/tests"
