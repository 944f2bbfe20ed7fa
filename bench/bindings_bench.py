#!/usr/bin/env python3
"""The Python module's cost over C++ and over the CLI (bench/README.md, "R and Python").

  bench/bindings_bench.py [BUILD_DIR]      (csipls importable, e.g. the venv of ctest bindings_python)

Prints: ECSI on mobi from a DataFrame (median of many calls; C++'s BM_RunStudyFromMemory is the
same call), and a 5000-resample bootstrap on 2 threads from Python against the CLI's whole run.
"""
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

import csipls

repo = Path(__file__).resolve().parents[1]
build = Path(sys.argv[1]) if len(sys.argv) > 1 else repo / "build" / "release"
mobi = repo.parent / "shared" / "data" / "mobi.csv"
model_path = repo / "models" / "ecsi.model"
model = model_path.read_text()
data = pd.read_csv(mobi).astype("float64")


def median_seconds(call, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


for _ in range(50):
    csipls.estimate(model, data, progress=False)
one = median_seconds(lambda: csipls.estimate(model, data, progress=False), 2000)
print(f"python: ECSI on mobi, estimate(): median {one * 1e6:.0f} us")
cli = [str(build / "csipls"), "estimate", "--model", str(model_path), "--data", str(mobi), "--bootstrap", "5000",
       "--threads", "2", "--out", "/dev/null"]
# Interleaved, so that both see the same load.
boot, whole = [], []
for _ in range(11):
    boot.append(median_seconds(lambda: csipls.estimate(model, data, bootstrap=5000, threads=2, progress=False), 1))
    whole.append(median_seconds(lambda: subprocess.run(cli, check=True, capture_output=True), 1))
print(f"python: 5000 resamples, 2 threads: median {statistics.median(boot):.3f} s")
print(f"cli:    5000 resamples, 2 threads: median {statistics.median(whole):.3f} s (whole process: also reads the "
      "files and writes the JSON)")
