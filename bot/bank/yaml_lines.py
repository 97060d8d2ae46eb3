"""Parse YAML while keeping the node tree, so any field path maps back to a line number.

Bank files may come from users (`bank.paths`), so reading one must be bounded and must fail
as one located problem whatever the text holds. Three things PyYAML leaves open are closed here:

- Aliases. YAML shares an anchored node wherever it is aliased; everything that walks the tree
  afterwards (the duplicate-key check, pydantic) walks each share again, so nine levels of nine
  aliases ("billion laughs", 314 bytes) become 9**9 nodes. We compose the node tree ourselves
  from libyaml's events and count what every alias adds: past `MAX_ALIAS_NODES` the file is
  refused at once. An alias to a node still being composed (`&x [*x]`) is refused as recursive.
- Depth. libyaml's own composer recurses in C and crashes the process (a segfault, not an
  exception) near 100,000 levels; ours is a loop and refuses more than `MAX_DEPTH` levels.
- Construction. PyYAML's constructors raise ValueError, IndexError, KeyError, AttributeError...
  on bad tagged scalars (`!!int ` with no digits, `2001-13-45`, `!!timestamp x`); each is turned
  into a `YamlRefused` at the node's line.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Any

import yaml

Loc = Sequence[int | str]

# libyaml's C parser when PyYAML was built with it (about 10x faster), else pure Python.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_DEPTH = 200  # the shipped bank nests 13 levels deep
MAX_ALIAS_NODES = 100_000  # nodes all aliases of a file may add (the shipped bank uses none)


class YamlRefused(Exception):
    """A file that cannot be read as YAML: the 1-based line, and one sentence saying why."""

    def __init__(self, line: int, message: str, column: int = -1) -> None:
        self.line = line
        self.column = column  # 0-based, -1 when unknown
        self.message = message
        super().__init__(f"line {line}: {message}")


def compose(text: str) -> yaml.Node | None:
    """Compose YAML text into nodes, bounded in depth and alias expansion (raises YamlRefused)."""
    try:
        return _Composer(text).run()
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        reason = f"malformed YAML: {exc.reason} (character #x{exc.character:04x})"
        raise YamlRefused(line, reason) from None
    except yaml.MarkedYAMLError as exc:
        raise _refused(exc) from None
    except yaml.YAMLError as exc:
        raise YamlRefused(0, f"malformed YAML: {exc}") from None


def _refused(exc: yaml.MarkedYAMLError, what: str = "malformed YAML") -> YamlRefused:
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or exc.context or "unreadable"
    if mark is None:
        return YamlRefused(0, f"{what}: {reason}")
    return YamlRefused(mark.line + 1, f"{what}: {reason}", mark.column)


class _Composer:
    """libyaml's events into PyYAML nodes, in a loop (no recursion), counting alias expansion."""

    def __init__(self, text: str) -> None:
        self._parser: Any = _Loader(text)  # typed loosely: the stubs miss libyaml's marks
        self._anchors: dict[str, yaml.Node] = {}
        self._sizes: dict[int, int] = {}  # id(node) -> nodes under it, aliases expanded
        self._open: set[int] = set()  # ids of collections not yet closed
        self._alias_nodes = 0

    def run(self) -> yaml.Node | None:
        parser = self._parser
        try:
            root: yaml.Node | None = None
            documents = 0
            stack: list[list[Any]] = []  # [node, size so far, pending mapping key]
            while parser.check_event():
                event: Any = parser.get_event()
                if isinstance(event, yaml.DocumentStartEvent):
                    documents += 1
                    if documents > 1:
                        raise YamlRefused(
                            _line(event),
                            "malformed YAML: a bank file holds one document (remove the ---)",
                        )
                elif isinstance(event, yaml.AliasEvent):
                    node, size = self._alias(event)
                    root = self._add(stack, node, size) or root
                elif isinstance(event, yaml.ScalarEvent):
                    root = self._add(stack, self._scalar(event), 1) or root
                elif isinstance(event, yaml.CollectionStartEvent):
                    self._start(stack, event)
                elif isinstance(event, yaml.CollectionEndEvent):
                    node, size, _ = stack.pop()
                    node.end_mark = event.end_mark
                    self._open.discard(id(node))
                    self._sizes[id(node)] = size
                    root = self._add(stack, node, size) or root
            return root
        finally:
            parser.dispose()

    def _alias(self, event: Any) -> tuple[yaml.Node, int]:
        """The aliased node and how many nodes it adds (refused past the budget)."""
        line = _line(event)
        node = self._anchors.get(event.anchor)
        if node is None:
            raise YamlRefused(line, f"malformed YAML: alias *{event.anchor} has no anchor")
        if id(node) in self._open:
            raise YamlRefused(line, f"alias *{event.anchor} refers to itself (recursive)")
        size = self._sizes.get(id(node), 1)
        self._alias_nodes += size
        if self._alias_nodes > MAX_ALIAS_NODES:
            raise YamlRefused(
                line,
                f"aliases expand to more than {MAX_ALIAS_NODES:,} nodes; "
                "write the content out instead of aliasing it",
            )
        return node, size

    def _scalar(self, event: Any) -> yaml.Node:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._parser.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        self._anchor(event, node)
        return node

    def _start(self, stack: list[list[Any]], event: Any) -> None:
        if len(stack) >= MAX_DEPTH:
            raise YamlRefused(_line(event), f"nested more than {MAX_DEPTH} levels deep")
        kind = yaml.SequenceNode if isinstance(event, yaml.SequenceStartEvent) else yaml.MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self._parser.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self._anchor(event, node)
        self._open.add(id(node))
        stack.append([node, 1, None])

    def _anchor(self, event: Any, node: yaml.Node) -> None:
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._anchors[anchor] = node

    @staticmethod
    def _add(stack: list[list[Any]], node: yaml.Node, size: int) -> yaml.Node | None:
        """Put `node` into the open collection; returns it when it is the document's root."""
        if not stack:
            return node
        frame = stack[-1]
        frame[1] += size
        parent = frame[0]
        if isinstance(parent, yaml.SequenceNode):
            parent.value.append(node)
        elif frame[2] is None:
            frame[2] = node
        else:
            parent.value.append((frame[2], node))
            frame[2] = None
        return None


