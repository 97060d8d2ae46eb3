"""scripts/: setup waits for a busy apt lock and says what failed; torch comes from the CPU index
when it can be reached."""

from __future__ import annotations

import fcntl
import os
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

LOCK = Path("/var/lib/dpkg/lock-frontend")
INSTALLED = "espeak-ng"  # installed on every machine the tests run on (voice needs it)


@pytest.fixture
def held_lock() -> Iterator[threading.Event]:
    """The dpkg frontend lock held (as an unattended upgrade would) until the event is set."""
    fd = os.open(LOCK, os.O_RDWR | os.O_CREAT, 0o640)
    fcntl.lockf(fd, fcntl.LOCK_EX)
    release = threading.Event()

    def let_go() -> None:
        release.wait(60)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        os.close(fd)

    thread = threading.Thread(target=let_go)
    thread.start()
    yield release
    release.set()
    thread.join()


def apt_install(*packages: str, wait: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "scripts" / "apt-install"), *packages],
        capture_output=True,
        text=True,
        env={**os.environ, "APT_LOCK_WAIT_SECONDS": str(wait)},
        timeout=120,
        check=False,
    )


def test_apt_install_waits_for_the_lock(held_lock: threading.Event) -> None:
    threading.Timer(2.0, held_lock.set).start()
    result = apt_install(INSTALLED, wait=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "Waiting for another apt-get or dpkg to finish (up to 60 s)...\n"


def test_apt_install_gives_up_with_one_sentence(held_lock: threading.Event) -> None:
    result = apt_install(INSTALLED, wait=1)
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "scripts/apt-install: another apt-get or dpkg still holds the package lock after 1 s; "
        f"let it finish, then run: apt-get install {INSTALLED}"
    )
    assert "Could not get lock" not in result.stderr  # apt's raw message stays out


def test_cpu_torch_falls_back_when_the_index_is_unreachable() -> None:
    result = subprocess.run(
        [str(ROOT / "scripts" / "cpu-torch"), "python3"],
        capture_output=True,
        text=True,
        env={**os.environ, "TORCH_INDEX_URL": "http://127.0.0.1:1/whl/cpu"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0
    assert result.stderr == (
        "PyTorch's CPU index (http://127.0.0.1:1/whl/cpu) cannot be reached; pip resolves "
        "torch==2.13.0 as usual.\n"
    )


def test_setup_dockerfile_and_readme_name_the_cpu_index() -> None:
    index = "https://download.pytorch.org/whl/cpu"
    assert index in (ROOT / "scripts" / "cpu-torch").read_text(encoding="utf-8")
    assert "scripts/cpu-torch" in (ROOT / "scripts" / "setup").read_text(encoding="utf-8")
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert f"ARG TORCH_INDEX_URL={index}" in dockerfile
    assert index in (ROOT / "README.md").read_text(encoding="utf-8")
