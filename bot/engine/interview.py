"""Solo practice and group rounds: a question, its follow-up tree, the reveal, the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.bank.models import Condition, Covered, Difficulty, Missed, Node, Question
from bot.engine.answers import Answer, Answered, Waiting
from bot.engine.base import Place, Services, Session
from bot.engine.events import (
    Asked,
    Floor,
    Graded,
    HintGiven,
    Mode,
    Outcome,
    Revealed,
    ScoreLine,
    TimedOut,
    TimeWarning,
)
from bot.engine.inline_grading import grade_answer
from bot.engine.ports import EventSink
from bot.engine.runs import NodeRun, Probe, QuestionRun
from bot.errors import NothingToAnswer, NotYourTurn
from bot.grading.grader import Grade
from bot.grading.speech_metrics import SpeechMetrics

ROOT_WEIGHT = 2.0  # the question itself counts twice as much as each follow-up
CORRECT_SCORE = 0.6  # an answer scoring this much counts as correct in Answered


@dataclass(frozen=True)
class InterviewOptions:
    """How an interview session runs; built from the [engine] config section."""

    questions: int = 5
    max_follow_ups: int = 3
    time_limit: float | None = None
    warning_seconds: float = 30
    max_answer_chars: int = 4000
    hint_penalty: float = 0.1
    recent_window: int = 20
    topic: str | None = None
    difficulty: str | None = None
    floor: Floor = Floor.ROUND_ROBIN
    question_ids: tuple[str, ...] = ()  # ask exactly these, in this order (a review)


class InterviewSession(Session):
    """One person (solo) or several (group) answering questions with follow-ups."""

    def __init__(
        self,
        services: Services,
        sink: EventSink,
        session_id: str,
        host: str,
        options: InterviewOptions,
        *,
        group: bool = False,
        place: Place | None = None,
    ) -> None:
        super().__init__(services, sink, session_id, host, place)
        self.mode = Mode.GROUP if group else Mode.SOLO
        self.options = options
        self._questions: list[Question] = []
        self._current: QuestionRun | None = None
        self._asked = 0
        self._points: dict[str, float] = {}
        self._answered: dict[str, int] = {}

    @property
    def waiting(self) -> Waiting | None:
        """The open node, and whose turn it is (everyone's on an open floor)."""
        current = self._current
        run = current.open_run if current else None
        if run is None:
            return None
        who = (run.turn,) if run.turn is not None else self.participants
        return Waiting(run.node.id, frozenset(who), run.asked_at)

    @property
    def started(self) -> bool:
        """True once the first question has been asked."""
        return self._asked > 0

    @property
    def current_turn(self) -> str | None:
        """Whose turn it is (None: anyone may answer)."""
        return self._current.turn if self._current else None

    async def start(self) -> None:
        """Choose the questions (fresh ones first) and ask the first."""
        async with self._lock:
            self.require_open()
            o = self.options
            if o.question_ids:
                bank = self.services.bank
                self._questions = [bank.question(q) for q in o.question_ids][: o.questions]
            else:
                candidates = self.services.bank.select_questions(o.topic, _difficulty(o.difficulty))
                self._questions = await self.choose(
                    candidates, o.questions, o.recent_window, o.topic, o.difficulty
                )
            await self.save()
            await self._ask_next_question()

    async def answer(self, answer: Answer) -> Answered:
        """Grade an answer to the open node, then ask a follow-up or reveal."""
        async with self._lock:
            self.check_answer(answer)
            participant = answer.participant
            text = self.check_answer_text(answer.text, self.options.max_answer_chars)
            current, run = self._open()
            if run.turn is not None and run.turn != participant:
                raise NotYourTurn(self.id, participant, run.turn)
            grade = await self._grade(current.question, run.node, text, spoken=answer.spoken)
            if run.probe is not None:
                await self._credit_probe(current, run.probe, text, spoken=answer.spoken)
            score = max(0.0, grade.score - run.hints * self.options.hint_penalty)
            speech = SpeechMetrics.of(text, answer.words or None)
            self.timers.cancel_all()
            run.result = run.finish(participant, score, grade, Outcome.ANSWERED, speech)
            self._plan_follow_ups(current, run, grade)
            await self._record(current, run, participant, text, speech)  # with the new state
            await self.emit(Graded(self.id, participant, run.node.id, grade, score))
            await self._continue(current)
            return Answered(run.node.id, score, score >= CORRECT_SCORE, grade)

    async def hint(self, by: str) -> None:
        """Give the label of one key point of the open node (costs hint_penalty)."""
        async with self._lock:
            self.require_participant(by)
            _, run = self._open()
            points = run.node.key_points
            if run.hints < len(points):
                text = f"Think about: {points[run.hints].label}"
                run.hints += 1
            else:
                text = "No more hints: every key point has been hinted."
            await self.save()
            await self.emit(HintGiven(self.id, run.node.id, text, run.hints))

    async def repeat(self, by: str) -> None:
        """Ask the open node again (the timer keeps running)."""
        async with self._lock:
            self.require_participant(by)
            current, run = self._open()
            await self.emit(self._asked_event(current, run, repeated=True))

    async def skip(self, by: str, *, moderator: bool = False) -> None:
        """Give up on the open question: record the skip and reveal the answer."""
        async with self._lock:
            current, run = self._open_for_control(by, "skip", moderator=moderator)
            run.result = run.finish(run.turn or by, 0.0, None, Outcome.SKIPPED, None)
            current.closing = Outcome.SKIPPED
            await self._record(current, run, run.turn or by, "", None)
            await self._reveal(current, Outcome.SKIPPED)

    async def done(self, by: str, *, moderator: bool = False) -> None:
        """Stop the follow-ups and reveal now."""
        async with self._lock:
            current, run = self._open_for_control(by, "reveal the answer", moderator=moderator)
            self.timers.cancel_all()
            current.runs.remove(run)
            await self._reveal(current, Outcome.DONE)

    async def next_question(self, by: str) -> None:
        """After a reveal, ask the next question."""
        async with self._lock:
            self.require_participant(by)
            if self._current is not None:
                raise NothingToAnswer(self.id)
            await self._ask_next_question()

    def _open(self) -> tuple[QuestionRun, NodeRun]:
        current = self._current
        run = current.open_run if current else None
        if current is None or run is None:
            raise NothingToAnswer(self.id)
        return current, run

    def _open_for_control(
        self, by: str, action: str, *, moderator: bool
    ) -> tuple[QuestionRun, NodeRun]:
        current, run = self._open()
        if self.mode is Mode.SOLO or run.turn == by:
            self.require_participant(by)
        else:
            self.require_control(by, action, moderator=moderator)
        return current, run

    async def _ask_next_question(self) -> None:
        if self._asked >= len(self._questions):
            await self.finish("completed")
            return
        question = self._questions[self._asked]
        self._asked += 1
        turn = None
        if self.options.floor is Floor.ROUND_ROBIN or self.mode is Mode.SOLO:
            turn = self.participants[(self._asked - 1) % len(self.participants)]
        tree = self.services.bank.trees[question.id]
        self._current = QuestionRun(question, tree, self._asked, turn)
        await self._ask(self._current, question, 0, None)

    async def _ask(
        self,
        current: QuestionRun,
        node: Node,
        depth: int,
        reason: str | None,
        probe: Probe | None = None,
    ) -> None:
        asked_at = self.services.clock.utcnow()
        limit = self._time_limit(current.question)
        run = NodeRun(node, depth, asked_at, current.turn, reason, probe=probe)
        run.deadline = asked_at + timedelta(seconds=limit) if limit else None
        current.runs.append(run)
        await self.save()
        await self.emit(self._asked_event(current, run))
        self._start_timers(current, run)

    def _start_timers(self, current: QuestionRun, run: NodeRun) -> None:
        """The warning and the time-out of the open node, from its stored deadline (so a
        restart goes on with the time that was left, not a fresh limit)."""
        left = self._seconds_left(run)
        if left is not None:
            warn_at = left - self.options.warning_seconds
            if self.options.warning_seconds and warn_at > 0:
                self.timers.start("warning", warn_at, lambda: self._warn(run))
            self.timers.start("limit", max(left, 0.0), lambda: self._time_up(run))

    def _seconds_left(self, run: NodeRun) -> float | None:
        if run.deadline is None:
            return None
        return (run.deadline - self.services.clock.utcnow()).total_seconds()

    def _asked_event(self, current: QuestionRun, run: NodeRun, *, repeated: bool = False) -> Asked:
        q = current.question
        left = self._seconds_left(run)
        return Asked(
            self.id,
            q.id,
            run.node.id,
            run.node.prompt,
            run.depth,
            current.number,
            len(self._questions),
            q.topic,
            q.difficulty.value,
            None if left is None else max(left, 0.0),
            run.turn,
            run.reason,
            repeated,
        )

    def _time_limit(self, question: Question) -> float | None:
        return question.time_limit_seconds or self.options.time_limit or None

    async def _warn(self, run: NodeRun) -> None:
        async with self._lock:
            if self._current and self._current.open_run is run:
                await self.emit(TimeWarning(self.id, run.node.id, self.options.warning_seconds))

    async def _time_up(self, run: NodeRun) -> None:
        async with self._lock:
            current = self._current
            if self.ended or current is None or current.open_run is not run:
                return
            self.timers.cancel("warning")
            run.result = run.finish(run.turn, 0.0, None, Outcome.TIMEOUT, None)
            current.closing = Outcome.TIMEOUT
            if run.turn is not None:
                await self._record(current, run, run.turn, "", None)
            await self.emit(TimedOut(self.id, run.node.id))
            await self._reveal(current, Outcome.TIMEOUT)

    async def _grade(self, question: Question, node: Node, text: str, *, spoken: bool) -> Grade:
        s = self.services
        return await grade_answer(
            s.grader, question, node, text, spoken=spoken, inline_chars=s.inline_grade_chars
        )

    def _plan_follow_ups(self, current: QuestionRun, run: NodeRun, grade: Grade) -> None:
        asked = {r.node.id for r in current.runs} | {a[0].id for a in current.agenda}
        labels = {p.id: p.label for p in run.node.key_points}
        parent = current.runs.index(run)
        fresh = [
            (node, run.depth + 1, _reason(when, labels, grade.covered_ids), _probe(parent, when))
            for when, node in current.tree.matching(run.node.id, grade.covered_ids)
            if node.id not in asked
        ]
        current.agenda[:0] = fresh

    async def _credit_probe(
        self, current: QuestionRun, probe: Probe, text: str, *, spoken: bool
    ) -> None:
        """A follow-up's answer that covers a point its parent missed earns that point."""
        parent = current.runs[probe.parent]
        if parent.result is None:
            return
        grade = await self._grade(current.question, parent.node, text, spoken=spoken)
        parent.earn({p.id: p for p in grade.covered if p.id in probe.points})

    async def _continue(self, current: QuestionRun) -> None:
        follow_ups = len(current.runs) - 1
        if current.agenda and follow_ups < self.options.max_follow_ups:
            node, depth, reason, probe = current.agenda.pop(0)
            await self._ask(current, node, depth, reason, probe)
        else:
            await self._reveal(current, Outcome.ANSWERED)

    async def _reveal(self, current: QuestionRun, outcome: Outcome) -> None:
        self.timers.cancel_all()
        results = tuple(r.result for r in current.runs if r.result is not None)
        weights = [ROOT_WEIGHT if r.depth == 0 else 1.0 for r in current.runs if r.result]
        score = sum(w * r.score for w, r in zip(weights, results, strict=True))
        score = score / sum(weights) if weights else 0.0
        for weight, result in zip(weights, results, strict=True):
            if result.participant is not None and result.outcome is Outcome.ANSWERED:
                who = result.participant
                self._points[who] = self._points.get(who, 0.0) + weight * result.score
                self._answered[who] = self._answered.get(who, 0) + 1
        q = current.question
        self._current = None
        if current.number < len(self._questions):
            await self.save()  # the last question's reveal is saved by finish()
        await self.emit(
            Revealed(
                self.id,
                q.id,
                q.prompt,
                q.reference_answer,
                q.tips,
                round(score, 3),
                results,
                outcome,
                current.number,
                len(self._questions),
            )
        )
        if current.number >= len(self._questions):
            await self.finish("completed")

    async def _record(
        self,
        current: QuestionRun,
        run: NodeRun,
        participant: str,
        text: str,
        speech: SpeechMetrics | None,
    ) -> None:
        result = run.result
        assert result is not None
        await self.record(
            participant,
            question_id=current.question.id,
            node_id=run.node.id,
            answer_text=text,
            outcome=result.outcome,
            score=result.score,
            asked_at=run.asked_at,
            covered=tuple(p.id for p in result.covered),
            missed=tuple(p.id for p in result.missed),
            hints_used=run.hints,
            words_per_minute=speech.words_per_minute if speech else None,
            filler_words=speech.filler_words if speech else None,
        )

    async def after_leave(self, participant: str) -> None:
        """If it was the leaver's turn, their question is revealed and the round goes on."""
        current = self._current
        if current is not None and current.turn == participant:
            run = current.open_run
            if run is not None:
                current.runs.remove(run)
            await self._reveal(current, Outcome.LEFT)

    def snapshot(self) -> dict[str, Any]:
        """Where the session is: its questions, scores, and the question in progress."""
        return {
            "questions": [q.id for q in self._questions],
            "asked": self._asked,
            "points": self._points,
            "answered": self._answered,
            "current": self._current.state() if self._current else None,
        }

    def restore(self, state: dict[str, Any]) -> None:
        """Take up the place `snapshot()` stored (before `resume()`)."""
        bank = self.services.bank
        self._questions = [bank.question(q) for q in state["questions"]]
        self._asked = int(state["asked"])
        self._points = {k: float(v) for k, v in state["points"].items()}
        self._answered = {k: int(v) for k, v in state["answered"].items()}
        current = state["current"]
        self._current = QuestionRun.from_state(bank, current) if current else None

    async def resume(self) -> None:
        """After a restart: ask the open node again (its timer restarts), or finish the step
        the restart interrupted; between questions the reveal's Next button goes on."""
        async with self._lock:
            self.require_open()
            current = self._current
            if current is None:
                return
            run = current.open_run
            if run is not None:
                await self.emit(self._asked_event(current, run))
                self._start_timers(current, run)
            elif current.closing is not None:
                await self._reveal(current, current.closing)
            else:
                await self._continue(current)

    def scoreboard(self) -> tuple[ScoreLine, ...]:
        """Points per participant (question x2, follow-ups x1, each times its score)."""
        people = dict.fromkeys(self.participants) | dict.fromkeys(self._points)
        lines = [
            ScoreLine(p, round(self._points.get(p, 0.0), 2), self._answered.get(p, 0))
            for p in people
        ]
        return tuple(sorted(lines, key=lambda line: (-line.points, line.participant)))


def _probe(parent: int, when: Condition) -> Probe | None:
    return Probe(parent, frozenset(when.missed)) if isinstance(when, Missed) else None


def _reason(when: Condition, labels: dict[str, str], covered: frozenset[str]) -> str | None:
    if isinstance(when, Missed):
        return "Not yet covered: " + "; ".join(labels[p] for p in when.missed if p not in covered)
    if isinstance(when, Covered):
        return "Going deeper on: " + "; ".join(labels[p] for p in when.covered)
    return None


def _difficulty(value: str | None) -> Difficulty | None:
    return Difficulty(value) if value else None
