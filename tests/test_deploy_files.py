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
        if name == "HF_HOME":  # the Hugging Face cache for hub models, on the cache volume
            continue
        assert name.startswith(ENV_PREFIX)
        section, key = name.removeprefix(ENV_PREFIX).lower().split("__")
        assert key in Settings.model_fields[section].annotation.model_fields  # type: ignore[union-attr]
    assert bot["volumes"] == ["bot-data:/data", "model-cache:/cache"]
    assert {"bot-data", "db-data"} <= set(compose["volumes"])


def test_compose_bot_waits_for_a_healthy_postgres_it_can_reach() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    bot, db = compose["services"]["bot"], compose["services"]["db"]
    assert bot["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    url = bot["environment"]["INTERVIEW_BOT_STORE__URL"]
    user, database = db["environment"]["POSTGRES_USER"], db["environment"]["POSTGRES_DB"]
    assert url.startswith(f"postgresql+asyncpg://{user}:")
    assert url.endswith(f"@db:5432/{database}")
    assert db["environment"]["POSTGRES_PASSWORD"] == "${POSTGRES_PASSWORD}"  # from .env only


def test_dockerfile_installs_the_package_and_runs_the_bot() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "ARG EXTRAS=voice" in dockerfile
    assert 'pip install --no-cache-dir -e ".[$EXTRAS]"' in dockerfile
    assert 'CMD ["interview-bot", "run"]' in dockerfile
    for folder in ("bot", "config", "question_bank"):
        assert f"COPY {folder} ./{folder}" in dockerfile


def test_dockerfile_installs_the_debian_packages_ci_installs() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    setup = (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    for package in ("espeak-ng", "libopus0", "ffmpeg"):
        assert package in dockerfile
        assert package in ci
        assert package in setup


def test_compose_keeps_the_model_cache_on_a_volume() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    bot = compose["services"]["bot"]
    cache = bot["environment"]["INTERVIEW_BOT_SPEECH__CACHE_DIR"]
    assert f"model-cache:{cache}" in bot["volumes"]
    assert "model-cache" in compose["volumes"]
