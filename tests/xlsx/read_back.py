#!/usr/bin/env python3
"""Reads a csipls Excel workbook back with openpyxl, a reader independent of the writer, and checks
it against the JSON result it was made from: every sheet's cells, laid out from the JSON here on
their own, must equal the workbook's (numbers as the same doubles, null as an empty cell), every
number must be a numeric cell with a number format, and every sheet must have a frozen, bold header
row.

usage: read_back.py WORKBOOK.xlsx RESULT.json [--sheets NAME,NAME,...]
exit 0: all equal; 1: a difference (listed); 77: openpyxl is not installed (the caller skips)."""
import json
import sys

try:
    import openpyxl
except ImportError:
    print("python3-openpyxl is not installed: the workbook cannot be read back", file=sys.stderr)
    sys.exit(77)

BOOT = ["boot_mean", "bias", "se", "t", "p", "ci_lower", "ci_upper"]
EXACT_IN_DOUBLE = 2 ** 53


def find(rows, **match):
    for row in rows or []:
        if isinstance(row, dict) and all(row.get(k) == v for k, v in match.items()):
            return row
    return {}


def boot_cells(row):
    return [row.get(name) for name in BOOT]


def fields_of(rows):
    names = []
    for row in rows:
        for key in row:
            if key not in names:
                names.append(key)
    return names


def expected_sheets(r):
    """The workbook's layout, from the JSON: {sheet: [header, rows...]}, in sheet order."""
    sheets = {}
    boot = r.get("bootstrap") if isinstance(r.get("bootstrap"), dict) else {}

    head = ["from", "to", "estimate"] + (BOOT if "paths" in boot else [])
    rows = []
    for p in r["paths"]:
        row = [p["from"], p["to"], p["estimate"]]
        if "paths" in boot:
            row += boot_cells(find(boot["paths"], **{"from": p["from"], "to": p["to"]}))
        rows.append(row)
    sheets["Paths"] = [head] + rows

    for key, sheet, value in (("outer_weights", "Outer weights", "weight"), ("loadings", "Loadings", "loading")):
        head = ["construct", "indicator", value] + (BOOT if key in boot else [])
        rows = []
        for construct, block in r[key].items():
            for indicator, v in block.items():
                row = [construct, indicator, v]
                if key in boot:
                    row += boot_cells(find(boot[key], construct=construct, indicator=indicator))
                rows.append(row)
        sheets[sheet] = [head] + rows

    if isinstance(r.get("r2"), dict):
        head = ["construct", "r2", "r2_adj"] + (BOOT if "r2" in boot else [])
        rows = []
        for construct, v in r["r2"].items():
            row = [construct, v, (r.get("r2_adj") or {}).get(construct)]
            if "r2" in boot:
                row += boot_cells(find(boot["r2"], construct=construct))
            rows.append(row)
        sheets["R2"] = [head] + rows

    if isinstance(r.get("reliability"), dict):
        measures = ["cronbach_alpha", "rho_a", "rho_c", "ave"]
        rel = r["reliability"]
        constructs = []
        for m in measures:
            for c in rel.get(m) or {}:
                if c not in constructs:
                    constructs.append(c)
        sheets["Reliability"] = [["construct"] + measures] + [
            [c] + [(rel.get(m) or {}).get(c) for m in measures] for c in constructs]

    if isinstance(r.get("htmt"), list):
        head = ["a", "b", "htmt", "htmt_absolute", "htmt2"] + (BOOT if "htmt" in boot else [])
        rows = []
        for h in r["htmt"]:
            row = [h["a"], h["b"], h.get("value"), find(r.get("htmt_absolute"), a=h["a"], b=h["b"]).get("value"),
                   find(r.get("htmt2"), a=h["a"], b=h["b"]).get("value")]
            if "htmt" in boot:
                row += boot_cells(find(boot["htmt"], a=h["a"], b=h["b"]))
            rows.append(row)
        sheets["HTMT"] = [head] + rows

    if isinstance(r.get("fit"), dict):
        test = r.get("fit_test") if isinstance(r.get("fit_test"), dict) else None
        extra = ["quantile_95", "quantile_99", "p"] if test else []
        rows = []
        for m in ("srmr", "d_uls", "d_g"):
            row = [m, r["fit"]["estimated_model"].get(m), r["fit"]["saturated_model"].get(m)]
            row += [(test.get(m) or {}).get(x) for x in extra] if test else []
            rows.append(row)
        if "gof" in r:
            rows.append(["gof", r["gof"], None] + [None] * len(extra))
        sheets["Fit"] = [["measure", "estimated_model", "saturated_model"] + extra] + rows

    index = r.get("csi_index")
    if isinstance(index, dict) and isinstance(index.get("values"), dict):
        head = ["construct", "index"] + (BOOT if "csi_index" in boot else [])
        rows = []
        for c, v in index["values"].items():
            row = [c, v]
            if "csi_index" in boot:
                row += boot_cells(find(boot["csi_index"], construct=c))
            rows.append(row)
        sheets["Indices"] = [head] + rows

    table = r.get("index_table")
    if isinstance(table, dict) and isinstance(table.get("rows"), list):
        names = table["constructs"]
        head = ["group", "level", "n_obs"] + names
        for c in names:
            head += [c + "_se", c + "_ci_lower", c + "_ci_upper"]
        rows = []
        for u in table["rows"]:
            row = [u.get("group"), u.get("level"), u.get("n_obs")] + [(u.get("index") or {}).get(c) for c in names]
            for c in names:
                row += [(u.get(part) or {}).get(c) for part in ("se", "ci_lower", "ci_upper")]
            note = u.get("error") or ""
            if not note and u.get("negative_weight"):
                note = "negative weight, index not meaningful: " + " ".join(u["negative_weight"])
            rows.append(row + [note or None])
        sheets["Index table"] = [head + ["note"]] + rows

    groups = r.get("groups") if isinstance(r.get("groups"), dict) else {}
    if isinstance(groups.get("results"), list):
        head = ["group", "n_obs", "from", "to", "estimate", "se", "p", "ci_lower", "ci_upper", "error"]
        rows = []
        for g in groups["results"]:
            if not g.get("paths"):
                rows.append([g.get("group"), g.get("n_obs")] + [None] * 7 + [g.get("error")])
                continue
            params = (g.get("bootstrap") or {}).get("parameters")
            for p in g["paths"]:
                b = find(params, kind="path", **{"from": p["from"], "to": p["to"]})
                rows.append([g["group"], g.get("n_obs"), p["from"], p["to"], p["estimate"], b.get("se"), b.get("p"),
                             b.get("ci_lower"), b.get("ci_upper"), g.get("error")])
        sheets["Groups"] = [head] + rows

    for rows, sheet in ((groups.get("differences"), "Group differences"), (r.get("micom"), "MICOM"),
                        (r.get("mga"), "MGA"), (r.get("specific_indirect_effects"), "Specific indirect effects")):
        if isinstance(rows, list) and rows:
            names = fields_of(rows)
            out = [names]
            for row in rows:
                cells = [row.get(n) for n in names]
                if sheet == "Specific indirect effects" and "route" in names:
                    i = names.index("route")
                    cells[i] = " → ".join(cells[i])
                out.append(cells)
            sheets[sheet] = out

    settings = [["setting", "value"]]

    def add(prefix, value):
        if isinstance(value, dict) and value:
            for k, v in value.items():
                if prefix == "settings" and k == "options":
                    continue
                add(prefix + "." + k, v)
            return
        settings.append([prefix, json.dumps(value, ensure_ascii=False, separators=(",", ":"))
                         if isinstance(value, (dict, list)) else value])

    add("engine", r["engine"])
    for key in ("schema_version", "input", "n_obs", "converged", "iterations", "last_weight_change"):
        if key in r:
            add(key, r[key])
    if isinstance(r.get("settings"), dict):
        add("settings", r["settings"])
        for k, v in (r["settings"].get("options") or {}).items():
            settings.append(["settings.options." + k, json.dumps(v, ensure_ascii=False, separators=(",", ":"))
                             if isinstance(v, (dict, list)) else v])
    sheets["Settings"] = settings
    return sheets


