"""The fake Discord holds components V2 messages to the rules the OpenAPI schema cannot state."""

from __future__ import annotations

import pytest

from tests.harness.layout import (
    COMPONENTS_V2,
    FILE,
    MEDIA_GALLERY,
    TEXT_DISPLAY,
    LayoutError,
    check_layout,
    echo_media,
)

CONTAINER = 17


def body(*components: dict[str, object], **extra: object) -> dict[str, object]:
    container = {"type": CONTAINER, "components": list(components)}
    return {"flags": COMPONENTS_V2, "components": [container]} | extra


def text(content: str) -> dict[str, object]:
    return {"type": TEXT_DISPLAY, "content": content}


def gallery(url: str) -> dict[str, object]:
    return {"type": MEDIA_GALLERY, "items": [{"media": {"url": url}}]}


def test_a_v2_message_with_its_files_passes() -> None:
    check_layout(body(text("hi"), gallery("attachment://chart.png")), {"chart.png"})
    check_layout({"content": "classic", "embeds": [{}]}, set())  # not V2: other rules


@pytest.mark.parametrize(
    ("message", "files", "problem"),
    [
        (body(text("hi"), content="also text"), set(), "content and embeds"),
        (body(text("hi"), embeds=[{"title": "x"}]), set(), "content and embeds"),
        (body(text("x" * 2001), text("y" * 2000)), set(), "4001 characters"),
        (body(*(text("a") for _ in range(40))), set(), "at most 40"),
        (body(gallery("attachment://missing.png")), {"chart.png"}, "names no uploaded file"),
        (
            body({"type": FILE, "file": {"url": "attachment://card.md"}}),
            set(),
            "names no uploaded file",
        ),
    ],
)
def test_what_discord_refuses(message: dict[str, object], files: set[str], problem: str) -> None:
    with pytest.raises(LayoutError, match=problem):
        check_layout(message, files)


def test_the_echo_resolves_an_attachment_reference() -> None:
    attachment = {
        "id": "77",
        "filename": "chart.png",
        "size": 10,
        "url": "http://127.0.0.1/attachments/1/77/chart.png",
        "proxy_url": "http://127.0.0.1/attachments/1/77/chart.png",
        "content_type": "image/png",
    }
    component = gallery("attachment://chart.png")
    echo_media(component, [attachment])
    [item] = component["items"]  # type: ignore[misc]
    assert item["description"] is None
    assert item["spoiler"] is False
    assert item["media"]["url"] == attachment["url"]
    assert item["media"]["attachment_id"] == "77"
    file = {"type": FILE, "file": {"url": "attachment://chart.png"}}
    echo_media(file, [attachment])
    assert (file["name"], file["size"], file["spoiler"]) == ("chart.png", 10, False)
