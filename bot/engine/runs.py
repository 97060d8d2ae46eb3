"""How far an interview question has got: its asked nodes, their results, the follow-ups to come.

Each run turns into JSON-ready values (`state()`) and back (`from_state`) with the bank, so a
session's place is stored at every step and a new process can pick the session up.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from bot.bank.catalog import Bank
from bot.bank.models import Node, Question
from bot.bank.tree import FollowUpTree
from bot.engine.events import NodeResult, Outcome, PointRef
from bot.grading.grader import Grade
from bot.grading.points import PointResult, PointStatus
from bot.grading.speech_metrics import SpeechMetrics


@dataclass(frozen=True)
class Probe:
    """A follow-up asked for points its parent missed: its answer may still earn them.

    `parent` is the parent's index in its question run (indices survive a restart)."""

    parent: int
    points: frozenset[str]

    def state(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {"parent": self.parent, "points": sorted(self.points)}

    @classmethod
    def from_state(cls, values: dict[str, Any] | None) -> Probe | None:
        """The probe stored by `state()` (None: not a probe)."""
        if values is None:
            return None
        return cls(int(values["parent"]), frozenset(values["points"]))


@dataclass
class NodeRun:
    """One asked node: when, whose turn, why, hints used, when its time is up (None: no
    limit), and its result once it has one."""

    node: Node
    depth: int
    asked_at: datetime
    turn: str | None
    reason: str | None
    hints: int = 0
    result: NodeResult | None = None
    probe: Probe | None = None
    deadline: datetime | None = None

    def finish(
        self,
        participant: str | None,
        score: float,
        grade: Grade | None,
        outcome: Outcome,
        speech: SpeechMetrics | None,
    ) -> NodeResult:
        """The node's result (without a grade every key point counts as missed)."""
        every = tuple(PointRef(p.id, p.label) for p in self.node.key_points)
        covered = tuple(PointRef(p.id, p.label) for p in grade.covered) if grade else ()
        missed = tuple(PointRef(p.id, p.label) for p in grade.missed) if grade else every
        node = self.node
        return NodeResult(
            node.id,
            node.prompt,
            node.reference_answer,
            participant,
            round(score, 3),
            covered,
            missed,
            outcome,
            speech,
            grade.points if grade else (),
        )

    def earn(self, earned: dict[str, PointResult]) -> None:
        """Points a later follow-up's answer covered count as covered here too (in the reveal)."""
        result = self.result
        if result is None:
            return
        points = tuple(
            replace(earned[p.id], how="in a follow-up") if p.id in earned and not p.covered else p
            for p in result.points
        )
        self.result = replace(
            result,
            covered=tuple(PointRef(p.id, p.label) for p in points if p.covered),
            missed=tuple(PointRef(p.id, p.label) for p in points if not p.covered),
            points=points,
        )

    def state(self) -> dict[str, Any]:
        """JSON-ready values (a result's speech metrics are not kept)."""
        result = self.result
        return {
            "node": self.node.id,
            "depth": self.depth,
            "asked_at": self.asked_at.isoformat(),
            "turn": self.turn,
            "reason": self.reason,
            "hints": self.hints,
            "probe": self.probe.state() if self.probe else None,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "result": None
            if result is None
            else {
                "participant": result.participant,
                "score": result.score,
                "covered": [p.id for p in result.covered],
                "missed": [p.id for p in result.missed],
                "outcome": result.outcome.value,
                "points": [[p.id, p.status.value, p.evidence, p.how] for p in result.points],
            },
        }

    @classmethod
    def from_state(cls, bank: Bank, values: dict[str, Any]) -> NodeRun:
        """The run stored by `state()`."""
        _, node = bank.node(values["node"])
        run = cls(
            node,
            int(values["depth"]),
            datetime.fromisoformat(values["asked_at"]),
            values["turn"],
            values["reason"],
            int(values["hints"]),
            probe=Probe.from_state(values.get("probe")),
        )
        deadline = values.get("deadline")
        run.deadline = datetime.fromisoformat(deadline) if deadline else None
        result = values["result"]
        if result is not None:
            labels = {p.id: p.label for p in node.key_points}
            weights = {p.id: p.weight for p in node.key_points}
            points = tuple(
                PointResult(i, labels[i], weights[i], PointStatus(status), evidence, how)
                for i, status, evidence, how in result.get("points", ())
            )
            run.result = NodeResult(
                node.id,
                node.prompt,
                node.reference_answer,
                result["participant"],
                float(result["score"]),
                tuple(PointRef(i, labels[i]) for i in result["covered"]),
                tuple(PointRef(i, labels[i]) for i in result["missed"]),
                Outcome(result["outcome"]),
                points=points,
            )
        return run


@dataclass
class QuestionRun:
    """One question in progress: its tree, number, turn, asked nodes and planned follow-ups."""

    question: Question
    tree: FollowUpTree
    number: int
    turn: str | None
    runs: list[NodeRun] = field(default_factory=list)
    agenda: list[tuple[Node, int, str | None, Probe | None]] = field(default_factory=list)
    closing: Outcome | None = None  # set once a skip or time-out closes it, before the reveal

    @property
    def open_run(self) -> NodeRun | None:
        """The asked node still waiting for an answer, if any."""
        last = self.runs[-1] if self.runs else None
        return last if last is not None and last.result is None else None

    def state(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "question": self.question.id,
            "number": self.number,
            "turn": self.turn,
            "runs": [run.state() for run in self.runs],
            "agenda": [
                [node.id, depth, reason, probe.state() if probe else None]
                for node, depth, reason, probe in self.agenda
            ],
            "closing": self.closing.value if self.closing else None,
        }

    @classmethod
    def from_state(cls, bank: Bank, values: dict[str, Any]) -> QuestionRun:
        """The question run stored by `state()`."""
        question = bank.question(values["question"])
        return cls(
            question,
            bank.trees[question.id],
            int(values["number"]),
            values["turn"],
            [NodeRun.from_state(bank, run) for run in values["runs"]],
            [
                (bank.node(entry[0])[1], int(entry[1]), entry[2], Probe.from_state(_at(entry, 3)))
                for entry in values["agenda"]
            ],
            Outcome(values["closing"]) if values.get("closing") else None,
        )


def _at(entry: list[Any], index: int) -> Any:
    """An agenda entry's value at `index`, or None in a state stored before it existed."""
    return entry[index] if len(entry) > index else None
