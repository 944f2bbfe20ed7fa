from typing import Any, Callable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

__version__: str

class Error(ValueError):
    """An error of the engine (bad model, data or option), with its message."""

DataLike = Union[pd.DataFrame, Mapping[str, Any], np.ndarray, Tuple[np.ndarray, Sequence[str]]]
Progress = Union[bool, Callable[[Optional[str], int, int], None], None]

def options() -> pd.DataFrame: ...
def estimate(model: str, data: DataLike, *, progress: Progress = ..., **options: Any) -> Result: ...
def simulate(model: str, n: int = ..., *, seed: int = ..., discrete: bool = ..., scale: Sequence[int] = ...,
             centre: float = ..., default_loading: float = ..., default_path: float = ..., groups: int = ...,
             group_spread: float = ...) -> pd.DataFrame: ...
def report(result: Result, path: str) -> None: ...

class Result:
    paths: pd.DataFrame
    r2: pd.DataFrame
    indices: pd.DataFrame
    weights: pd.DataFrame
    outer_weights: pd.DataFrame
    loadings: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    fit: pd.DataFrame
    @property
    def converged(self) -> bool: ...
    @property
    def warnings(self) -> list[str]: ...
    def to_json(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def summary(self) -> str: ...
    def scores(self) -> pd.DataFrame: ...
    def parts(self) -> list[str]: ...
    def __getattr__(self, name: str) -> Any: ...