def _line(event: Any) -> int:
    return int(event.start_mark.line) + 1


class _Constructor(_Loader):  # type: ignore[misc,valid-type]
    """PyYAML's safe constructor, with every failure located at its node."""

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except yaml.MarkedYAMLError:
            raise
        except Exception as exc:  # any constructor failure becomes one located problem
            why = f" ({exc})" if type(exc) is ValueError else ""
            raise YamlRefused(
                node.start_mark.line + 1,
                f"{_shown(node)} is not a valid {_tag(node)}{why}",
                node.start_mark.column,
            ) from None


def _tag(node: yaml.Node) -> str:
    return str(node.tag).removeprefix("tag:yaml.org,2002:")


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        return repr(value if len(value) <= 40 else value[:40] + "...")
    return "this value"


def construct(node: yaml.Node | None) -> Any:
    """Build plain Python data from a composed node (raises YamlRefused)."""
    if node is None:
        return None
    loader = _Constructor("")
    try:
        return loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise _refused(exc, "invalid YAML") from None
    finally:
        loader.dispose()


def duplicate_keys(
    node: yaml.Node | None, loc: tuple[int | str, ...] = ()
) -> list[tuple[Loc, int, str]]:
    """Every mapping key that appears twice (YAML would silently keep the last), with the
    line of its second appearance. Shared (aliased) nodes are checked once."""
    found: list[tuple[Loc, int, str]] = []
    seen_nodes: set[int] = set()
    pending: list[tuple[yaml.Node | None, tuple[int | str, ...]]] = [(node, loc)]
    while pending:
        current, where = pending.pop()
        if id(current) in seen_nodes:
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            names: set[str] = set()
            for key, value in current.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else "(complex key)"
                if name in names:
                    message = f"key '{name}' appears twice in one mapping"
                    found.append(((*where, name), key.start_mark.line + 1, message))
                names.add(name)
                pending.append((value, (*where, name)))
        elif isinstance(current, yaml.SequenceNode):
            pending.extend((item, (*where, index)) for index, item in enumerate(current.value))
    return sorted(found, key=lambda problem: problem[1])


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


def field_at(root: yaml.Node | None, line: int, column: int = -1) -> str:
    """The field path of the value that starts at `line` (1-based) and `column` (any column
    when -1), or "(yaml)"."""
    pending: deque[tuple[yaml.Node | None, str]] = deque([(root, "")])
    seen: set[int] = set()
    while pending:
        node, path = pending.popleft()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        at_column = column < 0 or node.start_mark.column == column
        if node.start_mark.line + 1 == line and at_column and path:
            return path.lstrip(".")
        if isinstance(node, yaml.MappingNode):
            pending.extend((value, f"{path}.{key.value}") for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            pending.extend((item, f"{path}[{i}]") for i, item in enumerate(node.value))
    return "(yaml)"


def _child(node: yaml.Node | None, element: int | str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode) and isinstance(element, str):
        for key, value in node.value:
            if key.value == element:
                return value  # type: ignore[no-any-return]
    in_range = isinstance(element, int) and 0 <= element < len(getattr(node, "value", ()))
    if isinstance(node, yaml.SequenceNode) and in_range:
        return node.value[element]  # type: ignore[no-any-return]
    return None
