"""csipls from Python: customer satisfaction index models by PLS path modelling.

The numbers are the csipls engine's (the same library as the ``csipls`` command line program), so
a study run here gives the CLI's JSON result value for value.

    >>> import pandas as pd, csipls
    >>> result = csipls.estimate(open("models/ecsi.model").read(), pd.read_csv("mobi.csv"), bootstrap=500)
    >>> result.paths          # from, to, estimate, boot_mean, bias, se, t, p, ci_lower, ci_upper
    >>> print(result.summary())
"""
from __future__ import annotations

import json
import math
import numbers
import sys
from typing import Any, Callable, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import _native
from ._native import Error

Error.__module__ = "csipls"

__all__ = ["Error", "Result", "estimate", "simulate", "report", "options"]
__version__ = "0.1.0"

# Keywords the R/Python signature uses that are not a field's name or flag (the CLI's
# --missing takes missing-value codes; here `missing` is the treatment, as in cSEM).
_ALIASES = {"weights": "data.case_weights", "missing": "missing.treatment", "missing_codes": "data.missing_codes"}

_SOURCE_NAME = "the data frame"


def options() -> pd.DataFrame:
    """Every option estimate() takes: the keyword (the option's name with '.' as '_'), the CLI flag,
    the value it takes (None: True/False) and its help."""
    rows = [(name.replace(".", "_"), "--" + flag, value, help_text)
            for name, flag, value, help_text in _native.option_fields()]
    return pd.DataFrame(rows, columns=["keyword", "flag", "value", "help"])


def _field_of(keyword: str) -> str:
    field = _ALIASES.get(keyword) or _native.find_option(keyword)
    if field is None:
        raise TypeError(f"estimate() got an unexpected keyword argument '{keyword}' "
                        "(csipls.options() lists the options)")
    return field


def _number_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))  # the shortest text that reads back as the same double
    if isinstance(value, str):
        return value
    raise TypeError(f"a {type(value).__name__}")


def _option_text(keyword: str, field: str, value: Any) -> str:
    """A Python value as the option's text (the CLI's): True/False, numbers, text; a pair for
    MIN:MAX and A:B options; a list for lists (codes, pairs of names)."""
    value_name = dict((f[0], f[2]) for f in _native.option_fields()).get(field) or ""
    try:
        if isinstance(value, (str, bool, numbers.Real)):
            return _number_text(value)
        if isinstance(value, Sequence) or isinstance(value, np.ndarray):
            items = list(value)
            if ":" in value_name and len(items) == 2 and not any(isinstance(i, (list, tuple)) for i in items):
                return ":".join(_number_text(i) for i in items)
            return ",".join(":".join(_number_text(j) for j in i) if isinstance(i, (list, tuple)) else _number_text(i)
                            for i in items)
        return _number_text(value)
    except TypeError as error:
        raise TypeError(f"option '{keyword}' ({field}) takes {value_name or 'True or False'}, got {error.args[0]}: "
                        f"{value!r}") from None


def _as_frame(data: Any) -> pd.DataFrame:
    """A DataFrame, a dict of columns, a NumPy structured array, or (2-D array, column names)."""
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Mapping):
        return pd.DataFrame({str(k): (v if isinstance(v, pd.Series) else np.asarray(v)) for k, v in data.items()},
                            copy=False)
    if isinstance(data, np.ndarray) and data.dtype.names:
        return pd.DataFrame({name: data[name] for name in data.dtype.names}, copy=False)
    if isinstance(data, tuple) and len(data) == 2:
        array, names = np.asarray(data[0]), list(data[1])
        if array.ndim != 2 or array.shape[1] != len(names):
            raise Error(f"a 2-D array with {len(names)} names needs {len(names)} columns, got shape {array.shape}")
        # Columns as views of the array (no copy): the engine reads them with their stride.
        return pd.DataFrame({name: array[:, j] for j, name in enumerate(names)}, copy=False)
    raise TypeError("data must be a pandas DataFrame, a dict of columns, a NumPy structured array or "
                    f"(2-D array, column names), got {type(data).__name__}")


