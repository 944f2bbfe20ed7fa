#!/usr/bin/env bash
# Refreshes the report screenshots shown in the README. The test suite makes them (headless
# Chromium) in the build folder, never here, so running the tests leaves the tree clean; this
# copies them over. Run from the repository root after building the release preset:
#   bash docs/screenshots/refresh.sh [build/release]
set -euo pipefail
build=${1:-build/release}
"$build/tests/csipls_tests" \
  --gtest_filter='ReportBrowserTest.ScreenshotsOfTheCcsiAndEcsiReports:ReportBrowserTest.TwentyConstructReportLoads'
for name in report-ccsi report-ecsi-mobi report-20-constructs; do
  png="$build/docs-screenshots/$name.png"
  [ -f "$png" ] || { echo "refresh.sh: $png was not made (is ../shared/data/mobi.csv there?)" >&2; exit 1; }
  size=$(stat -c %s "$png")
  [ "$size" -le 307200 ] || echo "refresh.sh: warning: $name.png is $size bytes (keep screenshots under 300 KB)" >&2
  cp "$png" "docs/screenshots/$name.png"
done
echo "copied to docs/screenshots/: look at them before committing"
