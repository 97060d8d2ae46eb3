"""Terminal practice on a real terminal (a pty) and through a pipe: prompt, colour, live
countdown and the summary on one; plain lines on the other."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import ROOT
from tests.test_cli import env_for, run

ESC = "\x1b["
ANSWER = "It memorises the noise in the training data and fails on unseen data."


def on_a_terminal(tmp_path: Path, args: list[str], lines: list[str]) -> str:
    """Run `interview-bot ARGS` with its stdout on a pty, typing `lines` once it waits."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.PIPE,
        stdout=follower,
        stderr=subprocess.DEVNULL,
        env=env_for(tmp_path, TERM="xterm-256color", COLUMNS="100"),
        cwd=ROOT,
    )
    os.close(follower)
    assert proc.stdin is not None
    seen = b""
    deadline = time.monotonic() + 60
    pending = list(lines)
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the process closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if pending and "› ".encode() in seen.split(b"\n")[-1]:
            proc.stdin.write((pending.pop(0) + "\n").encode())
            proc.stdin.flush()
        if proc.poll() is not None and not ready:
            break
    proc.stdin.close()
    proc.wait(timeout=30)
    os.close(leader)
    return seen.decode("utf-8", errors="replace")


def test_solo_on_a_terminal_has_colour_a_prompt_and_a_summary(tmp_path: Path) -> None:
    out = on_a_terminal(
        tmp_path, ["practice", "--topic", "fundamentals"], [ANSWER, "/done", "", "/quit"]
    )
    assert ESC in out  # colour
    assert "› " in out  # the prompt
    assert "\x1b[32m  ✔ Fits noise in the training data" in out  # covered in green
    assert "\x1b[31m  ✘ Regularization or cross-validation prevents it" in out  # missed in red
    assert "Each question's score:" in out
    assert "times (double), each follow-up once" in out


def test_quickfire_countdown_is_live_on_a_terminal(tmp_path: Path) -> None:
    out = on_a_terminal(
        tmp_path,
        ["practice", "--mode", "quickfire", "--questions", "1", "--topic", "fundamentals"],
        [],
    )
    # the countdown line is redrawn in place, once a second, until the item times out
    assert out.count("s left") >= 5
    assert "\x1b[2K" in out  # erase-line: redrawn, not appended


def test_piped_output_is_plain_lines(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--topic", "fundamentals", stdin=f"{ANSWER}\n/done\n\n")
    assert result.returncode == 0, result.stderr
    assert ESC not in result.stdout
    assert "› " not in result.stdout  # no prompt when nobody is looking
    assert "  ✔ Fits noise in the training data" in result.stdout
    assert "Each question's score:\n  1.  " in result.stdout
    assert "your answer to the question itself counts 2\ntimes (double)" in result.stdout
