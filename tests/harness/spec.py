"""Keep the fake honest with Discord's own OpenAPI 3.1 description of REST API v10.

Every route the fake serves must exist in the spec with that method; every JSON request body the
bot sends is validated against the route's requestBody schema, and every JSON answer the fake
gives is validated against the route's response schema (Draft 2020-12, `$ref`s resolved into the
spec's `components`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

URI = "urn:discord-openapi"
_REPO_ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = (
    _REPO_ROOT / "tests" / "harness" / "discord-openapi.json",
    _REPO_ROOT.parent / "shared" / "reference" / "discord-openapi.json",
)


def spec_path() -> Path:
    """Where the spec is: $DISCORD_OPENAPI_SPEC, a vendored copy, or shared/reference/."""
    env = os.environ.get("DISCORD_OPENAPI_SPEC")
    paths = [Path(env)] if env else list(CANDIDATES)
    for path in paths:
        if path.is_file():
            return path
    raise FileNotFoundError(f"discord-openapi.json not found (looked in {paths})")


@cache
def _load(path: Path) -> tuple[dict[str, Any], Registry]:
    spec = json.loads(path.read_text(encoding="utf-8"))
    registry = Registry().with_resource(URI, Resource(contents=spec, specification=DRAFT202012))
    return spec, registry


def _pointer(*parts: str) -> str:
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return URI + "#/" + "/".join(quote(p, safe="~@") for p in escaped)


class SpecChecker:
    """Route existence plus request/response validation against discord-openapi.json."""

    def __init__(self, path: Path | None = None) -> None:
        self.spec, self._registry = _load(path or spec_path())
        self._validators: dict[str, Draft202012Validator] = {}

    def missing_routes(self, routes: Iterable[tuple[str, str]]) -> list[str]:
        """Each (METHOD, template) that the spec does not have."""
        paths = self.spec["paths"]
        return [
            f"{method} {template}"
            for method, template in routes
            if method.lower() not in paths.get(template, {})
        ]

    def check_routes(self, routes: Iterable[tuple[str, str]]) -> None:
        missing = self.missing_routes(routes)
        if missing:
            raise RuntimeError(f"fake serves routes that are not in discord-openapi.json: {missing}")

    def _validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            self._validators[pointer] = Draft202012Validator(
                {"$ref": pointer}, registry=self._registry
            )
        return self._validators[pointer]

    def _errors(self, pointer: str, instance: Any, label: str) -> list[str]:
        errors = list(self._validator(pointer).iter_errors(instance))
        if not errors:
            return []
        error = best_match(errors)
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return [f"{label}: at {where}: {error.message[:400]}"]

    def request_errors(self, method: str, template: str, body: Any) -> list[str]:
        """Violations of the route's application/json request schema ([] if none)."""
        op = self.spec["paths"][template][method.lower()]
        content = op.get("requestBody", {}).get("content", {})
        label = f"{method} {template} request"
        if "application/json" not in content:
            return [f"{label}: the spec takes no JSON body here"] if body is not None else []
        pointer = _pointer(
            "paths", template, method.lower(), "requestBody", "content", "application/json", "schema"
        )
        return self._errors(pointer, body, label)

    def response_errors(self, method: str, template: str, status: int, body: Any) -> list[str]:
        """Violations of the spec's response schema for this status ([] if none)."""
        op = self.spec["paths"][template][method.lower()]
        key = next(
            (k for k in (str(status), f"{str(status)[0]}XX", "default") if k in op["responses"]),
            None,
        )
        label = f"{method} {template} response {status}"
        if key is None:
            return [f"{label}: status not in the spec"]
        response = op["responses"][key]
        parts: tuple[str, ...] = ("paths", template, method.lower(), "responses", key)
        if "$ref" in response:
            name = response["$ref"].rsplit("/", 1)[-1]
            response = self.spec["components"]["responses"][name]
            parts = ("components", "responses", name)
        content = response.get("content", {})
        if "application/json" not in content:
            return [f"{label}: the spec has no body here"] if body is not None else []
        if body is None:
            return [f"{label}: the spec expects a JSON body"]
        return self._errors(_pointer(*parts, "content", "application/json", "schema"), body, label)