def _column_reader(frame: pd.DataFrame) -> Callable[[str, str], Any]:
    def column(name: str, kind: str) -> Any:
        if name not in frame.columns:
            shown = ", ".join(map(str, list(frame.columns)[:30])) + (", ..." if len(frame.columns) > 30 else "")
            raise Error(f"{_SOURCE_NAME} has no column '{name}' (it has: {shown})")
        series = frame[name]
        if isinstance(series, pd.DataFrame):
            raise Error(f"{_SOURCE_NAME} has more than one column called '{name}'")
        dtype = series.dtype
        if kind == "group":
            if isinstance(dtype, pd.CategoricalDtype):
                codes = series.cat.codes.to_numpy()
                labels = [_label(c) for c in series.cat.categories]
            else:
                codes, uniques = pd.factorize(series, use_na_sentinel=True)
                labels = [_label(u) for u in uniques]
            return (codes.astype(np.int32, copy=False).tolist(), labels)
        if isinstance(dtype, pd.CategoricalDtype) or dtype == object or pd.api.types.is_string_dtype(dtype) \
                or pd.api.types.is_bool_dtype(dtype) or not pd.api.types.is_numeric_dtype(dtype):
            raise Error(f"{_SOURCE_NAME}: column '{name}' is not numeric (its type is {dtype}); "
                        "indicators, case weights and gap columns take numbers (NaN for a missing answer)")
        if dtype == np.float64:
            return series.to_numpy(copy=False)  # a view: read in place
        # Integer (with pandas' NA) and float32 columns: converted once, NA as NaN.
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    return column


def _label(value: Any) -> str:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return str(int(value))
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return str(int(value))  # 2.0 is group "2", as a CSV file would spell it
    return str(value)


class _TerminalProgress:
    """A one-line bar on stderr: stage [#####.....] done/total."""

    def __init__(self) -> None:
        self.drawn = False

    def __call__(self, stage: Optional[str], done: int, total: int) -> None:
        if stage is None:
            if self.drawn:
                sys.stderr.write("\n")
                self.drawn = False
            return
        width = 30
        filled = width * done // total if total > 0 else width
        sys.stderr.write(f"\r{stage} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} ")
        sys.stderr.flush()
        self.drawn = True


def estimate(model: str, data: Any, *, progress: Union[bool, Callable[[Optional[str], int, int], None], None] = None,
             **options: Any) -> "Result":
    """Estimates a PLS path model (a study, as ``csipls estimate`` runs it) and returns its Result.

    model: lavaan syntax (``Satisfaction =~ CUSA1 + CUSA2``; ``Loyalty ~ Satisfaction``) or the
        path of a model file.
    data: a pandas DataFrame (or a dict of columns, a NumPy structured array, or a tuple of a 2-D
        array and its column names). Indicators numeric, NaN a missing answer; the group column
        (``group=``) may be categorical, text or numbers. float64 columns are read in place.
    progress: True draws a bar on stderr during long stages (bootstrap, fit test, groups); a
        callable gets (stage, done, total) every 0.1 s and (None, 0, 0) at the end; None (the
        default) draws the bar when stderr is a terminal. Ctrl-C stops the run (KeyboardInterrupt).
    **options: every option of the engine, by its name with '.' as '_' (``bootstrap_resamples``,
        ``estimation_scheme``) or its CLI flag with '-' as '_' (``bootstrap``, ``scheme``, ``ci_level``,
        ``scale``); plus ``weights`` (case weights column) and ``missing`` (the treatment: listwise,
        mean, pairwise, em). ``csipls.options()`` lists them. Values: numbers, True/False, text, a
        pair for MIN:MAX (``scale=(1, 10)``), a list for lists (``missing_codes=[-99]``).

    Raises csipls.Error (a ValueError) with the engine's message for bad models, data or options;
    TypeError for an unknown option or a value of an unusable type.
    """
    texts = {}
    for keyword, value in options.items():
        if value is None:
            continue
        field = _field_of(keyword)
        if field in texts:
            raise TypeError(f"option '{keyword}' is given twice (as another name of {field})")
        texts[field] = _option_text(keyword, field, value)
    if not isinstance(model, str):
        raise TypeError(f"model must be lavaan text or a file path (str), got {type(model).__name__}")
    frame = _as_frame(data)
    if progress is None:
        progress = sys.stderr is not None and hasattr(sys.stderr, "isatty") and sys.stderr.isatty()
    callback = _TerminalProgress() if progress is True else (progress or None)
    study = _native.estimate(model, texts, len(frame), _SOURCE_NAME, _column_reader(frame), callback)
    return Result(study)


def _table(value: Any) -> Any:
    """A part of the JSON result as a DataFrame where it is a table: a list of records; a matrix
    (rows, cols, values); a mapping of names to records of numbers. Other mappings part by part;
    anything else as it is."""
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return pd.DataFrame.from_records(value)
    if isinstance(value, dict):
        if set(value) == {"rows", "cols", "values"}:
            return pd.DataFrame(value["values"], index=value["rows"], columns=value["cols"], dtype=float)
        if value and all(isinstance(v, dict) for v in value.values()):
            inner = list(value.values())
            if all(not isinstance(x, (dict, list)) for v in inner for x in v.values()):
                return pd.DataFrame.from_dict(value, orient="index")
        return {key: _table(part) for key, part in value.items()}  # e.g. groups: results, differences
    return value


