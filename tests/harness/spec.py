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
from jsonschema.exceptions import ValidationError, relevance
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


def _registry(spec: dict[str, Any]) -> Registry:
    return Registry().with_resource(URI, Resource(contents=spec, specification=DRAFT202012))


@cache
def _load(path: Path) -> tuple[dict[str, Any], Registry, Registry]:
    """The spec, a strict registry (for the fake's answers) and a lenient one (for requests).

    Discord accepts integer snowflakes in request bodies (discord.py sends e.g. attachment ids,
    recipient_id and message_reference ids as ints) while the spec types them as strings; the
    lenient registry allows both for requests only.
    """
    spec = json.loads(path.read_text(encoding="utf-8"))
    schemas = dict(spec["components"]["schemas"])
    schemas["SnowflakeType"] = {
        "anyOf": [spec["components"]["schemas"]["SnowflakeType"], {"type": "integer", "minimum": 0}]
    }
    lenient = spec | {"components": spec["components"] | {"schemas": schemas}}
    return spec, _registry(spec), _registry(lenient)


def _pointer(*parts: str) -> str:
    escaped = (p.replace("~", "~0").replace("/", "~1") for p in parts)
    return URI + "#/" + "/".join(quote(p, safe="~@") for p in escaped)


def _wrong_kind(error: ValidationError) -> bool:
    """The branch is for another kind of object: its "type" field or JSON type differs."""
    if list(error.relative_path)[-1:] == ["type"]:
        return True
    return not error.relative_path and error.validator in ("type", "const", "enum")


def _explain(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, descend into the branch that was meant: one whose `type`
    discriminator matched (its errors are not about a "type" property), else the closest."""
    while error.context:
        branches: dict[object, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        meant = [errs for errs in branches.values() if not any(_wrong_kind(e) for e in errs)]
        error = max(min(meant, key=len) if meant else error.context, key=relevance)
    return error


class SpecChecker:
    """Route existence plus request/response validation against discord-openapi.json."""

    def __init__(self, path: Path | None = None) -> None:
        self.spec, self._strict, self._lenient = _load(path or spec_path())
        self._validators: dict[tuple[str, bool], Draft202012Validator] = {}

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
            raise RuntimeError(
                f"fake serves routes that are not in discord-openapi.json: {missing}"
            )

    def _validator(self, pointer: str, lenient: bool) -> Draft202012Validator:
        key = (pointer, lenient)
        if key not in self._validators:
            registry = self._lenient if lenient else self._strict
            self._validators[key] = Draft202012Validator({"$ref": pointer}, registry=registry)
        return self._validators[key]

    def _errors(self, pointer: str, instance: Any, label: str, *, lenient: bool) -> list[str]:
        errors = list(self._validator(pointer, lenient).iter_errors(instance))
        if not errors:
            return []
        error = _explain(max(errors, key=relevance))
        where = "/".join(str(p) for p in error.absolute_path) or "(root)"
        return [f"{label}: at {where}: {error.message[:400]}"]

    def schema_errors(self, name: str, instance: Any) -> list[str]:
        """Violations of one of the spec's component schemas (strict), e.g. AttachmentResponse."""
        pointer = _pointer("components", "schemas", name)
        return self._errors(pointer, instance, name, lenient=False)

    def request_errors(self, method: str, template: str, body: Any) -> list[str]:
        """Violations of the route's application/json request schema ([] if none)."""
        op = self.spec["paths"][template][method.lower()]
        content = op.get("requestBody", {}).get("content", {})
        label = f"{method} {template} request"
        if "application/json" not in content:
            return [f"{label}: the spec takes no JSON body here"] if body is not None else []
        pointer = _pointer(
            "paths",
            template,
            method.lower(),
            "requestBody",
            "content",
            "application/json",
            "schema",
        )
        return self._errors(pointer, body, label, lenient=True)

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
        pointer = _pointer(*parts, "content", "application/json", "schema")
        return self._errors(pointer, body, label, lenient=False)
