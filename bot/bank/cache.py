"""The constructed YAML of bank files that loaded cleanly, kept on disk between starts.

Composing and constructing the YAML is most of loading the shipped bank (about 0.25-0.45 s of
CPU: the node tree is composed event by event in Python, to bound aliases and depth and keep
line numbers, see yaml_lines.py), and a bot starts with the same files every time. So after a
file loads with no problem at all, its constructed data is written with `marshal` under the
SHA-256 of its text (and of yaml_lines.py, so a change to those rules reads every file again);
the next start with the same text validates the cached data with pydantic and skips the YAML.
A cache entry is only ever data this same code produced from this same text; an unreadable
one is ignored. Problems are always reported from a full parse (the loader reads the files
again without the cache), so line numbers stay right.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
import sys
from functools import cache
from pathlib import Path
from typing import Any

from bot.bank import yaml_lines

log = logging.getLogger(__name__)


@cache
def _rules() -> bytes:
    """What the cached data depends on besides the text: the parser's rules and marshal's format."""
    source = Path(yaml_lines.__file__).read_bytes()
    return source + f"{sys.version_info[:2]} {marshal.version}".encode()


class ParseCache:
    """Constructed data of clean bank files, one `marshal` file per text, in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, text: str) -> Path:
        digest = hashlib.sha256(_rules() + b"\0" + text.encode("utf-8")).hexdigest()
        return self.folder / f"{digest}.marshal"

    def get(self, text: str) -> Any | None:
        """The data cached for this text, or None."""
        try:
            return marshal.loads(self._path(text).read_bytes())  # noqa: S302 - our own files
        except (OSError, ValueError, EOFError, TypeError):
            return None

    def put(self, text: str, data: Any) -> None:
        """Keep the data for this text (silently skipped when it cannot be written)."""
        try:
            blob = marshal.dumps(data)
        except ValueError:  # a type marshal does not keep (a YAML timestamp): no cache
            return
        path = self._path(text)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(blob)
            partial.replace(path)  # atomic: a reader never sees half a file
        except OSError as exc:
            log.debug("bank cache not written: %s", exc)
