"""Fuzzed command lines (in process): an exit code and at most a sentence, never a traceback."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from unittest import mock

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.cli import main
from tests.conftest import DATA
from tests.fuzz.common import FUZZ

WORDS = st.one_of(
    st.sampled_from(
        ("bank", "list", "grade", "--json", "--topic", "--difficulty", "--answer-file", "-",
         "--questions", "--mode", "quickfire", "t-overfitting", "t-qf-l1", "t-overfitting-l1-l2",
         "advanced", "Deep Learning", "--config", "/nonexistent.toml", "0", "-3", "--help")
    ),
    st.text(max_size=10),
).map(lambda word: word.replace("\x00", ""))  # fmt: skip


def _never_starts_a_session(argv: list[str]) -> bool:
    """Leave out the commands that would wait on a terminal or reach for Discord or a model."""
    first = next((word for word in argv if not word.startswith("-")), None)
    return first in ("bank", "grade") or (first is None and "--help" not in argv)


def _run(argv: list[str], stdin: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        environment = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("INTERVIEW_BOT_") and k != "DISCORD_TOKEN"
        }
        environment |= {
            "INTERVIEW_BOT_BANK__PATHS": str(DATA / "mini_bank.yaml"),
            "INTERVIEW_BOT_STORE__DATA_DIR": folder,
        }
        with (
            mock.patch.dict(os.environ, environment, clear=True),
            mock.patch.object(sys, "stdin", io.StringIO(stdin)),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = main(argv)
            except SystemExit as stop:  # argparse: --help, or a usage mistake
                code = stop.code if isinstance(stop.code, int) else 2
    return code, err.getvalue()


@settings(FUZZ, max_examples=200)
@given(
    command=st.sampled_from((["bank", "list"], ["grade"], ["bank"], [])),
    words=st.lists(WORDS, max_size=6),
    stdin=st.text(max_size=200),
)
def test_fuzzed_command_lines(command: list[str], words: list[str], stdin: str) -> None:
    argv = command + words
    assume(_never_starts_a_session(argv))
    code, err = _run(argv, stdin)
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
