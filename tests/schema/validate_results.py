#!/usr/bin/env python3
"""Validates JSON results against the result schema: validate_results.py SCHEMA RESULT.json..."""
import json
import sys

import jsonschema


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    failed = 0
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            result = json.load(f)
        errors = sorted(validator.iter_errors(result), key=lambda e: list(e.absolute_path))
        for error in errors[:5]:
            where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
            print(f"{path}: {where}: {error.message[:300]}", file=sys.stderr)
        failed += bool(errors)
    print(f"{len(sys.argv) - 2 - failed} of {len(sys.argv) - 2} results valid against {sys.argv[1]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
