"""Run every benchmark suite and record the results in ``benchmarks/results/`` (one file each).

Usage: ``.venv/bin/python benchmarks/run_all.py [--quick]``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from security_dilemma.bench import available, machine, run_suite


def main() -> None:
    quick = "--quick" in sys.argv[1:]
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    for name in available():
        result = {
            "machine": machine(),
            "quick": quick,
            "suites": {name: run_suite(name, quick=quick)},
        }
        (out / f"{name}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
        print(f"{name}: written to {out / f'{name}.json'}")


if __name__ == "__main__":
    main()
