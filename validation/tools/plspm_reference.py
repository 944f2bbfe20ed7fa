#!/usr/bin/python3
"""Independent reference implementation of PLS path modelling (PLS-PM), for cross-checking csipls.

This is NOT an established package. It is a small numpy implementation of the classic
Wold / Lohmöller PLS algorithm, written from the literature (Lohmöller 1989; Tenenhaus et al. 2005;
the documentation of plspm, semPLS, matrixpls and cSEM), without looking at the csipls engine.
It works on the raw respondent-level data, not on a correlation matrix.

Algorithm (Lohmöller's "simultaneous" variant: all blocks are updated from the previous scores):
  1. Indicators are standardized: mean 0, sample sd 1 (divisor n - 1).
  2. Start with all outer weights equal to 1; scale each block's weights so that its score
     Y_j = X_j w_j has unit sample variance (divisor n - 1).
  3. Inner weights e_ij, only for constructs i, j adjacent in the structural model (either direction):
       centroid : e_ij = sign(cor(Y_i, Y_j))
       factorial: e_ij = cor(Y_i, Y_j)
       path     : i a predecessor of j (i -> j): the coefficient of Y_i in the OLS regression of Y_j
                  on all predecessors of j;  i a successor of j (j -> i): e_ij = cor(Y_i, Y_j).
     Inner proxy: Z_j = sum_i e_ij Y_i.
  4. Outer weights:
       mode A: w_j = cov(X_j, Z_j)  (one covariance per standardized indicator of the block)
       mode B: w_j = OLS coefficients of Z_j regressed on X_j = (X_j'X_j)^-1 X_j'Z_j
     then rescale w_j so that X_j w_j has unit sample variance.
  5. Repeat 3-4 until max |w_new - w_old| < tolerance (default 1e-12; at most 1000 iterations).
  6. Final results from the scores Y = X W: path coefficients by OLS of each endogenous score on
     its predecessors' scores, R^2, adjusted R^2 = 1 - (1 - R^2)(n - 1)/(n - k - 1), loadings =
     cor(indicator, own construct score), total effects = sum over all directed routes of the
     products of path coefficients (= B + B^2 + ... for the recursive model), indirect = total - direct.
No sign correction of any kind is applied.

Usage:  /usr/bin/python3 plspm_reference.py SPEC.json OUT.json [--scheme S] [--tolerance T] [--compare REF.json]
  --scheme S        overrides the spec's inner scheme (path, centroid or factorial)
  --tolerance T     overrides the spec's convergence tolerance
  --compare REF     after writing OUT.json, prints the max abs difference per quantity against
                    another result file of the same layout (e.g. ../shared/reference/ecsi_mobi_path.json)
SPEC.json:
  {
    "data": "path/to/file.csv",      # absolute, or relative to the folder holding SPEC.json
    "blocks": [ {"name": "Image", "indicators": ["IMAG1", ...], "mode": "A"}, ... ],
    "paths": [ ["Image", "Expectation"], ... ],          # [from, to]
    "scheme": "path" | "centroid" | "factorial",
    "tolerance": 1e-12,                # optional
    "max_iterations": 1000             # optional
  }
"""

import csv
import json
import os
import sys

import numpy as np


def read_csv_columns(path, names):
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [row for row in reader if row]
    index = {name: k for k, name in enumerate(header)}
    missing = [name for name in names if name not in index]
    if missing:
        raise SystemExit(f"{path}: columns not found: {missing}")
    return np.array([[float(row[index[name]]) for name in names] for row in rows], dtype=float)


def sample_cor(a, b):
    a = a - a.mean()
    b = b - b.mean()
    return float(a @ b / np.sqrt((a @ a) * (b @ b)))


def ols(y, X):
    """OLS coefficients of y on the columns of X (no intercept: everything here has mean 0)."""
    return np.linalg.solve(X.T @ X, X.T @ y)


def unit_variance(w, X):
    """Rescale weight vector w so that X w has sample variance 1 (divisor n - 1)."""
    y = X @ w
    return w / np.std(y, ddof=1)


class Model:
    def __init__(self, spec):
        self.names = [b["name"] for b in spec["blocks"]]
        self.indicators = [list(b["indicators"]) for b in spec["blocks"]]
        self.modes = [b.get("mode", "A").upper() for b in spec["blocks"]]
        for m in self.modes:
            if m not in ("A", "B"):
                raise SystemExit(f"unknown mode {m}")
        self.index = {n: j for j, n in enumerate(self.names)}
        self.J = len(self.names)
        # D[i, j] = 1 if i -> j
        self.D = np.zeros((self.J, self.J), dtype=int)
        self.path_list = []
        for frm, to in spec["paths"]:
            self.D[self.index[frm], self.index[to]] = 1
            self.path_list.append((frm, to))
        self.scheme = spec["scheme"]
        if self.scheme not in ("path", "centroid", "factorial"):
            raise SystemExit(f"unknown scheme {self.scheme}")
        # recursive (acyclic) check: D nilpotent
        P = np.eye(self.J, dtype=int)
        for _ in range(self.J):
            P = (P @ self.D > 0).astype(int)
        if P.any():
            raise SystemExit("the structural model is not recursive (it has a cycle)")

    def predecessors(self, j):
        return [i for i in range(self.J) if self.D[i, j]]

    def successors(self, j):
        return [i for i in range(self.J) if self.D[j, i]]


