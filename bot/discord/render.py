"""Engine events as Discord embeds and text, split to fit Discord's limits."""

from __future__ import annotations

import discord

from bot.engine.events import (
    Asked,
    Outcome,
    QuickFireAsked,
    QuickFireRevealed,
    Revealed,
    ScoreLine,
    SessionEnded,
)

EMBED_DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FIELDS_PER_EMBED = 25
EMBED_TOTAL_LIMIT = 6000
MESSAGE_LIMIT = 2000
COLOUR = discord.Colour.blurple()


def mention(participant: str) -> str:
    """A user mention (the bot sends it with no allowed mentions: it shows a name, pings nobody)."""
    return f"<@{participant}>" if participant.isdigit() else participant


def chunks(text: str, limit: int) -> list[str]:
    """Split text at paragraph, line or word boundaries into pieces of at most `limit`."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        cut = max(text.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


def asked_embed(event: Asked) -> discord.Embed:
    """A question or follow-up."""
    if event.depth == 0:
        title = f"Question {event.number}/{event.total} · {event.topic} · {event.difficulty}"
    else:
        title = "Follow-up"
    embed = discord.Embed(title=title, description=chunks(event.prompt, 4000)[0], colour=COLOUR)
    if event.reason:
        embed.set_footer(text=event.reason[:2048])
    details = []
    if event.turn:
        details.append(f"Your turn, {mention(event.turn)}")
    if event.time_limit:
        details.append(f"⏱ {event.time_limit:.0f} s")
    if details:
        embed.add_field(name="\u200b", value=" · ".join(details), inline=False)
    return embed


def reveal_embeds(event: Revealed) -> list[discord.Embed]:
    """The reveal: reference answer, covered and missed points, tips, follow-up answers."""
    parts = chunks(event.reference_answer, EMBED_DESCRIPTION_LIMIT)
    title = f"Reveal · score {event.score:.0%}"
    if event.outcome in (Outcome.SKIPPED, Outcome.TIMEOUT, Outcome.LEFT):
        title += f" ({event.outcome})"
    embeds = [discord.Embed(title=title, description=parts[0], colour=discord.Colour.green())]
    embeds += [discord.Embed(description=p, colour=discord.Colour.green()) for p in parts[1:]]
    fields: list[tuple[str, str]] = []
    covered, contradicted, missed = point_lines(event)
    fields += _list_fields("Covered", covered)
    fields += _list_fields("Contradicted", contradicted)
    fields += _list_fields("Missed", missed)
    for result in event.results:
        if result.node_id != event.question_id:
            who = f" ({mention(result.participant)})" if result.participant else ""
            name = f"Follow-up{who}: {result.prompt}"[:256]
            fields += [
                (name if i == 0 else "\u200b", c)
                for i, c in enumerate(chunks(result.reference_answer, FIELD_LIMIT))
            ]
    fields += _list_fields("Tips", [f"• {tip}" for tip in event.tips])
    speech = [r.speech for r in event.results if r.speech and r.speech.words_per_minute]
    if speech:
        rate = sum(s.words_per_minute or 0 for s in speech) / len(speech)
        fillers = sum(s.filler_words for s in speech)
        pauses = sum(len(s.long_pauses) for s in speech)
        fields.append(
            (
                "Delivery",
                f"{rate:.0f} words per minute, {_count(fillers, 'filler word')}, "
                f"{_count(pauses, 'long pause')} (2 s or more)",
            )
        )
    return _pack(embeds, fields)


def point_lines(event: Revealed) -> tuple[list[str], list[str], list[str]]:
    """Covered points with the words that earned them, contradictions with the words that
    contradicted them, and missed points."""
    if not event.points:
        return [f"✔ {p.label}" for p in event.covered], [], [f"✘ {p.label}" for p in event.missed]
    covered, contradicted, missed = [], [], []
    for point in event.points:
        words = discord.utils.escape_markdown(point.evidence or "")
        if point.covered:
            later = " (in a follow-up)" if point.how == "in a follow-up" else ""
            covered.append(f"✔ {point.label} — “{words}”{later}")
        elif point.contradicted:
            contradicted.append(f"⚠ {point.label} — you said “{words}”")
        else:
            missed.append(f"✘ {point.label}")
    return covered, contradicted, missed


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _list_fields(name: str, lines: list[str]) -> list[tuple[str, str]]:
    if not lines:
        return []
    return [
        (name if i == 0 else "\u200b", c)
        for i, c in enumerate(chunks("\n".join(lines), FIELD_LIMIT))
    ]


def _pack(embeds: list[discord.Embed], fields: list[tuple[str, str]]) -> list[discord.Embed]:
    """Add fields to the last embed, starting a new one whenever a limit would be passed."""
    for name, value in fields:
        current = embeds[-1]
        if (
            len(current.fields) >= FIELDS_PER_EMBED
            or len(current) + len(name) + len(value) > EMBED_TOTAL_LIMIT
        ):
            current = discord.Embed(colour=current.colour)
            embeds.append(current)
        current.add_field(name=name, value=value, inline=False)
    return embeds


def quickfire_text(event: QuickFireAsked, seconds_left: float) -> str:
    """The quick-fire countdown message, edited in place."""
    bar = "🟩" * int(max(seconds_left, 0) * 10 // max(event.seconds, 1))
    return (
        f"⚡ **[{event.number}/{event.total}]** {event.prompt}\n"
        f"⏱ {max(seconds_left, 0):.0f} s {bar}"
    )


def quickfire_result_text(asked: QuickFireAsked, event: QuickFireRevealed) -> str:
    """The countdown message once the item is over."""
    if event.winner:
        outcome = f"✅ {mention(event.winner)} got it"
    elif event.timed_out:
        outcome = "⌛ Time is up"
    else:
        outcome = "Nobody got it"
    text = f"⚡ **[{asked.number}/{asked.total}]** {asked.prompt}\n{outcome}: **{event.answer}**"
    if event.explanation:
        text += f"\n{event.explanation}"
    return text[:MESSAGE_LIMIT]


def scoreboard_embed(event: SessionEnded) -> discord.Embed:
    """The final scoreboard or leaderboard."""
    title = "Leaderboard" if event.mode.value == "quickfire" else "Scoreboard"
    lines = [_score_line(rank, line, event) for rank, line in enumerate(event.scoreboard, 1)]
    description = "\n".join(lines) or "Nobody answered."
    return discord.Embed(
        title=f"{title} · session over ({event.reason})",
        description=chunks(description, EMBED_DESCRIPTION_LIMIT)[0],
        colour=discord.Colour.gold(),
    )


def _score_line(rank: int, line: ScoreLine, event: SessionEnded) -> str:
    medal = {1: "🥇", 2: "🥈", 3: "🥉"}.get(rank, f"{rank}.")
    if event.mode.value == "quickfire":
        speed = f", {line.mean_seconds:.1f} s avg" if line.mean_seconds is not None else ""
        return (
            f"{medal} {mention(line.participant)}: {line.correct} correct, "
            f"best streak {line.best_streak}{speed}"
        )
    return (
        f"{medal} {mention(line.participant)}: {line.points:.2f} points ({line.answered} answers)"
    )
