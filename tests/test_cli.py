"""The interview-bot command, run as a real process."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

MINI = str(DATA / "mini_bank.yaml")


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("INTERVIEW_BOT_") and k != "DISCORD_TOKEN"
    }
    env.update(
        {
            "INTERVIEW_BOT_BANK__PATHS": json.dumps([MINI]),
            "INTERVIEW_BOT_STORE__DATA_DIR": str(tmp_path / "data"),
            "INTERVIEW_BOT_QUICKFIRE__GAP_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def run(
    tmp_path: Path, *args: str, stdin: str = "", **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env_for(tmp_path, **extra),
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def spawn(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    """`interview-bot ARGS` as a live process with pipes (for conversations and signals)."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(tmp_path),
        cwd=ROOT,
    )


def attempts(tmp_path: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(tmp_path / "data" / "interview-bot.db") as db:
        return db.execute("select user_id, node_id, outcome from attempts order by id").fetchall()


def statuses(tmp_path: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(tmp_path / "data" / "interview-bot.db") as db:
        return db.execute("select host, status from sessions order by started_at").fetchall()


def test_bank_validate_ok_and_problems(tmp_path: Path) -> None:
    ok = run(tmp_path, "bank", "validate")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout == ""
    assert "3 questions (6 follow-ups), 3 quick-fire items" in ok.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - id: x\n    topic: t\n", encoding="utf-8")
    result = run(tmp_path, "bank", "validate", str(bad))
    assert result.returncode == 1
    assert f"{bad}:2: questions[0].difficulty: required field is missing" in result.stdout
    assert len(result.stdout.splitlines()) == 4  # difficulty, prompt, reference_answer, key_points


def test_bank_list_json_with_filters(tmp_path: Path) -> None:
    result = run(tmp_path, "bank", "list", "--json", "--topic", "fundamentals")
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [(i["id"], i["kind"]) for i in items] == [
        ("t-overfitting", "question"),
        ("t-qf-l1", "quickfire"),
        ("t-qf-air", "quickfire"),
    ]
    question = items[0]
    assert question["follow_up_count"] == 3
    assert question["key_points"] == [
        "Fits noise in the training data",
        "Poor performance on unseen data",
        "Regularization or cross-validation prevents it",
    ]
    assert question["tips"] == ["Tie it to the bias-variance tradeoff."]
    assert {"prompt", "reference_answer", "difficulty", "topic"} <= set(question)
    hard = json.loads(run(tmp_path, "bank", "list", "--json", "--difficulty", "advanced").stdout)
    assert [i["id"] for i in hard] == ["t-backprop"]


def test_grade_json(tmp_path: Path) -> None:
    answer = tmp_path / "answer.txt"
    answer.write_text("It memorises the noise in the training data and fails on unseen data.")
    result = run(tmp_path, "grade", "t-overfitting", "--answer-file", str(answer), "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["question_id"] == "t-overfitting"
    assert payload["score"] == pytest.approx(0.75)
    assert payload["covered"] == [
        "Fits noise in the training data",
        "Poor performance on unseen data",
    ]
    assert payload["missed"] == ["Regularization or cross-validation prevents it"]
    assert [(p["id"], p["status"], p["evidence"]) for p in payload["points"]] == [
        ("definition", "covered", "memorises the noise"),
        ("generalisation", "covered", "unseen data"),
        ("prevention", "missed", None),
    ]
    assert payload["next_follow_up"] == {
        "id": "t-overfitting-prevention",
        "prompt": "Name two ways to prevent overfitting.",
    }


def test_grade_unknown_id_and_unreadable_file(tmp_path: Path) -> None:
    result = run(tmp_path, "grade", "nope", "--answer-file", "-", "--json", stdin="x")
    assert result.returncode == 2
    assert "no question or quick-fire item with the id 'nope'" in result.stderr
    result = run(tmp_path, "grade", "t-kmeans", "--answer-file", str(tmp_path / "missing"))
    assert result.returncode == 2
    assert "cannot be read" in result.stderr


def test_practice_solo_through_stdin(tmp_path: Path) -> None:
    lines = [
        "It memorises the noise in the training data and fails on unseen data.",
        "/hint",
        "Regularization with a penalty on the weights.",
        "L1 makes some weights exactly zero so the model is sparse, L2 shrinks them.",
        "It is a high variance model.",
        "",
        "/quit",
    ]
    result = run(
        tmp_path,
        "practice",
        "--topic",
        "fundamentals",
        "--user",
        "ada",
        stdin="\n".join(lines) + "\n",
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Question 1/1 · fundamentals · beginner" in out
    assert "[Not yet covered: Regularization or cross-validation prevents it]" in out
    assert "💡 Think about: Regularization" in out
    assert "How do L1 and L2 regularization differ?" in out
    assert "━━ Reveal" in out
    assert "Session over (completed)" in out
    assert [a[1] for a in attempts(tmp_path)] == [
        "t-overfitting",
        "t-overfitting-prevention",
        "t-overfitting-l1-l2",
        "t-overfitting-variance",
    ]


def test_practice_quickfire_through_stdin(tmp_path: Path) -> None:
    answers = {
        "Which penalty gives sparse weights?": "lasso",
        "What do we breathe?": "chair",
        "Name a boosting library.": "XGBoost",
    }
    proc = spawn(tmp_path, "practice", "--mode", "quickfire", "--user", "ada")
    assert proc.stdin is not None
    assert proc.stdout is not None
    seen = []
    for line in proc.stdout:
        seen.append(line)
        for prompt, answer in answers.items():
            if prompt in line:
                proc.stdin.write(answer + "\n")
                proc.stdin.flush()
        if "Session over" in line:
            break
    proc.stdin.close()
    out = "".join(seen) + proc.stdout.read()
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.stderr is not None
    proc.stderr.close()
    assert proc.returncode == 0
    assert out.count("✅ correct") == 2
    assert "❌ not quite" in out
    assert "ada: 2 correct, best streak" in out
    assert sorted(a[2] for a in attempts(tmp_path)) == ["correct", "correct", "wrong"]


def test_start_without_token_falls_back_to_practice(tmp_path: Path) -> None:
    result = run(tmp_path, "start", stdin="/quit\n")
    assert result.returncode == 0
    assert "DISCORD_TOKEN is not set, so interview-bot starts terminal practice" in result.stderr
    assert "Question 1/" in result.stdout


def test_bad_setting_fails_with_one_sentence(tmp_path: Path) -> None:
    result = run(tmp_path, "bank", "list", INTERVIEW_BOT_ENGINE__MAX_FOLLOW_UPS="many")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "interview-bot: Invalid setting engine.max_follow_ups (environment: "
        "INTERVIEW_BOT_ENGINE__MAX_FOLLOW_UPS): input should be a valid integer, unable to "
        "parse string as an integer"
    ]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_answers_survive_the_process_being_stopped(tmp_path: Path, sig: signal.Signals) -> None:
    proc = spawn(tmp_path, "practice", "--topic", "deep-learning", "--user", "ada")
    assert proc.stdin is not None
    assert proc.stdout is not None
    proc.stdin.write("Backprop applies the chain rule to get gradients of the loss.\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    for line in proc.stdout:
        if "Follow-up" in line or time.monotonic() > deadline:
            break
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert "Everything you answered is saved." in err
    assert attempts(tmp_path) == [("ada", "t-backprop", "answered")]
    killed = sig == signal.SIGKILL
    assert statuses(tmp_path) == [("ada", "running" if killed else "ended")]
    run(tmp_path, "practice", "--topic", "deep-learning", "--user", "ada", stdin="/quit\n")
    # the next start marks a killed session interrupted; nothing stays "running"
    assert statuses(tmp_path) == [("ada", "interrupted" if killed else "ended"), ("ada", "ended")]


def test_run_without_token_says_how_to_get_one(tmp_path: Path) -> None:
    result = run(tmp_path, "run")
    assert result.returncode == 2
    assert result.stderr.strip().startswith("DISCORD_TOKEN is not set: create an application")
    assert len(result.stderr.strip().splitlines()) == 1


def test_practice_review_asks_what_is_due(tmp_path: Path) -> None:
    nothing = run(tmp_path, "practice", "--review", "--user", "ada")
    assert nothing.returncode == 2
    assert "You have no answered questions to review yet" in nothing.stderr
    run(tmp_path, "practice", "--topic", "deep-learning", "--user", "ada", stdin="/skip\n/quit\n")
    # a skip is rated Again: due again one minute later; the review waits until then
    soon = run(tmp_path, "practice", "--review", "--user", "ada")
    assert "the next question comes due" in soon.stderr