def inner_weights(model, Y):
    """E[i, j] = weight of construct i in the inner proxy of construct j."""
    J = model.J
    E = np.zeros((J, J))
    R = np.corrcoef(Y, rowvar=False)
    adjacent = (model.D + model.D.T) > 0
    for j in range(J):
        if model.scheme == "centroid":
            for i in range(J):
                if adjacent[i, j]:
                    E[i, j] = np.sign(R[i, j])
        elif model.scheme == "factorial":
            for i in range(J):
                if adjacent[i, j]:
                    E[i, j] = R[i, j]
        else:  # path weighting
            pred = model.predecessors(j)
            if pred:
                E[pred, j] = ols(Y[:, j], Y[:, pred])
            for i in model.successors(j):
                E[i, j] = R[i, j]
    return E


def estimate(model, X_by_block, tolerance=1e-12, max_iterations=1000):
    n = X_by_block[0].shape[0]
    J = model.J
    # step 2: unit starting weights, scaled to unit score variance
    w = [unit_variance(np.ones(X.shape[1]), X) for X in X_by_block]
    converged = False
    iterations = 0
    for iteration in range(1, max_iterations + 1):
        Y = np.column_stack([X @ wj for X, wj in zip(X_by_block, w)])
        E = inner_weights(model, Y)
        Z = Y @ E  # column j = sum_i e_ij Y_i
        w_new = []
        for j, X in enumerate(X_by_block):
            z = Z[:, j]
            if model.modes[j] == "A":
                wj = (X - X.mean(axis=0)).T @ (z - z.mean()) / (n - 1)
            else:
                wj = ols(z - z.mean(), X)
            w_new.append(unit_variance(wj, X))
        change = max(float(np.max(np.abs(a - b))) for a, b in zip(w_new, w))
        w = w_new
        iterations = iteration
        if change < tolerance:
            converged = True
            break
    Y = np.column_stack([X @ wj for X, wj in zip(X_by_block, w)])
    return w, Y, iterations, converged, change


def compare(ours, ref):
    """Max abs difference per quantity, over the entries present in both."""
    def flat(obj, prefix=""):
        if isinstance(obj, dict):
            for k, v in obj.items():
                yield from flat(v, f"{prefix}.{k}")
        elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
            yield prefix, float(obj)

    def effects(lst):
        return {(e["from"], e["to"]): e["estimate"] for e in lst}

    report = {}
    for key in ("paths", "indirect_effects", "total_effects"):
        if key in ref:
            a, b = effects(ours[key]), effects(ref[key])
            if set(a) != set(b):
                print(f"  {key}: different (from, to) pairs: ours only {sorted(set(a) - set(b))}, "
                      f"reference only {sorted(set(b) - set(a))}")
            common = set(a) & set(b)
            report[key] = (max(abs(a[p] - b[p]) for p in common), len(common))
    for key in ("outer_weights", "loadings", "r2", "r2_adj"):
        if key in ref:
            a, b = dict(flat(ours[key])), dict(flat(ref[key]))
            if set(a) != set(b):
                print(f"  {key}: different entries: ours only {sorted(set(a) - set(b))}, "
                      f"reference only {sorted(set(b) - set(a))}")
            common = set(a) & set(b)
            report[key] = (max(abs(a[p] - b[p]) for p in common), len(common))
    if "construct_scores_first_rows" in ref:
        a = np.array(ours["construct_scores_first_rows"])
        b = np.array(ref["construct_scores_first_rows"])
        report["construct_scores_first_rows"] = (float(np.max(np.abs(a - b))), b.size)
    for key, (diff, count) in report.items():
        print(f"  {key:28s} max abs diff {diff:.3e}  ({count} values)")
    return max(d for d, _ in report.values())


