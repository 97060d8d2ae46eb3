"""What each CLI subcommand does, given settings and parsed arguments."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.app import build_app, grader_for
from bot.bank.catalog import Bank
from bot.bank.models import Difficulty, Question, QuickFireItem
from bot.engine.base import Session
from bot.errors import SettingsError
from bot.grading.points import PointStatus
from bot.settings import Settings
from bot.terminal.lines import stdin_lines
from bot.terminal.practice import HELP, TerminalPractice


def bank_list(
    bank: Bank, topic: str | None, difficulty: Difficulty | None, *, as_json: bool
) -> int:
    """Print the bank's items, filtered, as JSON or one line each."""
    items = [_question_row(bank, q) for q in bank.select_questions(topic, difficulty)]
    items += [_quickfire_row(i) for i in bank.select_quickfire(topic, difficulty)]
    if as_json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
    else:
        for item in items:
            print(f"{item['id']:<40} {item['kind']:<9} {item['topic']:<20} {item['difficulty']}")
    return 0


def _question_row(bank: Bank, question: Question) -> dict[str, Any]:
    return {
        "id": question.id,
        "kind": "question",
        "topic": question.topic,
        "difficulty": question.difficulty.value,
        "prompt": question.prompt,
        "reference_answer": question.reference_answer,
        "key_points": [point.label for point in question.key_points],
        "tips": list(question.tips),
        "follow_up_count": len(bank.trees[question.id].descendant_ids()),
        "time_limit_seconds": question.time_limit_seconds,
    }


def _quickfire_row(item: QuickFireItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "kind": "quickfire",
        "topic": item.topic,
        "difficulty": item.difficulty.value,
        "prompt": item.prompt,
        "reference_answer": item.answers[0],
        "accepted_answers": list(item.answers),
        "key_points": [],
        "tips": [item.explanation] if item.explanation else [],
        "follow_up_count": 0,
        "time_limit_seconds": item.time_limit_seconds,
    }


def grade(bank: Bank, settings: Settings, node_id: str, answer_file: Path, as_json: bool) -> int:
    """Grade the answer in a file (or stdin) against a question or follow-up."""
    text = sys.stdin.read() if str(answer_file) == "-" else _read_answer(answer_file)
    question, node = bank.node(node_id)
    result = grader_for(settings).grade(question, node, text)
    follow = bank.trees[question.id].matching(node.id, result.covered_ids)
    payload = {
        "question_id": node.id,
        "score": round(result.score, 3),
        "covered": [p.label for p in result.covered],
        "missed": [p.label for p in result.missed],
        "next_follow_up": {"id": follow[0][1].id, "prompt": follow[0][1].prompt}
        if follow
        else None,
        "verdict": result.verdict.value,
        "evidence": {p.label: p.evidence for p in result.covered},
        "points": [
            {"id": p.id, "label": p.label, "status": p.status.value, "evidence": p.evidence}
            for p in result.points
        ],
        "feedback": list(result.feedback),
    }
    if as_json:
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    print(f"{node.id}: score {result.score:.0%} ({result.verdict.value})")
    for point in result.covered:
        print(f"  ✔ {point.label}  ← “{point.evidence}”")
    for point in result.contradicted:
        print(f"  ⚠ {point.label}  ← you said “{point.evidence}”")
    for point in result.points:
        if point.status is PointStatus.MISSED:
            print(f"  ✘ {point.label}")
    for line in result.feedback:
        print(f"  ! {line}")
    if payload["next_follow_up"]:
        print(f"Next follow-up: {follow[0][1].prompt}")
    return 0


def _read_answer(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError("--answer-file", f"{path} cannot be read ({exc})") from None


def practice(settings: Settings, args: argparse.Namespace) -> int:
    """Run a terminal practice session on stdin/stdout."""
    return asyncio.run(_practice(settings, args))


async def _practice(settings: Settings, args: argparse.Namespace) -> int:
    app = await build_app(settings)
    ui = TerminalPractice(app, args.user)
    print(HELP)
    filters: dict[str, Any] = {"topic": args.topic, "difficulty": args.difficulty}
    session: Session
    try:
        if args.review:
            session = await app.manager.start_review(args.user, ui.on_event)
        elif args.mode == "quickfire":
            if args.questions:
                filters["items"] = args.questions
            session = await app.manager.start_quickfire(args.user, ui.on_event, **filters)
        else:
            if args.questions:
                filters["questions"] = args.questions
            session = await app.manager.start_solo(args.user, ui.on_event, **filters)
        await ui.run(session, stdin_lines())
    finally:
        await app.close()
        print(f"Your answers are saved in {settings.database_url()}.", file=sys.stderr)
    return 0


def start(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Discord bot when DISCORD_TOKEN is set; otherwise terminal practice."""
    if settings.discord_token is None:
        print(
            "DISCORD_TOKEN is not set, so interview-bot starts terminal practice instead "
            "(see the README to run it in Discord).",
            file=sys.stderr,
        )
        defaults = argparse.Namespace(
            topic=None, difficulty=None, mode="solo", questions=None, user="you", review=False
        )
        return practice(settings, defaults)
    from bot.discord.runner import run_bot  # noqa: PLC0415 - discord.py loads only when needed

    return run_bot(settings)
