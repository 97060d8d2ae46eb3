"""The grader's vocabularies computed ahead (bot/grading/grader.py warm_up, started by
build_app): every node of the bank, the same stems as computed on first use, stoppable."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.app import build_app
from bot.bank.catalog import Bank
from bot.grading.grader import AnswerGrader
from bot.settings import BankSettings, Settings, StoreSettings
from tests.conftest import DATA


def test_warm_up_computes_every_nodes_vocabulary_as_first_use_would(mini_bank: Bank) -> None:
    warm, cold = AnswerGrader(), AnswerGrader()
    nodes = [(t.question, n) for t in mini_bank.trees.values() for n in t.nodes.values()]
    assert warm.warm_up(mini_bank.trees.values()) == len(nodes) > 1
    assert len(warm.vocabularies._stems) == len(nodes)
    for question, node in nodes:
        assert warm.vocabularies.of(question, node) == cold.vocabularies.of(question, node)


def test_warm_up_stops_when_told(mini_bank: Bank) -> None:
    stop = threading.Event()
    stop.set()
    grader = AnswerGrader()
    assert grader.warm_up(mini_bank.trees.values(), stop) == 0
    assert grader.vocabularies._stems == {}


async def test_the_app_warms_its_grader_up_as_it_starts(tmp_path: Path) -> None:
    settings = Settings(
        bank=BankSettings(paths=[DATA / "mini_bank.yaml"]), store=StoreSettings(data_dir=tmp_path)
    )
    app = await build_app(settings)
    try:
        assert app.warming is not None
        nodes = sum(len(t.nodes) for t in app.bank.trees.values())
        assert await app.warming == nodes
    finally:
        await app.close()
