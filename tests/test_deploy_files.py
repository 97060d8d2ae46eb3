"""The compose file and Dockerfile stay in step with the settings."""

from __future__ import annotations

import yaml

from bot.settings import ENV_PREFIX, Settings
from tests.conftest import ROOT


def test_compose_environment_names_are_real_settings() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    assert bot["env_file"] == ".env"
    assert "DISCORD_TOKEN" not in str(bot.get("environment"))
    for name in bot["environment"]:
        assert name.startswith(ENV_PREFIX)
        section, key = name.removeprefix(ENV_PREFIX).lower().split("__")
        assert key in Settings.model_fields[section].annotation.model_fields  # type: ignore[union-attr]
    assert bot["volumes"] == ["bot-data:/data"]
    assert "bot-data" in compose["volumes"]


def test_dockerfile_installs_the_package_and_runs_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install --no-cache-dir -e ." in dockerfile
    assert 'CMD ["interview-bot", "run"]' in dockerfile
    for folder in ("bot", "config", "question_bank"):
        assert f"COPY {folder} ./{folder}" in dockerfile