def main():
    args = sys.argv[1:]
    scheme_override = compare_path = None
    if "--scheme" in args:
        k = args.index("--scheme")
        scheme_override = args[k + 1]
        del args[k:k + 2]
    if "--compare" in args:
        k = args.index("--compare")
        compare_path = args[k + 1]
        del args[k:k + 2]
    tolerance_override = None
    if "--tolerance" in args:
        k = args.index("--tolerance")
        tolerance_override = float(args[k + 1])
        del args[k:k + 2]
    if len(args) != 2:
        raise SystemExit(__doc__)
    spec_path, out_path = args
    with open(spec_path) as f:
        spec = json.load(f)
    if scheme_override:
        spec["scheme"] = scheme_override
    if tolerance_override is not None:
        spec["tolerance"] = tolerance_override
    model = Model(spec)
    tolerance = float(spec.get("tolerance", 1e-12))
    max_iterations = int(spec.get("max_iterations", 1000))

    data_path = spec["data"]
    if not os.path.isabs(data_path):
        data_path = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(spec_path)), data_path))
    all_names = [x for block in model.indicators for x in block]
    raw = read_csv_columns(data_path, all_names)
    n = raw.shape[0]
    # step 1: standardize with the sample sd
    Xall = (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1)
    X_by_block, col = [], 0
    for block in model.indicators:
        X_by_block.append(Xall[:, col:col + len(block)])
        col += len(block)

    w, Y, iterations, converged, last_change = estimate(model, X_by_block, tolerance, max_iterations)
    if not converged:
        print(f"WARNING: not converged after {iterations} iterations (last change {last_change:.3e})",
              file=sys.stderr)

    # Path coefficients, R^2, adjusted R^2
    J = model.J
    B = np.zeros((J, J))  # B[i, j] = coefficient of i -> j
    r2, r2_adj = {}, {}
    for j in range(J):
        pred = model.predecessors(j)
        if not pred:
            continue
        beta = ols(Y[:, j], Y[:, pred])
        B[pred, j] = beta
        fitted = Y[:, pred] @ beta
        resid = Y[:, j] - fitted
        yc = Y[:, j] - Y[:, j].mean()
        rsq = 1.0 - float(resid @ resid) / float(yc @ yc)
        k = len(pred)
        r2[model.names[j]] = rsq
        r2_adj[model.names[j]] = 1.0 - (1.0 - rsq) * (n - 1) / (n - k - 1)

    # Total effects: sum over routes of length >= 1; route existence from the 0/1 structure
    total = np.zeros((J, J))
    Bk = B.copy()
    reach_any = np.zeros((J, J), dtype=bool)
    reach_indirect = np.zeros((J, J), dtype=bool)
    Dk = model.D.copy()
    for length in range(1, J):
        total += Bk
        reach_any |= Dk > 0
        if length >= 2:
            reach_indirect |= Dk > 0
        Bk = Bk @ B
        Dk = (Dk @ model.D > 0).astype(int)
    indirect = total - B

    def effect_list(mask, values):
        out = []
        for j in range(J):          # grouped by target, in block order
            for i in range(J):
                if mask[i, j]:
                    out.append({"from": model.names[i], "to": model.names[j], "estimate": float(values[i, j])})
        return out

    outer_weights, loadings = {}, {}
    for j, name in enumerate(model.names):
        outer_weights[name] = {ind: float(v) for ind, v in zip(model.indicators[j], w[j])}
        loadings[name] = {ind: sample_cor(X_by_block[j][:, k], Y[:, j])
                          for k, ind in enumerate(model.indicators[j])}

    modes_text = ", ".join(f"{nm} {md}" for nm, md in zip(model.names, model.modes))
    result = {
        "what": ("Independent numpy implementation of PLS path modelling (validation/tools/plspm_reference.py), "
                 "written from the literature for cross-checking csipls; NOT an established package. "
                 f"Inner scheme: {model.scheme}. Modes: {modes_text}. Indicators standardized with the sample sd "
                 "(n-1); unit starting weights; scores scaled to unit sample variance every iteration; "
                 "simultaneous (Lohmoeller) updates; converged when max |w_new - w_old| < "
                 f"{tolerance:g} (cap {max_iterations} iterations); no sign correction."),
        "data": spec["data"],
        "model": {
            "blocks": {nm: ind for nm, ind in zip(model.names, model.indicators)},
            "modes": {nm: md for nm, md in zip(model.names, model.modes)},
            "paths": [{"from": a, "to": b} for a, b in model.path_list],
        },
        "settings": {
            "inner_scheme": model.scheme,
            "standardization": "indicators standardized with the sample sd (divisor n-1); construct scores have unit sample variance",
            "starting_weights": "all ones, scaled to unit composite variance",
            "convergence": f"max |w_new - w_old| < {tolerance:g}, at most {max_iterations} iterations",
            "iterations_to_converge": iterations,
            "converged": converged,
            "last_max_weight_change": last_change,
            "sign_handling": "none",
            "n": n,
        },
        "paths": [{"from": a, "to": b, "estimate": float(B[model.index[a], model.index[b]])}
                  for a, b in model.path_list],
        "outer_weights": outer_weights,
        "loadings": loadings,
        "r2": r2,
        "r2_adj": r2_adj,
        "indirect_effects": effect_list(reach_indirect, indirect),
        "total_effects": effect_list(reach_any, total),
        "construct_scores_first_rows": [[float(v) for v in Y[r, :]] for r in range(min(5, n))],
    }
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"{out_path}: scheme {model.scheme}, {'converged' if converged else 'NOT converged'} "
          f"after {iterations} iterations (last max change {last_change:.3e})")
    if compare_path:
        with open(compare_path) as f:
            ref = json.load(f)
        print(f"comparison with {compare_path}:")
        worst = compare(result, ref)
        print(f"  overall max abs diff {worst:.3e}")


if __name__ == "__main__":
    main()
