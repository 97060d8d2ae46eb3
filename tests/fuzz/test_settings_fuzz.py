"""Fuzzed config files and environment values: Settings or one SettingsError sentence."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from unittest import mock

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.errors import SettingsError
from bot.settings import DEFAULT_CONFIG, Settings
from tests.fuzz.common import FUZZ, mutated

CONFIG = DEFAULT_CONFIG.read_text(encoding="utf-8")
NAMES = (
    "INTERVIEW_BOT_BANK__PATHS", "INTERVIEW_BOT_DISCORD__GUILD_IDS", "INTERVIEW_BOT_SHARDS__IDS",
    "INTERVIEW_BOT_SHARDS__COUNT", "INTERVIEW_BOT_STORE__URL", "INTERVIEW_BOT_STORE__DATA_DIR",
    "INTERVIEW_BOT_ENGINE__MAX_FOLLOW_UPS", "INTERVIEW_BOT_GRADING__GOOD_SCORE",
    "INTERVIEW_BOT_SPEECH__ENGINE", "INTERVIEW_BOT_LOGGING__LEVEL", "INTERVIEW_BOT_ENGIN__X",
    "INTERVIEW_BOT_ENGINE", "INTERVIEW_BOT_ENGINE__", "INTERVIEW_BOT___", "DISCORD_TOKEN",
    "INTERVIEW_BOT_VOICE__END_SILENCE_SECONDS", "INTERVIEW_BOT_QUICKFIRE__ITEMS",
)  # fmt: skip
VALUES = st.one_of(
    st.sampled_from(("", " ", "[1,", "[]", "{}", "1,2", "nonsense", "mysql://x", "-1", "1e999")),
    st.text(max_size=12),
).map(lambda value: value.replace("\x00", ""))  # the environment cannot hold NUL


def _outcome(config: Path) -> str:
    try:
        Settings.load(config)
    except SettingsError as exc:
        return "refused" if "\n" not in str(exc).strip() else f"several lines: {exc}"
    return "loaded"


def _clean_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("INTERVIEW_BOT_")}


@settings(FUZZ, max_examples=150)
@given(content=st.one_of(st.binary(max_size=300), mutated((CONFIG,)).map(str.encode)))
def test_fuzzed_config_files(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_bytes(content)
        with mock.patch.dict(os.environ, _clean_environment(), clear=True):
            assert _outcome(path) in ("loaded", "refused")


@settings(FUZZ, max_examples=150)
@given(variables=st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4))
def test_fuzzed_environment_values(variables: dict[str, str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        environment = _clean_environment() | {"INTERVIEW_BOT_STORE__DATA_DIR": folder} | variables
        with mock.patch.dict(os.environ, environment, clear=True):
            assert _outcome(DEFAULT_CONFIG) in ("loaded", "refused")
