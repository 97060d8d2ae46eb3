"""Time loading and validating the shipped question bank.

Run: .venv/bin/python -m bench.bank_load [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import time

from bot.bank.loader import validate_paths
from bot.settings import PROJECT_ROOT


def main() -> int:
    """Load the bank N times; print the median and spread in milliseconds."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    timings = []
    bank = None
    for _ in range(args.runs):
        start = time.perf_counter()
        bank, problems = validate_paths([PROJECT_ROOT / "question_bank"])
        timings.append((time.perf_counter() - start) * 1000)
        assert not problems, problems
    assert bank is not None
    follow_ups = sum(len(t.descendant_ids()) for t in bank.trees.values())
    print(
        f"bank: {len(bank.questions)} questions, {follow_ups} follow-ups, "
        f"{len(bank.quickfire)} quick-fire items"
    )
    print(
        f"load + validate, {args.runs} runs: median {statistics.median(timings):.1f} ms, "
        f"min {min(timings):.1f} ms, max {max(timings):.1f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
