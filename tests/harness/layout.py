"""Discord's newer message components (IS_COMPONENTS_V2: containers, sections, text displays,
media galleries, files): the rules Discord enforces beyond the OpenAPI schema, and its echo.

The schema check (spec.py) already holds each component's shape to the spec; these are the
rules it cannot express (from Discord's component reference): a V2 message carries no content
and no embeds, its text displays hold at most 4,000 characters in all, it has at most 40
components, and every `attachment://NAME` it shows names a file uploaded with it. Discord's
echo turns each such reference into the uploaded attachment's media (id, url, proxy_url).
"""

from __future__ import annotations

from collections.abc import Iterator

from .models import Json

COMPONENTS_V2 = 1 << 15
TEXT_DISPLAY, THUMBNAIL, MEDIA_GALLERY, FILE = 10, 11, 12, 13
TEXT_LIMIT = 4000
COMPONENT_LIMIT = 40
ATTACHMENT = "attachment://"


class LayoutError(ValueError):
    """A V2 message Discord would refuse (400 Invalid Form Body)."""


def check_layout(body: Json, filenames: set[str]) -> None:
    """Raise LayoutError when a V2 message breaks a rule the schema does not hold."""
    if not int(body.get("flags") or 0) & COMPONENTS_V2:
        return
    if body.get("content") or body.get("embeds"):
        raise LayoutError("content and embeds cannot be sent with IS_COMPONENTS_V2")
    components = list(_walk(body.get("components") or []))
    if len(components) > COMPONENT_LIMIT:
        raise LayoutError(f"components: at most {COMPONENT_LIMIT} in a message")
    text = sum(len(c.get("content", "")) for c in components if c.get("type") == TEXT_DISPLAY)
    if text > TEXT_LIMIT:
        raise LayoutError(f"components: text displays hold {text} characters (at most 4000)")
    for media in _media(components):
        url = str(media.get("url", ""))
        if url.startswith(ATTACHMENT) and url.removeprefix(ATTACHMENT) not in filenames:
            raise LayoutError(f"components: {url} names no uploaded file")


def echo_media(component: Json, attachments: list[Json]) -> None:
    """Discord's echo of a media component, in place: defaults, and references resolved."""
    kind = component.get("type")
    if kind == MEDIA_GALLERY:
        component["items"] = [
            {"description": None, "spoiler": False, **item}
            | {"media": _unfurl(item["media"], attachments)}
            for item in component.get("items", [])
        ]
    elif kind == THUMBNAIL:
        component["media"] = _unfurl(component["media"], attachments)
    elif kind == FILE:
        media = _unfurl(component["file"], attachments)
        found = _attachment(component["file"], attachments)
        component["file"] = media
        component.setdefault("spoiler", False)
        component.setdefault("name", found["filename"] if found else None)
        component.setdefault("size", found["size"] if found else None)


def _walk(components: list[Json]) -> Iterator[Json]:
    """Every component, depth first (as messages.walk_components, which imports this module)."""
    for comp in components:
        yield comp
        yield from _walk(comp.get("components", []))
        for key in ("accessory", "component"):
            if key in comp:
                yield from _walk([comp[key]])


def _media(components: list[Json]) -> Iterator[Json]:
    for comp in components:
        if comp.get("type") == MEDIA_GALLERY:
            yield from (item.get("media", {}) for item in comp.get("items", []))
        elif comp.get("type") == THUMBNAIL:
            yield comp.get("media", {})
        elif comp.get("type") == FILE:
            yield comp.get("file", {})


def _attachment(media: Json, attachments: list[Json]) -> Json | None:
    url = str(media.get("url", ""))
    if not url.startswith(ATTACHMENT):
        return None
    name = url.removeprefix(ATTACHMENT)
    return next((a for a in attachments if a["filename"] == name), None)


def _unfurl(media: Json, attachments: list[Json]) -> Json:
    """An UnfurledMediaResponse: the attachment it names, or the external URL as given."""
    found = _attachment(media, attachments)
    if found is None:
        url = str(media.get("url", ""))
        return {"id": "0", "url": url, "proxy_url": url}
    return {
        "id": found["id"],
        "url": found["url"],
        "proxy_url": found["proxy_url"],
        "content_type": found["content_type"],
        "attachment_id": found["id"],
        "width": None,
        "height": None,
    }
