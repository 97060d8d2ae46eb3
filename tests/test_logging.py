"""No credential in a URL or header reaches a log, at any level, in any case (issue 10)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from bot.logging_setup import HANDLER_NAME, redact, setup_logging

SECRETS = ("hunter2pass", "sk-live-TOKEN123", "COOKIEVALUE9", "querykey77", "discord.tok.en")


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Set-Cookie", "session=COOKIEVALUE9")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = HTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def logged(capsys: pytest.CaptureFixture[str]) -> Iterator[pytest.CaptureFixture[str]]:
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore", "")}
    yield capsys
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.parametrize("level", ["DEBUG", "INFO"])
def test_httpx_and_httpcore_logs_are_redacted(
    server: int, logged: pytest.CaptureFixture[str], level: str
) -> None:
    setup_logging(level, ["discord.tok.en"])
    # even when someone turns the HTTP libraries' own loggers up to DEBUG
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)
    url = f"http://speech:HUNTER2PASS@127.0.0.1:{server}/v1?api_key=querykey77"
    with httpx.Client() as client:
        response = client.get(url, headers={"AUTHORIZATION": "Bearer sk-live-TOKEN123"})
    assert response.status_code == 200
    logging.getLogger("bot").warning("token was %s", "DISCORD.TOK.EN")
    err = logged.readouterr().err
    assert "HTTP Request: GET http://***@127.0.0.1" in err  # httpx logged, redacted
    if level == "DEBUG":
        assert "receive_response_headers" in err  # httpcore logged its headers
    for secret in SECRETS:
        assert secret.lower() not in err.lower(), err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("GET https://u:p@host/x", "GET https://***@host/x"),
        ("POSTGRESQL+ASYNCPG://me:pw@db/x", "POSTGRESQL+ASYNCPG://***@db/x"),
        ("[(b'Authorization', b'Bearer abc')]", "[(b'Authorization', b'***')]"),
        ("{'x-api-key': 'abc', 'a': 'b'}", "{'x-api-key': '***', 'a': 'b'}"),
        ("Proxy-Authorization: Basic dXNlcg==", "Proxy-Authorization: ***"),
        ("see ?TOKEN=abc&x=1", "see ?TOKEN=***&x=1"),
        ("bearer abc.def", "bearer ***"),
    ],
)
def test_redact_patterns(text: str, expected: str) -> None:
    assert redact(text) == expected
