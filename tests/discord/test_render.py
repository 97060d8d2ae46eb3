"""Rendering events for Discord: limits respected, nobody pinged, the README's invite honest."""

from __future__ import annotations

import re

import discord

from bot.discord import render
from bot.discord.client import intents
from bot.engine.events import (
    Mode,
    NodeResult,
    Outcome,
    PointRef,
    Revealed,
    ScoreLine,
    SessionEnded,
)
from bot.grading.speech_metrics import SpeechMetrics, TimedWord
from tests.conftest import ROOT


def long_reveal() -> Revealed:
    paragraph = "Gradient boosting fits each new tree to the residuals. " * 40
    results = tuple(
        NodeResult(
            f"n{i}",
            f"Follow-up {i}?",
            paragraph * 2,
            "123",
            0.5,
            (PointRef("a", "a"),) * 30,
            (PointRef("b", "b"),) * 30,
            Outcome.ANSWERED,
        )
        for i in range(4)
    )
    return Revealed(
        "s",
        "n0",
        "Explain boosting.",
        paragraph * 5,
        ("Tip " * 300,) * 5,
        0.5,
        results,
        Outcome.ANSWERED,
        1,
        3,
    )


def test_chunks_split_on_boundaries_within_the_limit() -> None:
    text = ("word " * 500).strip()
    pieces = render.chunks(text, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert " ".join(pieces) == text
    assert render.chunks("x" * 250, 100) == ["x" * 100, "x" * 100, "x" * 50]


def test_reveal_embeds_respect_discord_limits() -> None:
    embeds = render.reveal_embeds(long_reveal())
    assert len(embeds) > 1
    for embed in embeds:
        assert len(embed) <= render.EMBED_TOTAL_LIMIT
        assert len(embed.description or "") <= render.EMBED_DESCRIPTION_LIMIT
        assert len(embed.fields) <= render.FIELDS_PER_EMBED
        assert all(len(f.value or "") <= render.FIELD_LIMIT for f in embed.fields)
        assert all(len(f.name or "") <= 256 for f in embed.fields)
    text = " ".join(
        (e.description or "") + "".join(f.value or "" for f in e.fields) for e in embeds
    )
    assert "✘ b" in text
    assert "✔ a" in text


def test_scoreboard_uses_mentions_not_names() -> None:
    ended = SessionEnded(
        "s", Mode.GROUP, "completed", (ScoreLine("111", 3.0, 2), ScoreLine("@everyone", 0.0, 0))
    )
    embed = render.scoreboard_embed(ended)
    assert "<@111>" in (embed.description or "")
    assert "🥇" in (embed.description or "")


def test_readme_invite_asks_for_exactly_what_the_bot_uses() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    value = int(re.search(r"permissions=(\d+)", readme).group(1))  # type: ignore[union-attr]
    granted = {name for name, on in discord.Permissions(value) if on}
    assert granted == {
        "read_messages",
        "send_messages",
        "create_public_threads",
        "send_messages_in_threads",
        "embed_links",
        "attach_files",  # the report card's chart
        "read_message_history",
        "connect",  # voice sessions
        "speak",
    }


def test_only_the_intents_needed() -> None:
    wanted = {name for name, on in intents() if on}
    assert wanted == {
        "guilds",
        "guild_messages",
        "dm_messages",  # answers typed in DM sessions; not privileged
        "message_content",
        "voice_states",
    }


def test_the_reveal_shows_how_spoken_answers_were_delivered() -> None:
    words = [TimedWord(w, i * 0.5, i * 0.5 + 0.4) for i, w in enumerate("um so the tree".split())]
    words.append(TimedWord("splits", 5.0, 5.4))  # after a 3 s pause
    spoken = SpeechMetrics.from_words(words)
    result = NodeResult(
        "n0",
        "Explain trees.",
        "Trees split.",
        "123",
        0.8,
        (PointRef("a", "a"),),
        (),
        Outcome.ANSWERED,
    )
    event = Revealed(
        "s",
        "n0",
        "Explain trees.",
        "Trees split.",
        (),
        0.8,
        (result.__class__(**{**result.__dict__, "speech": spoken}),),
        Outcome.ANSWERED,
        1,
        1,
    )
    fields = [f for embed in render.reveal_embeds(event) for f in embed.fields]
    delivery = next(f.value for f in fields if f.name == "Delivery")
    rate = f"{spoken.words_per_minute:.0f} words per minute"
    assert delivery == f"{rate}, 1 filler word, 1 long pause (2 s or more)"


def graded_reveal() -> Revealed:
    """A reveal with one point covered, one contradicted and one missed."""
    from bot.grading.points import PointResult, PointStatus  # noqa: PLC0415

    points = (
        PointResult(
            "a", "Bagging reduces variance", 1, PointStatus.COVERED, "bagging cuts **variance**"
        ),
        PointResult(
            "b", "Boosting reduces bias", 1, PointStatus.CONTRADICTED, "boosting reduces variance"
        ),
        PointResult("c", "Boosting is sequential", 1, PointStatus.MISSED),
    )
    result = NodeResult(
        "n0",
        "Bagging vs boosting?",
        "Ref.",
        "123",
        0.2,
        ("Bagging reduces variance",),
        ("Boosting reduces bias", "Boosting is sequential"),
        "answered",
        None,
        points,
    )
    return Revealed("s", "n0", "Bagging vs boosting?", "Ref.", (), 0.2, (result,), "answered", 1, 1)


def test_reveal_quotes_the_words_behind_each_point() -> None:
    fields = {
        f.name: f.value for embed in render.reveal_embeds(graded_reveal()) for f in embed.fields
    }
    assert fields["Covered"] == "✔ Bagging reduces variance — “bagging cuts \\*\\*variance\\*\\*”"
    assert (
        fields["Contradicted"] == "⚠ Boosting reduces bias — you said “boosting reduces variance”"
    )
    assert fields["Missed"] == "✘ Boosting is sequential"
