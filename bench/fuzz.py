"""Fuzz campaigns behind docs/benchmarks.md: inputs tried, how each ended, the worst time.

Run: .venv/bin/python -m bench.fuzz [--bank 20000] [--settings 5000] [--audio 250] [--cli 2000]

Every input must end as a result or as one of our errors (problem lines, SettingsError,
SpeechError, an exit code); anything else is counted as a traceback, by kind. The mutations are
the fuzz suite's (tests/fuzz), drawn from a seeded random generator instead of hypothesis so a
campaign of tens of thousands of inputs stays cheap.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from unittest import mock

from bot.bank.loader import validate_paths
from bot.cli import main as cli_main
from bot.errors import SettingsError, SpeechError
from bot.settings import DEFAULT_CONFIG, PROJECT_ROOT, Settings
from tests.bank.test_hostile_files import billion_laughs
from tests.fuzz.common import TOKENS

DATA = PROJECT_ROOT / "tests" / "data"


def mutate(text: str, rng: random.Random) -> str:
    """A few insertions, deletions and replacements of YAML/TOML-ish tokens or random text."""
    for _ in range(rng.randint(1, 6)):
        position = rng.randint(0, len(text))
        piece = rng.choice(TOKENS) if rng.random() < 0.7 else _noise(rng)
        kind = rng.choice(("insert", "delete", "replace"))
        if kind == "insert":
            text = text[:position] + piece + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + rng.randint(1, 20) :]
        else:
            text = text[:position] + piece + text[position + len(piece) :]
    return text


def _noise(rng: random.Random) -> str:
    return "".join(chr(rng.choice((rng.randint(0, 127), rng.randint(0, 0x2FFF)))) for _ in "ab")


def damage(data: bytes, rng: random.Random, fraction: float = 0.01) -> bytes:
    """`data` with `fraction` of its bytes randomised."""
    out = bytearray(data)
    for _ in range(max(1, int(len(out) * fraction))):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


class Campaign:
    """Counts outcomes and times of one campaign."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.outcomes: collections.Counter[str] = collections.Counter()
        self.tracebacks: collections.Counter[str] = collections.Counter()
        self.times: list[float] = []

    def run(self, attempt: Callable[[], str]) -> None:
        """Time one input; an exception that escapes is a traceback."""
        start = time.perf_counter()
        try:
            self.outcomes[attempt()] += 1
        except Exception as exc:
            self.tracebacks[f"{type(exc).__name__}: {str(exc)[:60]}"] += 1
        self.times.append(time.perf_counter() - start)

    def report(self) -> str:
        """One paragraph of figures."""
        tried = len(self.times)
        lines = [
            f"{self.name}: {tried:,} inputs, {sum(self.tracebacks.values())} tracebacks, "
            f"median {statistics.median(self.times) * 1000:.1f} ms, "
            f"worst {max(self.times) * 1000:.0f} ms",
            "  outcomes: " + ", ".join(f"{k} {v:,}" for k, v in self.outcomes.most_common()),
        ]
        lines += [f"  traceback {count}x {kind}" for kind, count in self.tracebacks.most_common()]
        return "\n".join(lines)


def bank_campaign(count: int, rng: random.Random, folder: Path) -> Campaign:
    """Mutated bank files through the loader."""
    seeds = [
        (DATA / "mini_bank.yaml").read_text(encoding="utf-8"),
        (PROJECT_ROOT / "question_bank" / "strategy.yaml").read_text(encoding="utf-8"),
        "a: &a [1, 2]\nquestions: *a\n",
    ]
    campaign = Campaign("bank loader")
    path = folder / "bank.yaml"

    def attempt() -> str:
        path.write_text(mutate(rng.choice(seeds), rng), encoding="utf-8", errors="surrogatepass")
        bank, _ = validate_paths([path])
        return "loaded" if bank is not None else "problem lines"

    for _ in range(count):
        campaign.run(attempt)
    return campaign


