"""The Python module against the reference numbers and against the CLI (same JSON, bit for bit)."""
import json
import math
import os
import shutil
import subprocess
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import csipls

REPO = Path(__file__).resolve().parents[3]
SHARED = REPO.parent / "shared"
MOBI = SHARED / "data" / "mobi.csv"
ECSI_MODEL = REPO / "models" / "ecsi.model"
# The CLI of the same build (CSIPLS_CLI), else build/release/csipls.
CLI = Path(os.environ.get("CSIPLS_CLI", REPO / "build" / "release" / "csipls"))

needs_mobi = pytest.mark.skipif(not MOBI.exists(), reason=f"{MOBI} absent (the shared data set)")
needs_cli = pytest.mark.skipif(not CLI.exists(), reason=f"no csipls CLI at {CLI} (set CSIPLS_CLI)")


@pytest.fixture(scope="module")
def mobi():
    return pd.read_csv(MOBI)


@pytest.fixture(scope="module")
def ecsi():
    return ECSI_MODEL.read_text()


def run_cli(*args, tmp_path):
    out = tmp_path / "cli.json"
    subprocess.run([str(CLI), "estimate", *map(str, args), "--out", str(out)], check=True, capture_output=True)
    return json.loads(out.read_text())


def without_input(result: dict) -> dict:
    """The result without what names the input (file paths and hashes), which differs by design."""
    result = dict(result)
    result.pop("input")
    return result


def assert_same_values(a, b, path="", tol=1e-12):
    """Value by value: same keys, same texts, numbers within `tol` (0: bit for bit)."""
    assert type(a) is type(b) or (isinstance(a, (int, float)) and isinstance(b, (int, float))), path
    if isinstance(a, dict):
        assert list(a) == list(b), path
        for k in a:
            assert_same_values(a[k], b[k], f"{path}.{k}", tol)
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same_values(x, y, f"{path}[{i}]", tol)
    elif isinstance(a, float) and not (math.isnan(a) and math.isnan(b)):
        assert abs(a - b) <= tol, f"{path}: {a!r} != {b!r}"
    else:
        assert a == b, path


@needs_mobi
def test_ecsi_on_mobi_matches_the_reference(mobi, ecsi):
    reference = json.loads((SHARED / "reference" / "ecsi_mobi_path.json").read_text())
    result = csipls.estimate(ecsi, mobi, scheme="path", tolerance=1e-10)
    paths = result.paths.set_index(["from", "to"])["estimate"]
    assert len(paths) == len(reference["paths"]) == 12
    for row in reference["paths"]:
        assert paths[(row["from"], row["to"])] == pytest.approx(row["estimate"], abs=1e-10)
    for part in ("outer_weights", "loadings"):
        table = getattr(result, part).set_index(["construct", "indicator"])["estimate"]
        for construct, block in reference[part].items():
            for indicator, value in block.items():
                assert table[(construct, indicator)] == pytest.approx(value, abs=1e-10), (part, indicator)
    r2 = result.r2.set_index("construct")
    assert list(result.r2.columns) == ["construct", "r2", "r2_adj"]
    for construct, value in reference["r2"].items():
        assert r2.loc[construct, "r2"] == pytest.approx(value, abs=1e-10)
        assert r2.loc[construct, "r2_adj"] == pytest.approx(reference["r2_adj"][construct], abs=1e-10)
    scores = result.scores().to_numpy()[:5]
    np.testing.assert_allclose(scores, np.array(reference["construct_scores_first_rows"]), atol=1e-9)


@needs_mobi
@needs_cli
def test_same_json_as_the_cli_with_a_bootstrap_bit_for_bit(mobi, ecsi, tmp_path):
    cli = run_cli("--model", ECSI_MODEL, "--data", MOBI, "--scale", "1:10", "--bootstrap", "60", "--seed", "7",
                  tmp_path=tmp_path)
    mine = csipls.estimate(ecsi, mobi, scale=(1, 10), bootstrap=60, seed=7, threads=2)
    assert_same_values(without_input(mine.to_dict()), without_input(cli), tol=0.0)
    # The text too: only the input's names differ.
    text = (tmp_path / "cli.json").read_text()
    cli_input = json.dumps(cli["input"], indent=2).replace("\n", "\n  ")
    mine_input = json.dumps(mine.to_dict()["input"], indent=2).replace("\n", "\n  ")
    assert mine.to_json() + "\n" == text.replace(cli_input, mine_input)
    assert list(mine.paths.columns) == ["from", "to", "estimate", "boot_mean", "bias", "se", "t", "p", "ci_lower", "ci_upper"]
    assert list(mine.indices.columns) == ["construct", "index"]
    assert mine.indices.set_index("construct")["index"]["Satisfaction"] == cli["csi_index"]["values"]["Satisfaction"]


