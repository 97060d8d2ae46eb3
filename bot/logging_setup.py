"""One logging setup, called once at the entry point; no secret reaches a log at any level.

httpx logs each request's full URL at INFO (a `user:password@` in `speech.remote_url` with it)
and httpcore logs request and response headers at DEBUG (`Authorization`, cookies). Rather than
trusting every library, the one handler formats each record, traceback included, and then
redacts it: credentials in URLs, sensitive headers and `key=value` secrets (names matched
case-insensitively), and every secret value the settings hold.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

NOISY = ("discord", "discord.http", "discord.gateway", "aiosqlite", "alembic", "httpx", "httpcore")
MASK = "***"
HANDLER_NAME = "interview-bot"

_SENSITIVE = r"authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token"
_PATTERNS = (
    # scheme://user:password@host -> scheme://***@host (also a bare user@ or :password@)
    (re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/\s@'\"<>]+@"), rf"\1{MASK}@"),
    # httpcore's header tuples: (b'Authorization', b'Bearer abc')
    (re.compile(rf"(?i)(\(b?['\"](?:{_SENSITIVE})['\"],\s*b?)(['\"]).*?\2"), rf"\1\2{MASK}\2"),
    # header lines and dict reprs: Authorization: Bearer abc / 'authorization': 'abc'
    (
        re.compile(rf"(?i)(['\"]?\b(?:{_SENSITIVE})['\"]?\s*[:=]\s*)(['\"]?)[^'\"\r\n,}}]+\2"),
        rf"\1\2{MASK}\2",
    ),
    # Bearer tokens anywhere
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=\-]+"), rf"\1{MASK}"),
    # query strings and settings: token=..., api_key=..., password=..., secret=...
    (
        re.compile(
            r"(?i)\b((?:access_|api_|auth_)?(?:token|key|password|passwd|secret)=)[^&\s'\"]+"
        ),
        rf"\1{MASK}",
    ),
)


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with every credential we can recognise, and each of `secrets`, masked."""
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = re.sub(re.escape(secret), MASK, text, flags=re.IGNORECASE)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingFormatter(logging.Formatter):
    """A formatter whose output (message, arguments and traceback) is redacted."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets = tuple(secrets)

    def format(self, record: logging.LogRecord) -> str:
        """Format as usual, then mask credentials."""
        return redact(super().format(record), self.secrets)


def setup_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level` through the redactor; quieten chatty library loggers."""
    handler = logging.StreamHandler()
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(old)  # a second call replaces the first setup
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in NOISY:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
