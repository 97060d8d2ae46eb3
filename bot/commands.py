"""What each CLI subcommand does, given settings and parsed arguments."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.app import App, build_app, grader_for
from bot.bank.catalog import Bank
from bot.bank.models import Difficulty, Question, QuickFireItem
from bot.choices import Kind, check_available, resolve_topic
from bot.engine.base import Session
from bot.errors import AnswerTooLong, SettingsError, UnknownItem
from bot.grading.points import PointStatus
from bot.grading.quickfire import matches
from bot.settings import Settings
from bot.terminal.lines import stdin_lines
from bot.terminal.practice import TerminalPractice


def bank_list(
    bank: Bank, topic: str | None, difficulty: Difficulty | None, *, as_json: bool
) -> int:
    """Print the bank's items, filtered, as JSON or one line each (follow-ups under their
    question)."""
    topic = resolve_topic(bank, topic)
    items = [_question_row(bank, q) for q in bank.select_questions(topic, difficulty)]
    items += [_quickfire_row(i) for i in bank.select_quickfire(topic, difficulty)]
    if not items:
        print("No items match these filters.", file=sys.stderr)
    if as_json:
        print(json.dumps(items, indent=2, ensure_ascii=False))
        return 0
    for item in items:
        print(f"{item['id']:<40} {item['kind']:<9} {item['topic']:<20} {item['difficulty']}")
        for follow_up in item.get("follow_ups", ()):
            print(f"  ↳ {follow_up['id']:<38} follow-up")
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
        "follow_ups": [
            {"id": node_id, "prompt": bank.node(node_id)[1].prompt}
            for node_id in bank.trees[question.id].descendant_ids()
        ],
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
    """Grade the answer in a file (or stdin) against a question, follow-up or quick-fire item."""
    text = sys.stdin.read() if str(answer_file) == "-" else _read_answer(answer_file)
    limit = settings.engine.max_answer_chars
    if len(text) > limit:
        raise AnswerTooLong(len(text), limit)
    try:
        question, node = bank.node(node_id)
    except UnknownItem:
        return _grade_quickfire(bank.quickfire_item(node_id), text, as_json=as_json)
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


def _grade_quickfire(item: QuickFireItem, text: str, *, as_json: bool) -> int:
    correct = matches(text, item.answers)
    if as_json:
        payload = {
            "question_id": item.id,
            "score": 1.0 if correct else 0.0,
            "correct": correct,
            "accepted_answers": list(item.answers),
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 0
    verdict = "correct" if correct else f"not quite: the answer is {item.answers[0]}"
    print(f"{item.id}: {verdict}")
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
    try:
        kind = Kind.QUICKFIRE if args.mode == "quickfire" and not args.review else Kind.QUESTIONS
        topic = resolve_topic(app.bank, args.topic)
        difficulty = Difficulty(args.difficulty) if args.difficulty else None
        check_available(app.bank, kind, topic, difficulty)
        quickfire = kind is Kind.QUICKFIRE
        ui = TerminalPractice(app, args.user, quickfire=quickfire, report_file=args.report)
        await ui.recover()
        session = await _start(app, ui, args, {"topic": topic, "difficulty": args.difficulty})
        try:
            await ui.run(session, stdin_lines())
        finally:
            ui.notice(f"Your answers are saved in {settings.store_location()}.")
    finally:
        await app.close()
    return 0


async def _start(
    app: App, ui: TerminalPractice, args: argparse.Namespace, filters: dict[str, Any]
) -> Session:
    if args.review:
        return await app.manager.start_review(args.user, ui.on_event)
    if args.mode == "quickfire":
        if args.questions:
            filters["items"] = args.questions
        return await app.manager.start_quickfire(args.user, ui.on_event, **filters)
    if args.questions:
        filters["questions"] = args.questions
    return await app.manager.start_solo(args.user, ui.on_event, **filters)


def start(settings: Settings, args: argparse.Namespace) -> int:
    """Run the Discord bot when DISCORD_TOKEN is set; otherwise terminal practice."""
    if settings.discord_token is None:
        print(
            "DISCORD_TOKEN is not set, so interview-bot starts terminal practice instead "
            "(see the README to run it in Discord).",
            file=sys.stderr,
        )
        return practice(settings, args)
    from bot.discord.runner import run_bot  # noqa: PLC0415 - discord.py loads only when needed

    return run_bot(settings)
