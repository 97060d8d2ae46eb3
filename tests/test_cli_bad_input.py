"""Each bad input found by fuzzing and by trying the CLI as a new user (issue 10): one clear
sentence, the right exit code, nothing lost, and never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.test_cli import MINI, attempts, env_for, run

TOPICS = "the topics are: classic-algorithms, deep-learning, fundamentals."


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert "Traceback" not in result.stdout


@pytest.mark.parametrize("count", ["0", "-3", "51", "many"])
@pytest.mark.parametrize("mode", ["solo", "quickfire"])
def test_question_counts_out_of_range_are_refused(tmp_path: Path, count: str, mode: str) -> None:
    result = run(tmp_path, "practice", "--mode", mode, "--questions", count, stdin="/quit\n")
    assert result.returncode == 2
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("interview-bot practice: argument --questions: ")
    assert "from 1 to 50" in line or "is not a whole number" in line
    assert result.stdout == ""


def into_closed_pipe(tmp_path: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    """`interview-bot ARGS | head -0`: the reader is gone before anything is printed."""
    with subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env_for(tmp_path),
        cwd=ROOT,
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        assert proc.stderr is not None
        proc.stdout.close()
        proc.stdin.write(stdin)
        proc.stdin.close()
        err = proc.stderr.read()
        return proc.wait(timeout=60), err


@pytest.mark.parametrize(
    ("args", "stdin"),
    [
        (("bank", "list", "--json"), ""),
        (("bank", "list"), ""),
        (("grade", "t-overfitting", "--answer-file", "-"), "It fits the noise."),
    ],
)
def test_a_closed_pipe_is_not_a_traceback(tmp_path: Path, args: tuple[str], stdin: str) -> None:
    code, err = into_closed_pipe(tmp_path, *args, stdin=stdin)
    assert err == ""
    assert code == 141  # as a shell reports a command that a closed pipe stopped


def test_bank_list_of_an_unknown_topic_lists_the_topics(tmp_path: Path) -> None:
    result = run(tmp_path, "bank", "list", "--topic", "nosuch")
    assert result.returncode == 2
    assert result.stderr == f"interview-bot: There is no topic 'nosuch'; {TOPICS}\n"


def test_practice_of_an_unknown_topic_says_nothing_else(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--topic", "nosuch", stdin="/quit\n")
    assert result.returncode == 2
    assert result.stdout == ""  # no banner
    assert result.stderr == f"interview-bot: There is no topic 'nosuch'; {TOPICS}\n"


@pytest.mark.parametrize("typed", ["Deep Learning", "deep_learning", "DEEP-LEARNING"])
def test_a_topic_as_people_write_it(tmp_path: Path, typed: str) -> None:
    result = run(tmp_path, "practice", "--topic", typed, stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "Question 1/1 · deep-learning" in result.stdout
    listed = json.loads(run(tmp_path, "bank", "list", "--json", "--topic", typed).stdout)
    assert [item["id"] for item in listed] == ["t-backprop"]


def test_quickfire_with_a_missing_difficulty_names_those_there_are(tmp_path: Path) -> None:
    result = run(tmp_path, "practice", "--mode", "quickfire", "--difficulty", "advanced")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "interview-bot: The bank has no advanced quick-fire items to ask "
        "(there are beginner, intermediate ones).\n"
    )
    result = run(
        tmp_path, "practice", "--mode", "quickfire", "--topic", "fundamentals", "--difficulty",
        "intermediate",
    )  # fmt: skip
    assert result.stderr == (
        "interview-bot: The bank has no intermediate fundamentals quick-fire items to ask "
        "(there are beginner ones).\n"
    )


def test_grade_applies_the_answer_length_limit(tmp_path: Path) -> None:
    result = run(tmp_path, "grade", "t-overfitting", "--answer-file", "-", stdin="word " * 200_000)
    assert result.returncode == 2
    assert result.stderr == (
        "interview-bot: The answer is 1,000,000 characters long; the limit is 4,000 "
        "(engine.max_answer_chars).\n"
    )


def test_follow_up_ids_are_listed_and_quickfire_ids_graded(tmp_path: Path) -> None:
    listing = run(tmp_path, "bank", "list")
    assert "  ↳ t-overfitting-prevention" in listing.stdout
    rows = json.loads(run(tmp_path, "bank", "list", "--json").stdout)
    follow_ups = {f["id"] for row in rows for f in row.get("follow_ups", ())}
    assert "t-overfitting-l1-l2" in follow_ups
    graded = run(tmp_path, "grade", "t-overfitting-l1-l2", "--answer-file", "-", stdin="L1")
    assert graded.returncode == 0, graded.stderr
    quick = run(tmp_path, "grade", "t-qf-l1", "--answer-file", "-", "--json", stdin="lasso")
    assert quick.returncode == 0, quick.stderr
    assert json.loads(quick.stdout)["correct"] is True
    wrong = run(tmp_path, "grade", "t-qf-l1", "--answer-file", "-", stdin="ridge")
    assert wrong.stdout == "t-qf-l1: not quite: the answer is L1\n"


def test_practice_from_dev_null_ends_at_once(tmp_path: Path) -> None:
    with open(os.devnull, encoding="utf-8") as nothing:
        result = subprocess.run(
            [sys.executable, "-m", "bot", "practice", "--topic", "deep-learning"],
            stdin=nothing,
            capture_output=True,
            text=True,
            env=env_for(tmp_path),
            cwd=ROOT,
            timeout=30,  # the question's time limit is 120 s; it used to be waited out
            check=False,
        )
    no_traceback(result)
    assert result.returncode == 0
    assert "Input ended, so the session ends here." in result.stderr


def test_saved_in_shows_the_file_and_start_takes_practice_options(tmp_path: Path) -> None:
    result = run(tmp_path, "start", "--mode", "quickfire", "--questions", "1", stdin="/quit\n")
    assert result.returncode == 0, result.stderr
    assert "⚡ [1/1]" in result.stdout
    database = tmp_path / "data" / "interview-bot.db"
    assert f"Your answers are saved in {database}." in result.stderr
    assert "sqlite+aiosqlite" not in result.stderr


def test_quickfire_hint_repeat_and_commands_in_the_gap(tmp_path: Path) -> None:
    env = env_for(tmp_path, INTERVIEW_BOT_QUICKFIRE__GAP_SECONDS="3")
    answers = {
        "Which penalty gives sparse weights?": "lasso",
        "What do we breathe?": "air",
        "Name a boosting library.": "XGBoost",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "practice", "--mode", "quickfire", "--user", "ada"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert proc.stdin is not None
    assert proc.stdout is not None

    def send(line: str) -> None:
        assert proc.stdin is not None
        proc.stdin.write(line + "\n")
        proc.stdin.flush()

    seen: list[str] = []
    first = True
    for line in proc.stdout:
        seen.append(line)
        for prompt, answer in answers.items():
            if prompt in line and "⚡" in line and len([s for s in seen if prompt in s]) == 1:
                if first:
                    send("/hint")
                    send("/repeat")
                    first = False
                send(answer)
        if line.startswith("   Answer:") and len([s for s in seen if "Answer:" in s]) == 1:
            send("/skip")  # typed in the gap: must not skip the next item
        if "Session over" in line:
            break
    proc.stdin.close()
    out = "".join(seen) + proc.stdout.read()
    proc.wait(timeout=30)
    proc.stdout.close()
    assert proc.stderr is not None
    err = proc.stderr.read()
    proc.stderr.close()
    assert "Traceback" not in err
    assert "This kind of session has no hints." in out
    assert "No item is open right now; the next one comes in a moment." in out
    assert "❌" not in out  # neither /hint nor /repeat was graded as an answer
    assert out.count("✅ correct") == 3
    assert sorted(a[2] for a in attempts(tmp_path)) == ["correct", "correct", "correct"]


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = run(tmp_path, "practice", INTERVIEW_BOT_STORE__DATA_DIR=str(blocker), stdin="/quit\n")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        "interview-bot: Invalid setting store.data_dir (environment: "
        f"INTERVIEW_BOT_STORE__DATA_DIR): {blocker} is a file, not a folder\n"
    )
    inside = blocker / "sub"
    result = run(tmp_path, "practice", INTERVIEW_BOT_STORE__DATA_DIR=str(inside), stdin="/quit\n")
    assert result.stderr == (
        "interview-bot: Invalid setting store.data_dir (environment: "
        f"INTERVIEW_BOT_STORE__DATA_DIR): {inside} cannot be created (Not a directory)\n"
    )


def test_an_unreachable_postgresql_hides_the_password(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://quiz:s3cretpass@127.0.0.1:1/quiz"
    result = run(tmp_path, "practice", INTERVIEW_BOT_STORE__URL=url, stdin="/quit\n")
    no_traceback(result)
    assert result.returncode == 2
    assert "s3cretpass" not in result.stderr + result.stdout
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(
        "interview-bot: The database at postgresql+asyncpg://quiz:***@127.0.0.1:1/quiz "
        "cannot be opened: "
    )


def test_an_empty_token_means_unset(tmp_path: Path) -> None:
    result = run(tmp_path, "run", DISCORD_TOKEN="")
    assert result.returncode == 2
    assert result.stderr.startswith("DISCORD_TOKEN is not set: create an application")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unreachable_discord_is_one_sentence(tmp_path: Path) -> None:
    code = (
        "import discord.http\n"
        "discord.http.Route.BASE = 'https://127.0.0.1:1/api/v10'  # nothing listens there\n"
        "from bot.cli import main\n"
        "raise SystemExit(main(['run']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env_for(tmp_path, DISCORD_TOKEN="not.a.real.token"),
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    no_traceback(result)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if not line[:4].isdigit()]  # log lines
    assert lines == [lines[0]]
    assert lines[0].startswith("interview-bot: Discord cannot be reached from this machine (")
    assert "not.a.real.token" not in result.stderr


def test_bank_problems_stop_practice_with_the_same_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions:\n  - id: !foo bar\n", encoding="utf-8")
    paths = json.dumps([MINI, str(bad)])
    validate = run(tmp_path, "bank", "validate", str(bad))
    assert validate.returncode == 1
    expected = (
        f"{bad}:2: questions[0].id: invalid YAML: could not determine a constructor for the tag "
        "'!foo'"
    )
    assert validate.stdout.strip() == expected
    for command in (["practice"], ["run"]):
        result = run(tmp_path, *command, stdin="/quit\n", INTERVIEW_BOT_BANK__PATHS=paths,
                     DISCORD_TOKEN="x" if command == ["run"] else "")  # fmt: skip
        no_traceback(result)
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == expected


def test_a_rejected_token_is_one_sentence(tmp_path: Path) -> None:
    class Refuse(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # discord.py logs in with GET /users/@me
            body = b'{"message": "401: Unauthorized", "code": 0}'
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Refuse)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    code = (
        "import discord.http\n"
        f"discord.http.Route.BASE = 'http://127.0.0.1:{server.server_address[1]}/api/v10'\n"
        "from bot.cli import main\n"
        "raise SystemExit(main(['run']))\n"
    )
    try:
        result = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            env=env_for(tmp_path, DISCORD_TOKEN="revoked.token.value"),
            cwd=ROOT,
            timeout=60,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    no_traceback(result)
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if not line[:4].isdigit()]
    assert lines == ["Discord refused DISCORD_TOKEN: it is wrong or was reset; copy a new one."]
    assert "revoked.token.value" not in result.stderr


def test_practice_into_a_closed_pipe_still_saves_the_answers(tmp_path: Path) -> None:
    answer = "It memorises the noise in the training data and fails on unseen data."
    code, err = into_closed_pipe(
        tmp_path, "practice", "--topic", "fundamentals", "--user", "ada", stdin=f"{answer}\n"
    )
    assert "Traceback" not in err
    assert code == 0
    assert attempts(tmp_path)[0][:2] == ("ada", "t-overfitting")