def same(expected, got):
    """Equal as the writer must keep them: doubles bit for bit, integers beyond 2^53 as their digits."""
    if isinstance(expected, bool) or isinstance(got, bool):
        return isinstance(expected, bool) and isinstance(got, bool) and expected == got
    if isinstance(expected, int) and abs(expected) > EXACT_IN_DOUBLE:
        return got == str(expected)
    if isinstance(expected, (int, float)):
        return isinstance(got, (int, float)) and float(got) == float(expected)
    if expected is None or expected == "":
        return got is None
    return expected == got


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[2], encoding="utf-8") as f:
        result = json.load(f)
    book = openpyxl.load_workbook(sys.argv[1])
    expected = expected_sheets(result)
    problems = []
    if book.sheetnames != list(expected):
        problems.append(f"sheets {book.sheetnames}, expected {list(expected)}")
    numbers = 0
    for name, grid in expected.items():
        if name not in book.sheetnames:
            continue
        sheet = book[name]
        if len(name) > 31:
            problems.append(f"{name}: sheet name longer than 31 characters")
        if sheet.freeze_panes != "A2":
            problems.append(f"{name}: frozen panes at {sheet.freeze_panes}, expected the header row (A2)")
        if sheet.max_row != len(grid) or sheet.max_column != len(grid[0]):
            problems.append(f"{name}: {sheet.max_row} x {sheet.max_column} cells, expected {len(grid)} x {len(grid[0])}")
        for r, row in enumerate(grid, start=1):
            for c, want in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                if r == 1 and not cell.font.b:
                    problems.append(f"{name}!{cell.coordinate}: the header is not bold")
                if isinstance(want, (int, float)) and not isinstance(want, bool) and abs(want) <= EXACT_IN_DOUBLE:
                    numbers += 1
                    if cell.data_type != "n":
                        problems.append(f"{name}!{cell.coordinate}: a number stored as type {cell.data_type!r}")
                    # Settings hold numbers of every kind (tolerances, counts): Excel's General fits them.
                    if name != "Settings" and cell.number_format == "General":
                        problems.append(f"{name}!{cell.coordinate}: a number without a number format")
                if not same(want, cell.value):
                    problems.append(f"{name}!{cell.coordinate}: {cell.value!r}, expected {want!r}")
    if len(sys.argv) > 4 and sys.argv[3] == "--sheets":
        wanted = sys.argv[4].split(",")
        missing = [s for s in wanted if s not in book.sheetnames]
        if missing:
            problems.append(f"sheets missing: {missing}")
    for problem in problems[:50]:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} differences", file=sys.stderr)
        return 1
    print(f"{len(expected)} sheets, {numbers} numbers equal to the JSON's")
    return 0


if __name__ == "__main__":
    sys.exit(main())
