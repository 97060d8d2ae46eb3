"""What each CLI subcommand does, given settings and parsed arguments."""

from __future__ import annotations

import json
from typing import Any

from bot.bank.catalog import Bank
from bot.bank.models import Difficulty, Question, QuickFireItem


def bank_list(bank: Bank, topic: str | None, difficulty: Difficulty | None, *, as_json: bool) -> int:
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