@needs_mobi
@needs_cli
def test_summary_is_the_clis(mobi, ecsi):
    printed = subprocess.run([str(CLI), "estimate", "--model", str(ECSI_MODEL), "--data", str(MOBI)], check=True,
                             capture_output=True, text=True).stdout
    summary = csipls.estimate(str(ECSI_MODEL), mobi).summary()  # the model as a file path
    # The data line names the input; everything else is the same text.
    differing = [(a, b) for a, b in zip(printed.splitlines(), summary.splitlines()) if a != b]
    assert len(printed.splitlines()) == len(summary.splitlines())
    assert differing == [(f"data   {MOBI} (250 respondents)", "data   the data frame (250 respondents)")]


@needs_mobi
@needs_cli
def test_categorical_groups_and_nan_give_the_clis_numbers(mobi, ecsi, tmp_path):
    frame = mobi.copy()
    rng = np.random.default_rng(3)
    for column in ("CUEX1", "PERQ3", "CUSL2"):
        frame.loc[rng.choice(len(frame), 12, replace=False), column] = np.nan
    frame["segment"] = pd.Categorical(np.where(np.arange(len(frame)) % 3 == 0, "north", "south"),
                                      categories=["unused", "south", "north"])
    csv = tmp_path / "mobi_na.csv"
    frame.to_csv(csv, index=False, na_rep="NA")
    cli = run_cli("--model", ECSI_MODEL, "--data", csv, "--group", "segment", "--missing-treatment", "mean",
                  "--bootstrap", "20", tmp_path=tmp_path)
    mine = csipls.estimate(ecsi, frame, group="segment", missing="mean", bootstrap=20)
    assert_same_values(without_input(mine.to_dict()), without_input(cli), tol=1e-12)
    assert mine.to_dict()["missing"]["missing_values"] == 36


@needs_mobi
def test_arrays_dicts_and_frames_give_the_same_result(mobi, ecsi):
    names = list(mobi.columns)
    expected = csipls.estimate(ecsi, mobi).to_dict()
    for data in (np.asfortranarray(mobi.to_numpy(dtype=float)), np.ascontiguousarray(mobi.to_numpy(dtype=float))):
        assert without_input(csipls.estimate(ecsi, (data, names)).to_dict()) == without_input(expected)
    as_dict = {name: mobi[name].to_numpy() for name in names}  # integer columns
    assert without_input(csipls.estimate(ecsi, as_dict).to_dict()) == without_input(expected)


@needs_mobi
def test_two_threads_at_once_give_the_sequential_results(mobi, ecsi):
    kwargs = [dict(bootstrap=40, seed=1), dict(bootstrap=40, seed=2, scheme="factorial")]
    sequential = [csipls.estimate(ecsi, mobi, **k).to_json() for k in kwargs]
    concurrent = [None, None]

    def run(i):
        concurrent[i] = csipls.estimate(ecsi, mobi, **kwargs[i]).to_json()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert concurrent == sequential


@needs_mobi
def test_an_exception_from_the_progress_callback_cancels_the_run(mobi, ecsi):
    seen = []

    def progress(stage, done, total):
        seen.append((stage, done, total))
        if stage is not None:
            raise KeyboardInterrupt  # what Ctrl-C raises from the signal check

    with pytest.raises(KeyboardInterrupt):
        csipls.estimate(ecsi, mobi, bootstrap=200000, progress=progress)
    assert seen[0][0] == "bootstrap" and seen[0][2] == 200000
    assert seen[-1] == (None, 0, 0)


@needs_mobi
@pytest.mark.parametrize("change, options, message", [
    (lambda f: f.assign(CUEX1=f["CUEX1"].astype(str)), {}, "column 'CUEX1' is not numeric"),
    (lambda f: f.drop(columns=["PERQ2"]), {}, "has no column 'PERQ2'"),
    (lambda f: f.iloc[:0], {}, "has no rows"),
    (lambda f: f.assign(CUSA1=pd.Categorical(f["CUSA1"])), {}, "column 'CUSA1' is not numeric"),
    (lambda f: f.assign(IMAG1=np.inf), {}, "column 'IMAG1', row 1: not a finite number"),
    (lambda f: f, {"bootstrap": "many"}, "`bootstrap.resamples` takes a whole number, got 'many'"),
    (lambda f: f, {"bootstrap": 2.5}, "`bootstrap.resamples` takes a whole number, got '2.5'"),
    (lambda f: f, {"scheme": "round"}, "estimation.scheme"),
    (lambda f: f, {"group": "nope"}, "has no column 'nope'"),
])
def test_bad_data_and_options_raise_a_clear_error(mobi, ecsi, change, options, message):
    with pytest.raises(csipls.Error, match=None) as raised:
        csipls.estimate(ecsi, change(mobi.copy()), **options)
    assert message in str(raised.value)
    assert isinstance(raised.value, ValueError)


