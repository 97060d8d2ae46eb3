"""Mutated bank files: always problem lines (`file:line: field: message`) or a bank, never an
exception, and quickly."""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

from hypothesis import given, settings

from bot.bank.loader import validate_paths
from tests.conftest import DATA, ROOT
from tests.fuzz.common import FUZZ, mutated

SEEDS = (
    (DATA / "mini_bank.yaml").read_text(encoding="utf-8"),
    (ROOT / "question_bank" / "strategy.yaml").read_text(encoding="utf-8"),
    "a: &a [1, 2]\nquestions: *a\n",
)
WORST_SECONDS = 2.0
FUZZ_BANK = settings(
    FUZZ, max_examples=200
)  # a mutated small file; the shipped bank of 730 KB loads in about 0.2 s


@FUZZ_BANK
@given(text=mutated(SEEDS))
def test_mutated_bank_files_give_problem_lines(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bank.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        start = time.perf_counter()
        bank, problems = validate_paths([path])
        elapsed = time.perf_counter() - start
    assert elapsed < WORST_SECONDS
    assert (bank is None) == bool(problems)
    line = re.compile(rf"^{re.escape(str(path))}:(\d+): (.+?): (.+)$", re.DOTALL)
    for problem in problems:
        found = line.match(str(problem))
        assert found, str(problem)
        assert 0 <= int(found[1]) <= len(text.splitlines()) + 2, str(problem)  # YAML breaks too
