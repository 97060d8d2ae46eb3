"""A report card as Discord's newer components: one container with the card's text, its chart
in a media gallery, its Markdown file, and its button.

Components V2 (discord.py's LayoutView) read better here than embeds: the chart sits inside the
card instead of under its fields, and the button belongs to the card. Discord allows 4,000
characters of text in such a message; a long card is cut at a line, the longest part first.
"""

from __future__ import annotations

from typing import Any

import discord
from discord import ui

from bot.discord import render
from bot.engine.report import ReportCard
from bot.progress import report_text

TEXT_LIMIT = 4000
ELLIPSIS = "\n…"


def card_layout(
    card: ReportCard,
    *,
    chart: str | None = None,
    markdown: str | None = None,
    button: ui.Item[Any] | None = None,
) -> ui.LayoutView:
    """The card in a container; `chart` and `markdown` name uploaded files to show in it."""
    children: list[ui.Item[ui.LayoutView]] = [ui.TextDisplay(t) for t in _fit(_blocks(card))]
    if chart is not None:
        item = discord.MediaGalleryItem(f"attachment://{chart}", description=_alt(card))
        children.append(ui.MediaGallery(item))
    if markdown is not None:
        children.append(ui.File(f"attachment://{markdown}"))
    if button is not None:
        children.append(ui.ActionRow(button))
    view = ui.LayoutView(timeout=None)
    view.add_item(ui.Container(*children, accent_colour=discord.Colour.teal()))
    view.stop()  # nothing kept in discord.py's store: the button is a DynamicItem
    return view


def card_text(card: ReportCard) -> str:
    """All the card's text as the layout shows it (before any cut)."""
    return "\n\n".join(_blocks(card))


def _blocks(card: ReportCard) -> list[str]:
    """The card's parts as Discord Markdown, bank text escaped."""
    esc = discord.utils.escape_markdown
    blocks = [
        f"## {report_text.title(card)}\nfor {render.mention(card.user_id)}",
        "**Scores**\n" + "\n".join(esc(line) for line in report_text.score_lines(card)),
    ]
    missed = report_text.missed_by_topic(card)
    if missed:
        lines = [f"*{esc(t)}*\n" + "\n".join(f"✘ {esc(p)}" for p in ps) for t, ps in missed]
        blocks.append("**Key points missed**\n" + "\n".join(lines))
    elif card.questions:
        blocks.append(f"**Key points missed**\n{report_text.EVERY_POINT}")
    if card.comebacks:
        lines = [f"• {esc(line)}" for line in report_text.comeback_lines(card)]
        blocks.append("**Back in /review**\n" + "\n".join(lines))
    if card.delivery is not None:
        lines = list(report_text.delivery_lines(card))
        blocks.append("**Delivery (spoken answers)**\n" + "\n".join(lines))
    return blocks


def _fit(blocks: list[str], limit: int = TEXT_LIMIT) -> list[str]:
    """The blocks cut to `limit` characters in all: the longest loses lines first."""
    blocks = list(blocks)
    while (excess := sum(map(len, blocks)) - limit) > 0:
        longest = max(range(len(blocks)), key=lambda i: len(blocks[i]))
        keep = max(len(blocks[longest]) - excess - len(ELLIPSIS), 0)
        cut = blocks[longest].rfind("\n", 0, keep)
        blocks[longest] = blocks[longest][: cut if cut > 0 else keep] + ELLIPSIS
    return blocks


def _alt(card: ReportCard) -> str:
    """The chart's alt text: what it plots."""
    scores = ", ".join(f"{q.score:.0%}" for q in card.questions)
    text = f"Score per question: {scores}"
    if card.delivery is not None:
        paces = ", ".join(f"{a.words_per_minute:.0f}" for a in card.delivery.answers)
        text += f". Words per minute per spoken answer: {paces}"
    return text[:1024]
