"""Where an answer is graded: on the event loop when it is short, in a worker thread when long.

Grading a typed answer of a few hundred characters takes about 0.5-3 ms of CPU, while the
hand-off to a worker thread and back cost tens of milliseconds under load (the loop, the
grading threads and SQLite's thread all take turns on the GIL, 5 ms at a time), and threads
give pure-Python grading no parallelism anyway. So answers up to `inline_chars` characters are
graded on the loop; longer ones (a minute of speech, a pasted essay) in a thread, so that one
answer never holds the loop for long.
"""

from __future__ import annotations

import asyncio

from bot.bank.models import Node, Question
from bot.engine.ports import Grader
from bot.grading.grader import Grade

INLINE_CHARS = 1000  # `grading.inline_max_chars`: graded on the loop in about 1-3 ms


async def grade_answer(
    grader: Grader,
    question: Question,
    node: Node,
    text: str,
    *,
    spoken: bool = False,
    inline_chars: int = INLINE_CHARS,
) -> Grade:
    """Grade `text` on the loop if it is at most `inline_chars` long, else in a worker thread."""
    if len(text) <= inline_chars:
        return grader.grade(question, node, text, spoken=spoken)
    return await asyncio.to_thread(grader.grade, question, node, text, spoken=spoken)