class Result:
    """One study's result. Its tables are DataFrames named as in the JSON result:

    paths (from, to, estimate; with a bootstrap also boot_mean, bias, se, t, p, ci_lower, ci_upper),
    r2 (construct, r2, r2_adj), indices (construct, index), outer_weights / weights and loadings
    (construct, indicator, estimate, ...), reliability, htmt, fit, f2, vif_structural, effects,
    groups, mga, micom and every other part of the JSON result (``result.parts()``), as the
    library adds them.
    """

    def __init__(self, study: Any) -> None:
        self._study = study
        self._dict: Optional[dict] = None
        self._tables: dict = {}

    def to_json(self) -> str:
        """The JSON result, the same bytes as ``csipls estimate --out`` writes (without its final newline)."""
        return self._study.json()

    def to_dict(self) -> dict:
        """The JSON result as Python objects (numbers as the engine computed them, bit for bit)."""
        if self._dict is None:
            self._dict = json.loads(self._study.json())
        return self._dict

    def summary(self) -> str:
        """The readable summary ``csipls estimate`` prints."""
        return self._study.summary()

    @property
    def converged(self) -> bool:
        return self._study.converged()

    @property
    def warnings(self) -> list:
        return self._study.warnings()

    def scores(self) -> pd.DataFrame:
        """Construct scores per respondent (unit variance; NaN for rows a listwise treatment left out)."""
        values, names = self._study.scores()
        return pd.DataFrame(values, columns=names)

    def parts(self) -> list:
        """The names of the result's parts (the JSON result's keys and paths, r2, indices, weights)."""
        return sorted(set(self.to_dict()) | {"paths", "r2", "indices", "weights"})

    def _bootstrapped(self, name: str) -> Optional[pd.DataFrame]:
        boot = self.to_dict().get("bootstrap")
        return pd.DataFrame.from_records(boot[name]) if boot and boot.get(name) else None

    def _make(self, name: str) -> Any:
        d = self.to_dict()
        if name == "paths":
            return self._bootstrapped("paths") if "bootstrap" in d else pd.DataFrame.from_records(
                d["paths"], columns=["from", "to", "estimate"])
        if name in ("outer_weights", "weights", "loadings"):
            key = "outer_weights" if name == "weights" else name
            boot = self._bootstrapped(key)
            if boot is not None:
                return boot
            return pd.DataFrame([(c, i, v) for c, block in d[key].items() for i, v in block.items()],
                                columns=["construct", "indicator", "estimate"])
        if name == "r2":
            return pd.DataFrame([(c, v, d["r2_adj"][c]) for c, v in d["r2"].items()], columns=["construct", "r2", "r2_adj"])
        if name == "indices":
            values = d.get("csi_index", {}).get("values", {})
            return pd.DataFrame(list(values.items()), columns=["construct", "index"])
        if name == "reliability":
            return pd.DataFrame(d["reliability"]).rename_axis("construct").reset_index()
        if name in d:
            return _table(d[name])
        raise AttributeError(f"the result has no part '{name}' (it has: {', '.join(self.parts())})")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._tables:
            self._tables[name] = self._make(name)
        return self._tables[name]

    def __repr__(self) -> str:
        d = self.to_dict()
        return (f"<csipls.Result: {len(d.get('constructs', []))} constructs, {d.get('n_obs')} respondents, "
                f"{'converged' if self.converged else 'NOT converged'}; .summary() for the tables>")


def simulate(model: str, n: int = 250, *, seed: int = 1, discrete: bool = True, scale: Sequence[int] = (1, 10),
             centre: float = 0.7, default_loading: float = 0.8, default_path: float = 0.3, groups: int = 0,
             group_spread: float = 0.1) -> pd.DataFrame:
    """Survey-like data from the model's population values (``csipls simulate``): n respondents
    (per group with groups > 0, in a 'company' column), indicators in model order."""
    settings = _native.SimulationOptions()
    for name, value in dict(n=int(n), seed=int(seed), discrete=bool(discrete), scale_min=int(scale[0]), scale_max=int(scale[1]),
                            centre=float(centre), default_loading=float(default_loading), default_path=float(default_path),
                            groups=int(groups), group_spread=float(group_spread)).items():
        setattr(settings, name, value)
    values, columns, group_labels = _native.simulate(model, settings)
    frame = pd.DataFrame(values, columns=columns)
    if group_labels:
        frame.insert(0, "company", pd.Categorical(group_labels))
    return frame


def report(result: Result, path: str) -> None:
    """Writes the HTML report of `result` to `path` (as ``csipls report``; replaced whole or not at all)."""
    if not isinstance(result, Result):
        raise TypeError(f"report() takes a csipls.Result, got {type(result).__name__}")
    _native.write_report(result._study, str(path))
