"""Parse YAML while keeping the node tree, so any field path maps back to a line number."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

Loc = Sequence[int | str]

# libyaml's C parser when PyYAML was built with it (about 10x faster), else pure Python.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def compose(text: str) -> yaml.Node | None:
    """Compose YAML text into nodes (raises yaml.YAMLError on malformed YAML)."""
    return yaml.compose(text, Loader=_Loader)


def construct(node: yaml.Node | None) -> Any:
    """Build plain Python data from a composed node."""
    if node is None:
        return None
    loader = _Loader("")
    try:
        return loader.construct_document(node)
    finally:
        loader.dispose()


def duplicate_keys(
    node: yaml.Node | None, loc: tuple[int | str, ...] = ()
) -> list[tuple[Loc, int, str]]:
    """Every mapping key that appears twice (YAML would silently keep the last), with the
    line of its second appearance."""
    found: list[tuple[Loc, int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            name = str(key.value)
            if name in seen:
                message = f"key '{name}' appears twice in one mapping"
                found.append(((*loc, name), key.start_mark.line + 1, message))
            seen.add(name)
            found.extend(duplicate_keys(value, (*loc, name)))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.extend(duplicate_keys(item, (*loc, index)))
    return found


def locate(root: yaml.Node | None, loc: Loc) -> tuple[int, str]:
    """The 1-based line of the deepest node `loc` reaches, and `loc` as a readable field path.

    Elements of `loc` that are not keys of the mapping reached (pydantic's union tags) are
    skipped, unless they are the last element: that is a missing field, named in the path.
    """
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    parts: list[str] = []
    for position, element in enumerate(loc):
        last = position == len(loc) - 1
        child = _child(node, element)
        if child is None:
            if isinstance(element, int) or last:
                parts.append(f"[{element}]" if isinstance(element, int) else f".{element}")
            continue
        node = child
        line = node.start_mark.line + 1
        parts.append(f"[{element}]" if isinstance(element, int) else f".{element}")
    field = "".join(parts).lstrip(".") or "(file)"
    return line, field


def _child(node: yaml.Node | None, element: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(element, str):
        for key, value in node.value:
            if key.value == element:
                return value  # type: ignore[no-any-return]
    in_range = isinstance(element, int) and 0 <= element < len(getattr(node, "value", ()))
    if isinstance(node, yaml.SequenceNode) and in_range:
        return node.value[element]  # type: ignore[no-any-return]
    return None
