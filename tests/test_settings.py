"""Settings that only make sense together: the shards a process runs must fit the count."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings

KEY = "shards.ids (environment: INTERVIEW_BOT_SHARDS__IDS)"


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
    with pytest.raises(SettingsError) as caught:
        Settings.load(config(tmp_path, shards))
    assert caught.value.key == KEY
    assert caught.value.message == message
    assert str(caught.value) == f"Invalid setting {KEY}: {message}"


def test_shard_ids_from_the_environment_are_checked_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INTERVIEW_BOT_SHARDS__COUNT", "2")
    monkeypatch.setenv("INTERVIEW_BOT_SHARDS__IDS", "[1, 1]")
    with pytest.raises(SettingsError, match=r"shards\.ids .*: shard 1 is listed twice"):
        Settings.load(config(tmp_path, ""))


@pytest.mark.parametrize(
    ("shards", "count", "ids"),
    [("", 0, []), ("count = 2", 2, []), ("count = 4\nids = [3, 0]", 4, [3, 0])],
)
def test_valid_shard_settings(tmp_path: Path, shards: str, count: int, ids: list[int]) -> None:
    loaded = Settings.load(config(tmp_path, shards)).shards
    assert (loaded.count, loaded.ids) == (count, ids)
