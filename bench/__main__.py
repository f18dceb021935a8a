"""`python -m bench` runs every bench/bench_*.py module's ``run(out_dir)``; `python -m bench search`
runs bench_search only. Results (JSON) go to bench-results/."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    names = sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    wanted = argv or names
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    for name in wanted:
        started = time.perf_counter()
        print(f"== bench {name}")
        importlib.import_module(f"bench.bench_{name}").run(out_dir)
        print(f"== bench {name}: {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
