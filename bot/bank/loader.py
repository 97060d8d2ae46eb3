"""Load bank files from disk, turning every problem into `file:line: field: message`."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.bank import yaml_lines
from bot.bank.cache import ParseCache
from bot.bank.catalog import Bank
from bot.bank.checks import check_bank
from bot.bank.models import BankFile
from bot.errors import BankProblem, QuestionBankError

log = logging.getLogger(__name__)

BANK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class ParsedFile:
    """One bank file that passed schema validation, with its node tree for line look-ups."""

    path: Path
    content: BankFile
    root: yaml.Node | None

    def problem(self, loc: yaml_lines.Loc, message: str) -> BankProblem:
        """A problem at `loc` inside this file."""
        line, field = yaml_lines.locate(self.root, loc)
        return BankProblem(self.path, line, field, message)


def bank_files(paths: Iterable[Path]) -> tuple[list[Path], list[BankProblem]]:
    """Expand folders into their YAML files (sorted); report paths that do not exist."""
    files: list[Path] = []
    problems: list[BankProblem] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in BANK_SUFFIXES))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(BankProblem(path, 0, "(path)", "no such file or folder"))
    return files, problems


def _read(path: Path) -> str | list[BankProblem]:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [BankProblem(path, 0, "(file)", f"cannot be read: {exc}")]


def _document(path: Path, text: str) -> tuple[yaml.Node | None, Any] | list[BankProblem]:
    """The file's node tree and its data, or the one problem that stops reading it."""
    try:
        root = yaml_lines.compose(text)
    except yaml_lines.YamlRefused as exc:
        return [BankProblem(path, exc.line, "(yaml)", exc.message)]
    try:
        return root, yaml_lines.construct(root)
    except yaml_lines.YamlRefused as exc:
        field = yaml_lines.field_at(root, exc.line, exc.column)
        return [BankProblem(path, exc.line, field, exc.message)]


def parse_file(path: Path, cache: ParseCache | None = None) -> ParsedFile | list[BankProblem]:
    """Read and schema-validate one file: the parsed file, or the problems found (with a
    `cache`, a text that loaded cleanly before skips the YAML; its ParsedFile has no root)."""
    text = _read(path)
    if isinstance(text, list):
        return text
    if cache is not None and (cached := cache.get(text)) is not None:
        try:
            return ParsedFile(path, BankFile.model_validate(cached), None)
        except ValidationError:
            pass  # the models changed: the full parse below reports it with lines
    parsed = _parse(path, text)
    if cache is not None and isinstance(parsed, tuple):
        cache.put(text, parsed[1])
    return parsed[0] if isinstance(parsed, tuple) else parsed


def _parse(path: Path, text: str) -> tuple[ParsedFile, Any] | list[BankProblem]:
    document = _document(path, text)
    if isinstance(document, list):
        return document
    root, data = document
    problems = [
        BankProblem(path, line, yaml_lines.locate(root, loc)[1], message)
        for loc, line, message in yaml_lines.duplicate_keys(root)
    ]
    if not isinstance(data, dict):
        problems.append(
            BankProblem(
                path,
                1,
                "(file)",
                "the file must be a mapping with questions, quickfire or strategy",
            )
        )
        return problems
    try:
        content = BankFile.model_validate(data)
    except ValidationError as exc:
        problems.extend(_schema_problems(path, root, exc))
        return problems
    if problems:
        return problems
    return ParsedFile(path, content, root), data


def _schema_problems(path: Path, root: yaml.Node | None, exc: ValidationError) -> list[BankProblem]:
    problems = []
    errors = exc.errors(include_url=False)
    deeper = {tuple(e["loc"][:i]) for e in errors for i in range(len(e["loc"]))}
    for error in errors:
        if error["type"] == "too_short" and tuple(error["loc"]) in deeper:
            continue  # a list emptied only because its items failed: those errors say why
        line, field = yaml_lines.locate(root, _without_union_tags(error["loc"]))
        problems.append(BankProblem(path, line, field, _message(error)))
    return problems


_TAGS = {"follow_ups": ("node", "ref"), "when": ("always", "missed", "covered")}


def _without_union_tags(loc: yaml_lines.Loc) -> list[int | str]:
    """Drop the tags pydantic puts in a location after a tagged union (follow-ups, conditions)."""
    cleaned: list[int | str] = []
    for index, element in enumerate(loc):
        before = loc[index - 1] if index >= 1 else None
        owner = loc[index - 2] if index >= 2 and isinstance(before, int) else before
        is_tag = isinstance(owner, str) and element in _TAGS.get(owner, ())
        if is_tag and (owner == "when" or isinstance(before, int)):
            continue
        cleaned.append(element)
    return cleaned


def _message(error: object) -> str:
    assert isinstance(error, dict)
    kind = error.get("type")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling against docs/question-bank.md)"
    message = str(error.get("msg", "invalid value"))
    return message[:1].lower() + message[1:]


def validate_paths(
    paths: Sequence[Path], cache: ParseCache | None = None
) -> tuple[Bank | None, list[BankProblem]]:
    """Load and check every bank file under `paths`: the bank when valid, and all problems
    (`cache`: see bank/cache.py; problems always come from a full parse)."""
    files, problems = bank_files(paths)
    if not files and not problems:
        problems.append(
            BankProblem(
                Path(*paths[:1]) if paths else Path("."), 0, "(path)", "no .yaml bank files found"
            )
        )
    parsed: list[ParsedFile] = []
    for path in files:
        result = parse_file(path, cache)
        if isinstance(result, ParsedFile):
            parsed.append(result)
        else:
            problems.extend(result)
    problems.extend(check_bank(parsed))
    if problems and cache is not None:
        return validate_paths(paths)  # cached files have no node tree: parse for the lines
    if problems:
        return None, sorted(problems, key=lambda p: (str(p.path), p.line))
    return Bank.from_files([p.content for p in parsed]), []


def load_bank(paths: Sequence[Path], cache_dir: Path | None = None) -> Bank:
    """Load the bank or raise QuestionBankError listing every problem (`cache_dir`: keep the
    parsed YAML of clean files there for the next start, see bank/cache.py)."""
    cache = ParseCache(cache_dir) if cache_dir is not None else None
    bank, problems = validate_paths(paths, cache)
    if bank is None:
        raise QuestionBankError(problems)
    log.info(
        "loaded %d questions and %d quick-fire items", len(bank.questions), len(bank.quickfire)
    )
    return bank
