"""``make bench``: run every bench/bench_*.py and print its ratios."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import bench


def main() -> int:
    names = sorted(
        m.name for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_")
    )
    for name in names:
        module = importlib.import_module(f"bench.{name}")
        for comparison in module.run():
            print(comparison.line(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