@contextlib.contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """The process environment without INTERVIEW_BOT_* and DISCORD_TOKEN, plus `variables`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_BOT_")}
    clean.pop("DISCORD_TOKEN", None)
    with mock.patch.dict(os.environ, clean | variables, clear=True):
        yield


def settings_campaign(count: int, rng: random.Random, folder: Path) -> Campaign:
    """Config files (random bytes, mutated TOML) and environment values through Settings.load."""
    config = DEFAULT_CONFIG.read_text(encoding="utf-8")
    names = [
        "INTERVIEW_BOT_BANK__PATHS", "INTERVIEW_BOT_DISCORD__GUILD_IDS", "INTERVIEW_BOT_STORE__URL",
        "INTERVIEW_BOT_STORE__DATA_DIR", "INTERVIEW_BOT_SHARDS__IDS", "INTERVIEW_BOT_ENGIN__X",
        "INTERVIEW_BOT_GRADING__GOOD_SCORE", "INTERVIEW_BOT_ENGINE__MAX_FOLLOW_UPS",
        "DISCORD_TOKEN", "INTERVIEW_BOT_ENGINE", "INTERVIEW_BOT_SPEECH__RATE",
    ]  # fmt: skip
    campaign = Campaign("settings")
    path = folder / "config.toml"

    def attempt() -> str:
        variables: dict[str, str] = {"INTERVIEW_BOT_STORE__DATA_DIR": str(folder)}
        if rng.random() < 0.5:
            raw = bytes(rng.randrange(256) for _ in range(rng.randint(0, 200)))
            path.write_bytes(raw if rng.random() < 0.5 else mutate(config, rng).encode())
        else:
            path.write_text(config, encoding="utf-8")
            for _ in range(rng.randint(1, 3)):
                value = mutate(rng.choice(["[1, 2]", "1,2", "x", "", "0.5", "/srv"]), rng)
                variables[rng.choice(names)] = value.replace("\x00", "")
        with environment(variables):
            try:
                Settings.load(path)
            except SettingsError:
                return "one sentence"
        return "loaded"

    for _ in range(count):
        campaign.run(attempt)
    return campaign


def audio_campaign(count: int, rng: random.Random) -> Campaign:
    """MP3s with 1 % of their bytes randomised (as the issue's), through load_audio."""
    from bot.speech.audio import load_audio  # noqa: PLC0415
    from tests.speech.test_bad_audio import mp3  # noqa: PLC0415 - needs the voice extra

    original = mp3()
    campaign = Campaign("audio decoding (damaged MP3)")

    def attempt() -> str:
        try:
            load_audio(damage(original, rng))
        except SpeechError:
            return "one sentence"
        return "decoded"

    for _ in range(count):
        campaign.run(attempt)
    return campaign


def cli_campaign(count: int, rng: random.Random, folder: Path) -> Campaign:
    """Command lines of bank list / grade with fuzzed words and stdin, in process."""
    words = ["--json", "--topic", "--difficulty", "--answer-file", "-", "t-overfitting"]
    words += ["t-qf-l1", "advanced", "Deep Learning", "--questions", "0", "--config", "--help"]
    campaign = Campaign("command line")

    def attempt() -> str:
        argv = rng.choice((["bank", "list"], ["grade"], ["bank"]))
        argv += [rng.choice(words) if rng.random() < 0.7 else mutate("x", rng) for _ in "abc"]
        stdin = mutate("It fits the noise of the training data.", rng)
        variables = {
            "INTERVIEW_BOT_BANK__PATHS": str(DATA / "mini_bank.yaml"),
            "INTERVIEW_BOT_STORE__DATA_DIR": str(folder),
        }
        out, err = io.StringIO(), io.StringIO()
        with (
            environment(variables),
            mock.patch.object(sys, "stdin", io.StringIO(stdin)),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = cli_main([a.replace("\x00", "") for a in argv])
            except SystemExit as stop:
                code = stop.code if isinstance(stop.code, int) else 2
        if "Traceback" in err.getvalue() or len(err.getvalue().strip().splitlines()) > 1:
            raise AssertionError(err.getvalue()[:60])
        return f"exit {code}"

    for _ in range(count):
        campaign.run(attempt)
    return campaign


def alias_bombs(folder: Path) -> str:
    """Time the billion-laughs files (eight and nine levels of nine aliases)."""
    lines = []
    for levels in (8, 9):
        path = folder / f"laughs-{levels}.yaml"
        path.write_text(billion_laughs(levels), encoding="utf-8")
        start = time.perf_counter()
        _, problems = validate_paths([path])
        elapsed = time.perf_counter() - start
        lines.append(
            f"alias bomb, {levels} levels ({path.stat().st_size} bytes): {elapsed * 1000:.1f} ms, "
            f"{len(problems)} problem line: {problems[0].message if problems else 'none'}"
        )
    return "\n".join(lines)


def main() -> int:
    """Run the campaigns and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bank", type=int, default=20_000)
    parser.add_argument("--settings", type=int, default=5_000)
    parser.add_argument("--audio", type=int, default=250)
    parser.add_argument("--cli", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        print(alias_bombs(folder), flush=True)
        print(bank_campaign(args.bank, rng, folder).report(), flush=True)
        print(settings_campaign(args.settings, rng, folder).report(), flush=True)
        print(audio_campaign(args.audio, rng).report(), flush=True)
        print(cli_campaign(args.cli, rng, folder).report(), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
