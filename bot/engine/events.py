"""What sessions tell the outside world. Adapters (Discord, terminal) render these."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.grading.grader import Grade
from bot.grading.points import PointResult
from bot.grading.speech_metrics import SpeechMetrics


class Mode(StrEnum):
    """The three ways to practise."""

    SOLO = "solo"
    GROUP = "group"
    QUICKFIRE = "quickfire"


class Outcome(StrEnum):
    """How one attempt went (answered/skipped/timeout for questions, correct/wrong for
    quick-fire); a reveal is also "done" (the follow-ups were stopped) or "left"."""

    ANSWERED = "answered"
    SKIPPED = "skipped"
    TIMEOUT = "timeout"
    CORRECT = "correct"
    WRONG = "wrong"
    DONE = "done"
    LEFT = "left"


class SessionStatus(StrEnum):
    """A stored session's state: running, finished all its questions, ended early, or left
    running by a process that died (marked at the next start)."""

    RUNNING = "running"
    COMPLETED = "completed"
    ENDED = "ended"
    INTERRUPTED = "interrupted"


@dataclass(frozen=True)
class PointRef:
    """A key point as results carry it: the id travels, the label is for display."""

    id: str
    label: str


class Floor(StrEnum):
    """Who may answer in a group round."""

    ROUND_ROBIN = "round_robin"
    OPEN = "open"


@dataclass(frozen=True)
class Asked:
    """A question or follow-up is open for answers."""

    session_id: str
    question_id: str
    node_id: str
    prompt: str
    depth: int
    number: int
    total: int
    topic: str
    difficulty: str
    time_limit: float | None
    turn: str | None = None
    reason: str | None = None
    repeated: bool = False


@dataclass(frozen=True)
class HintGiven:
    """A hint for the open node: one key point's label."""

    session_id: str
    node_id: str
    text: str
    hints_used: int


@dataclass(frozen=True)
class Graded:
    """An answer was graded (before any follow-up or the reveal)."""

    session_id: str
    participant: str
    node_id: str
    grade: Grade
    score: float


@dataclass(frozen=True)
class NodeResult:
    """How one asked node went."""

    node_id: str
    prompt: str
    reference_answer: str
    participant: str | None
    score: float
    covered: tuple[PointRef, ...]
    missed: tuple[PointRef, ...]
    outcome: Outcome
    speech: SpeechMetrics | None = None
    points: tuple[PointResult, ...] = ()  # every key point: status and the words that showed it


@dataclass(frozen=True)
class Revealed:
    """A question is finished: the reference answer, what was covered and missed, and tips."""

    session_id: str
    question_id: str
    prompt: str
    reference_answer: str
    tips: tuple[str, ...]
    score: float
    results: tuple[NodeResult, ...]
    outcome: Outcome
    number: int
    total: int

    @property
    def covered(self) -> tuple[PointRef, ...]:
        """Every key point covered, across the question and its follow-ups."""
        return tuple(point for r in self.results for point in r.covered)

    @property
    def missed(self) -> tuple[PointRef, ...]:
        """Every key point missed, across the question and its follow-ups."""
        return tuple(point for r in self.results for point in r.missed)

    @property
    def points(self) -> tuple[PointResult, ...]:
        """Every key point's result, across the question and its follow-ups."""
        return tuple(p for r in self.results for p in r.points)


@dataclass(frozen=True)
class TimeWarning:
    """Time is nearly up on the open node."""

    session_id: str
    node_id: str
    seconds_left: float


@dataclass(frozen=True)
class TimedOut:
    """Time ran out on the open node or quick-fire item."""

    session_id: str
    node_id: str


@dataclass(frozen=True)
class QuickFireAsked:
    """A quick-fire item is open."""

    session_id: str
    item_id: str
    prompt: str
    number: int
    total: int
    seconds: float


@dataclass(frozen=True)
class QuickFireAnswered:
    """Someone answered a quick-fire item."""

    session_id: str
    participant: str
    item_id: str
    correct: bool
    streak: int
    seconds: float


@dataclass(frozen=True)
class QuickFireRevealed:
    """A quick-fire item is over."""

    session_id: str
    item_id: str
    answer: str
    explanation: str | None
    winner: str | None
    timed_out: bool


@dataclass(frozen=True)
class ParticipantsChanged:
    """Someone joined or left a group session."""

    session_id: str
    participants: tuple[str, ...]
    joined: str | None = None
    left: str | None = None


@dataclass(frozen=True)
class ScoreLine:
    """One participant's line on a scoreboard."""

    participant: str
    points: float
    answered: int
    correct: int = 0
    best_streak: int = 0
    mean_seconds: float | None = None


@dataclass(frozen=True)
class SessionEnded:
    """The session is over; the scoreboard is sorted best first."""

    session_id: str
    mode: Mode
    reason: str
    scoreboard: tuple[ScoreLine, ...] = field(default_factory=tuple)


Event = (
    Asked
    | HintGiven
    | Graded
    | Revealed
    | TimeWarning
    | TimedOut
    | QuickFireAsked
    | QuickFireAnswered
    | QuickFireRevealed
    | ParticipantsChanged
    | SessionEnded
)
