"""Fixtures for the bank tests: the shipped bank, loaded once."""

from __future__ import annotations

import pytest

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from tests.conftest import ROOT


@pytest.fixture(scope="session")
def shipped() -> Bank:
    """The question bank as shipped in question_bank/."""
    return load_bank([ROOT / "question_bank"])
