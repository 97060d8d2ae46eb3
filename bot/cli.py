"""The `interview-bot` command: start, practice, bank validate/list, grade, say, transcribe."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from bot.bank.loader import load_bank, validate_paths
from bot.bank.models import Difficulty
from bot.errors import DiscordUnreachable, InterviewBotError, QuestionBankError, SpeechError
from bot.logging_setup import setup_logging
from bot.settings import Settings

log = logging.getLogger(__name__)


MAX_COUNT = 50  # the most questions or quick-fire items one session asks (as in settings)


def _one_line(message: str) -> str:
    """`message` with control characters (from what a person typed) escaped."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line (the usage stays in --help)."""

    def error(self, message: str) -> NoReturn:
        """Print `prog: message` (control characters escaped, so it stays one line) and exit 2."""
        self.exit(2, f"{self.prog}: {_one_line(message)} (see {self.prog} --help)\n")


def _count(text: str) -> int:
    """A number of questions or items: a whole number from 1 to MAX_COUNT."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"must be from 1 to {MAX_COUNT}, not {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="interview-bot", description="Practise machine-learning interviews.")
    parser.add_argument("--config", type=Path, help="a TOML config file instead of the default")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    start = commands.add_parser(
        "start", help="run the Discord bot, or terminal practice without a token"
    )
    _add_practice_options(start)
    commands.add_parser("run", help="run the Discord bot (needs DISCORD_TOKEN)")

    practice = commands.add_parser("practice", help="practise in this terminal")
    _add_practice_options(practice)

    bank = commands.add_parser("bank", help="check or list the question bank")
    bank_commands = bank.add_subparsers(dest="bank_command", required=True)
    validate = bank_commands.add_parser("validate", help="check bank files; exit 1 on problems")
    validate.add_argument("paths", nargs="*", type=Path, help="files or folders (default: config)")
    listing = bank_commands.add_parser("list", help="list bank items")
    _add_filters(listing)
    listing.add_argument("--json", action="store_true", help="print a JSON array")

    grade = commands.add_parser("grade", help="grade an answer to a question or follow-up")
    grade.add_argument("question_id")
    grade.add_argument(
        "--answer-file", type=Path, required=True, help="the answer text ('-': stdin)"
    )
    grade.add_argument("--json", action="store_true", help="print JSON")

    say = commands.add_parser("say", help="speak a text into a WAV file (text to speech)")
    say.add_argument("text")
    say.add_argument("--out", type=Path, required=True, help="the WAV file to write")

    transcribe = commands.add_parser("transcribe", help="transcribe an audio file with Whisper")
    transcribe.add_argument("audio", type=Path, help="WAV, FLAC, OGG, MP3, ... at any rate")
    transcribe.add_argument(
        "--engine", choices=["faster-whisper", "openai-whisper", "remote"], help="default: config"
    )
    transcribe.add_argument("--model", help="default: config (tiny.en, offline)")
    vocabulary = transcribe.add_mutually_exclusive_group()
    vocabulary.add_argument("--prompt", help="words to prime the recogniser with")
    vocabulary.add_argument("--question", help="prime it with this bank question's vocabulary")
    transcribe.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _add_filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--topic", help="only this topic ('Deep Learning' or deep-learning)")
    parser.add_argument("--difficulty", choices=[d.value for d in Difficulty])


def _add_practice_options(parser: argparse.ArgumentParser) -> None:
    _add_filters(parser)
    parser.add_argument("--mode", choices=["solo", "quickfire"], default="solo")
    parser.add_argument(
        "--questions", type=_count, help=f"how many questions or items (1 to {MAX_COUNT})"
    )
    parser.add_argument("--user", default="you", help="the name your attempts are kept under")
    parser.add_argument(
        "--review", action="store_true", help="only the questions due for you (spaced repetition)"
    )
    parser.add_argument(
        "--report", type=Path, metavar="FILE", help="also write the report card to FILE (Markdown)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.load(args.config)
        quiet = args.command not in ("start", "run") and settings.logging.level != "DEBUG"
        setup_logging("WARNING" if quiet else settings.logging.level, settings.secrets())
        return _dispatch(args, settings)
    except BrokenPipeError:
        return _pipe_closed()
    except QuestionBankError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    except InterviewBotError as exc:
        print(f"interview-bot: {_one_line(str(exc))}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("Stopped. Everything you answered is saved.", file=sys.stderr)
        return 130


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands  # noqa: PLC0415  (keeps `--help` fast)

    match args.command:
        case "bank" | "grade":
            return _bank_commands(args, settings)
        case "practice":
            return commands.practice(settings, args)
        case "say" | "transcribe":
            return _speech(args, settings)
        case "run":
            return _discord(settings)
        case _:
            if settings.discord_token is not None:
                return _discord(settings)
            return commands.start(settings, _with_practice_defaults(args))


def _with_practice_defaults(args: argparse.Namespace) -> argparse.Namespace:
    """`interview-bot` with no command means `start` with its defaults."""
    defaults: dict[str, object] = {"topic": None, "difficulty": None, "mode": "solo"}
    defaults |= {"questions": None, "user": "you", "review": False, "report": None}
    return argparse.Namespace(**(defaults | vars(args)))


def _discord(settings: Settings) -> int:
    """Run the Discord bot; a network that cannot reach Discord is one sentence."""
    from bot.discord.runner import run_bot  # noqa: PLC0415 - loads discord.py

    try:
        return run_bot(settings)
    except OSError as exc:  # aiohttp's connection errors are OSErrors
        raise DiscordUnreachable(_reason(exc)) from None


def _reason(exc: OSError) -> str:
    cause: BaseException | None = exc
    while cause is not None and cause.__cause__ is not None:
        cause = cause.__cause__
    text = str(getattr(cause, "strerror", None) or cause or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def _pipe_closed() -> int:
    """The reader of our output went away (`| head`): stop quietly, as a killed pipe would."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit does not fail again
    return 141  # 128 + SIGPIPE, what a shell reports for a command ended by a closed pipe