@needs_mobi
def test_bad_models_and_option_types(mobi):
    with pytest.raises(csipls.Error, match="the model:2: a second operator"):
        csipls.estimate("Image =~ IMAG1 + \nImage ~ ~ Loyalty", mobi)
    with pytest.raises(csipls.Error, match="NOPE"):
        csipls.estimate("Image =~ IMAG1 + NOPE\nLoyalty =~ CUSL1\nLoyalty ~ Image", mobi)
    with pytest.raises(csipls.Error):
        csipls.estimate("no/such/model/file.model", mobi)
    with pytest.raises(TypeError, match="unexpected keyword argument 'boostrap'"):
        csipls.estimate("Image =~ IMAG1\nLoyalty =~ CUSL1\nLoyalty ~ Image", mobi, boostrap=10)
    with pytest.raises(TypeError, match="option 'seed'"):
        csipls.estimate("Image =~ IMAG1\nLoyalty =~ CUSL1\nLoyalty ~ Image", mobi, seed={"a": 1})
    with pytest.raises(TypeError, match="data must be"):
        csipls.estimate("Image =~ IMAG1\nLoyalty =~ CUSL1\nLoyalty ~ Image", "mobi.csv")


def test_every_option_of_the_table_is_a_keyword():
    table = csipls.options()
    assert len(table) > 30
    for keyword in table["keyword"]:
        assert csipls._field_of(keyword)
    assert csipls._field_of("bootstrap") == "bootstrap.resamples"
    assert csipls._field_of("ci_level") == "bootstrap.ci_level"
    assert csipls._field_of("missing") == "missing.treatment"


def test_simulate_and_report(tmp_path, ecsi):
    data = csipls.simulate(ecsi, 120, seed=5, groups=2)
    assert list(data.columns[:2]) == ["company", "IMAG1"] and len(data) == 240
    assert data["IMAG1"].between(1, 10).all()
    result = csipls.estimate(ecsi, data, scale=(1, 10), group="company")
    assert list(result.groups["results"]["group"]) == ["C001", "C002"]
    assert list(result.groups["differences"].columns[:3]) == ["a", "b", "kind"]
    csipls.report(result, tmp_path / "report.html")
    html = (tmp_path / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "Satisfaction" in html


@needs_mobi
def test_ctrl_c_stops_a_long_bootstrap_cleanly(tmp_path):
    script = tmp_path / "long.py"
    script.write_text(f"""
import sys, pandas as pd, csipls
data = pd.read_csv({str(MOBI)!r})
print("started", flush=True)
try:
    csipls.estimate({str(ECSI_MODEL)!r}, data, bootstrap=10_000_000, progress=False)
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
""")
    import signal
    import sys
    import time
    child = subprocess.Popen([sys.executable, "-P", str(script)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "started"
        time.sleep(0.5)
        start = time.monotonic()
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=20)
        assert child.returncode == 3 and out.strip() == "interrupted"
        assert time.monotonic() - start < 2.0
    finally:
        if child.poll() is None:
            child.kill()  # never left running
            child.wait()


def test_float64_columns_are_read_in_place():
    frame = pd.DataFrame({"a": np.arange(5.0), "b": np.ones(5)})
    column = csipls._column_reader(frame)("a", "numeric")
    assert np.shares_memory(column, frame["a"].to_numpy())
    fortran = np.asfortranarray(np.arange(10.0).reshape(5, 2))
    assert np.shares_memory(csipls._column_reader(csipls._as_frame((fortran, ["x", "y"])))("y", "numeric"), fortran)
    c_order = np.arange(10.0).reshape(5, 2)
    strided = csipls._column_reader(csipls._as_frame((c_order, ["x", "y"])))("y", "numeric")
    assert np.shares_memory(strided, c_order) and strided.strides == (16,)


@needs_mobi
def test_every_part_of_the_json_result_is_an_attribute(mobi, ecsi):
    result = csipls.estimate(ecsi, mobi)
    assert {"paths", "r2", "weights", "htmt", "fit", "reliability", "f2"} <= set(result.parts())
    assert list(result.htmt.columns) == ["a", "b", "value"]
    assert result.construct_correlations.shape == (7, 7)
    assert list(result.reliability.columns) == ["construct", "cronbach_alpha", "rho_a", "rho_c", "ave"]
    assert math.isnan(result.reliability.set_index("construct").loc["Complaints", "cronbach_alpha"])
    assert list(result.weights.columns) == ["construct", "indicator", "estimate"]
    with pytest.raises(AttributeError, match="no part 'nothing'"):
        result.nothing
