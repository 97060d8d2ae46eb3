"""Settings: values that only make sense together, and every bad input as one sentence."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings

ENV_KEY = "shards.ids (environment: INTERVIEW_BOT_SHARDS__IDS)"


def config(tmp_path: Path, shards: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"[shards]\n{shards}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("shards", "message"),
    [
        ("count = 2\nids = [0, 2]", "shard 2 is out of range: count 2 allows ids 0 to 1"),
        ("count = 2\nids = [-1]", "shard -1 is out of range: count 2 allows ids 0 to 1"),
        ("count = 4\nids = [1, 3, 1]", "shard 1 is listed twice"),
        ("count = 0\nids = [0]", "shard ids need a shard count above 0"),
    ],
)
def test_shard_ids_must_fit_the_count(tmp_path: Path, shards: str, message: str) -> None:
    path = config(tmp_path, shards)
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    key = f"shards.ids (in {path})"  # the file is blamed, not a variable that was never set
    assert caught.value.key == key
    assert caught.value.message == message
    assert str(caught.value) == f"Invalid setting {key}: {message}"


def test_shard_ids_from_the_environment_are_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEW_BOT_SHARDS__COUNT", "2")
    monkeypatch.setenv("INTERVIEW_BOT_SHARDS__IDS", "[1, 1]")
    with pytest.raises(SettingsError) as caught:
        Settings.load(config(tmp_path, ""))
    assert str(caught.value) == f"Invalid setting {ENV_KEY}: shard 1 is listed twice"


@pytest.mark.parametrize(
    ("shards", "count", "ids"),
    [("", 0, []), ("count = 2", 2, []), ("count = 4\nids = [3, 0]", 4, [3, 0])],
)
def test_valid_shard_settings(tmp_path: Path, shards: str, count: int, ids: list[int]) -> None:
    loaded = Settings.load(config(tmp_path, shards)).shards
    assert (loaded.count, loaded.ids) == (count, ids)


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The environment with no INTERVIEW_BOT_* settings and no DISCORD_TOKEN."""
    for name in list(os.environ):
        if name.startswith("INTERVIEW_BOT_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    return monkeypatch


def failure(config_file: Path | None = None) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings.load(config_file)
    return str(caught.value)


def test_config_file_not_utf8_or_a_folder(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    binary = tmp_path / "latin1.toml"
    binary.write_bytes("[engine]\n# caf\xe9\n".encode("latin-1"))
    assert failure(binary) == (
        f"Invalid setting config file: {binary} is not UTF-8 text (byte 14 is not valid UTF-8)"
    )
    assert (
        failure(tmp_path) == f"Invalid setting config file: {tmp_path} is a folder, not a TOML file"
    )


@pytest.mark.parametrize(
    ("variable", "value", "section", "key", "expected"),
    [
        ("INTERVIEW_BOT_BANK__PATHS", "/srv/bank", "bank", "paths", [Path("/srv/bank")]),
        ("INTERVIEW_BOT_BANK__PATHS", '["a", "b"]', "bank", "paths", [Path("a"), Path("b")]),
        ("INTERVIEW_BOT_DISCORD__GUILD_IDS", "123,456", "discord", "guild_ids", [123, 456]),
        ("INTERVIEW_BOT_DISCORD__GUILD_IDS", " 123 , 456 ", "discord", "guild_ids", [123, 456]),
        ("INTERVIEW_BOT_DISCORD__GUILD_IDS", "[123, 456]", "discord", "guild_ids", [123, 456]),
        ("INTERVIEW_BOT_SHARDS__IDS", "1", "shards", "ids", [1]),
    ],
)
def test_list_settings_take_plain_values_and_json(
    env: pytest.MonkeyPatch, variable: str, value: str, section: str, key: str, expected: object
) -> None:
    env.setenv(variable, value)
    if section == "shards":
        env.setenv("INTERVIEW_BOT_SHARDS__COUNT", "2")
    assert getattr(getattr(Settings.load(), section), key) == expected


def test_a_broken_json_list_is_one_sentence(env: pytest.MonkeyPatch) -> None:
    env.setenv("INTERVIEW_BOT_DISCORD__GUILD_IDS", "[123,")
    assert failure().startswith(
        "Invalid setting discord.guild_ids (environment: INTERVIEW_BOT_DISCORD__GUILD_IDS): "
        "is not a valid JSON array"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nonsense", "is not a database URL"),
        ("mysql://x", "needs an async driver"),
        ("sqlite:///x.db", "needs an async driver"),
        ("mysql+aiomysql://x", "needs the aiomysql driver, which is not installed"),
        ("nosuchdb+x://h/d", "names a database this bot does not know"),
    ],
)
def test_store_url_is_checked_at_start(env: pytest.MonkeyPatch, url: str, message: str) -> None:
    env.setenv("INTERVIEW_BOT_STORE__URL", url)
    assert failure().startswith(
        f"Invalid setting store.url (environment: INTERVIEW_BOT_STORE__URL): {message} (for example"
    )


@pytest.mark.parametrize("token", ["", "   "])
def test_an_empty_discord_token_is_unset(env: pytest.MonkeyPatch, token: str) -> None:
    env.setenv("DISCORD_TOKEN", token)
    assert Settings.load().discord_token is None


def test_a_bad_file_value_names_the_file_and_key(tmp_path: Path, env: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[engine]\nmax_follow_ups = "many"\n', encoding="utf-8")
    assert failure(path) == (
        f"Invalid setting engine.max_follow_ups (in {path}): input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_a_misspelled_section_is_caught_like_a_misspelled_key(env: pytest.MonkeyPatch) -> None:
    env.setenv("INTERVIEW_BOT_ENGIN__MAX_FOLLOW_UPS", "2")
    assert failure() == (
        "Invalid setting INTERVIEW_BOT_ENGIN__MAX_FOLLOW_UPS (environment): unknown setting: "
        "there is no section 'engin' (sections: bank, engine, quickfire, grading, store, "
        "discord, speech, voice, shards, daily, logging)"
    )
    env.delenv("INTERVIEW_BOT_ENGIN__MAX_FOLLOW_UPS")
    env.setenv("INTERVIEW_BOT_ENGINE__MAX_FOLLOWUPS", "2")
    assert failure().endswith("unknown setting")


def test_good_score_below_pass_score_is_refused(env: pytest.MonkeyPatch) -> None:
    env.setenv("INTERVIEW_BOT_GRADING__GOOD_SCORE", "0.3")
    assert failure().endswith("good_score (0.3) must be at least pass_score (0.4)")
    assert "environment: INTERVIEW_BOT_GRADING__GOOD_SCORE" in failure()


@pytest.mark.parametrize(
    ("line", "key", "message"),
    [
        (
            'reminder_time = "25:00"',
            "daily.reminder_time",
            "'25:00' is not a time of day; write it as HH:MM, e.g. 09:30.",
        ),
        (
            'reminder_zone = "Mars/Olympus"',
            "daily.reminder_zone",
            "'Mars/Olympus' is not a time zone I know; use a name like Europe/Berlin or UTC.",
        ),
    ],
)
def test_a_bad_reminder_default_is_one_sentence(
    tmp_path: Path, line: str, key: str, message: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[daily]\n{line}\n", encoding="utf-8")
    with pytest.raises(SettingsError) as caught:
        Settings.load(path)
    assert caught.value.key == f"{key} (in {path})"
    assert caught.value.message == message