def _bank_commands(args: argparse.Namespace, settings: Settings) -> int:
    from bot import commands  # noqa: PLC0415  (keeps `--help` fast)

    if args.command == "bank" and args.bank_command == "validate":
        return _bank_validate(args.paths or settings.bank_paths())
    bank = load_bank(settings.bank_paths())
    if args.command == "grade":
        return commands.grade(bank, settings, args.question_id, args.answer_file, args.json)
    return commands.bank_list(bank, args.topic, _difficulty(args), as_json=args.json)


def _speech(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from bot.speech import commands as speech  # noqa: PLC0415 - loads the voice extra
    except ModuleNotFoundError as exc:
        raise SpeechError(
            f"Speech needs the voice extra ({exc.name} is not installed): run "
            "scripts/setup voice, or pip install 'interview-bot[voice]'."
        ) from None

    if args.command == "say":
        return speech.say(settings, args.text, args.out)
    bank = load_bank(settings.bank_paths()) if args.question else None
    return speech.transcribe(
        settings,
        args.audio,
        engine=args.engine,
        model=args.model,
        prompt=args.prompt,
        question=args.question,
        bank=bank,
        as_json=args.json,
    )


def _difficulty(args: argparse.Namespace) -> Difficulty | None:
    return Difficulty(args.difficulty) if args.difficulty else None


def _bank_validate(paths: Sequence[Path]) -> int:
    bank, problems = validate_paths(paths)
    for problem in problems:
        print(problem)
    if bank is None:
        return 1
    print(
        f"ok: {len(bank.questions)} questions "
        f"({sum(len(t.descendant_ids()) for t in bank.trees.values())} follow-ups), "
        f"{len(bank.quickfire)} quick-fire items, {len(bank.strategy)} strategy sections",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
