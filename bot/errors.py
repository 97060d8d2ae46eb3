"""Every exception interview-bot raises on purpose, in one tree.

    InterviewBotError
    ├── SettingsError(key, message)          a bad configuration value
    ├── QuestionBankError(problems)          the bank does not load or validate
    ├── UnknownItem(item_id)                 no question, follow-up or quick-fire item by that id
    ├── UnknownTopic(topic, topics)          no such topic (the ones there are listed)
    ├── NoQuestionsAvailable(topic, level)   the filters leave nothing to ask
    ├── AnswerTooLong(length, limit)         an answer given to `grade` is over the length limit
    ├── StoreUnavailable(url, reason)        the database cannot be opened (password hidden)
    ├── DiscordUnreachable(reason)           Discord cannot be reached from this machine
    ├── NothingDue(next_due)                 no question is due for review yet
    ├── InvalidSchedule(message)             a daily-question time or time zone that makes no sense
    ├── DailyAnswerRefused(message)          a daily question answered twice or after its reveal
    ├── SpeechError                          speech could not be produced or recognised
    │   ├── ModelUnavailable(model)          no such model here, or its file is damaged
    │   ├── RemoteTranscriptionFailed        the remote engine timed out or answered badly
    │   └── VoiceMessageRejected(reason)     a voice message too long, too big, silent or not audio
    └── SessionError(session_id)             a request a session cannot take right now
        ├── SessionNotFound
        ├── SessionAlreadyRunning
        ├── SessionOver
        ├── NotAParticipant(participant)
        ├── NotYourTurn(participant, expected)
        ├── NotAllowed(participant, action)  only the host or a moderator may do that
        ├── NothingToAnswer                  between questions, or already answered
        ├── StaleAnswer(node_id, text)       an answer for a node that is no longer open
        ├── NotInThisMode(action)            this mode has no such step (quick-fire hints)
        └── InvalidAnswer(reason)            empty or over the length limit

Each carries the data an adapter needs to write one helpful sentence; `str()` is that sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class InterviewBotError(Exception):
    """The root of every deliberate interview-bot error."""


class SettingsError(InterviewBotError):
    """A configuration value is missing or invalid."""

    def __init__(self, key: str, message: str) -> None:
        self.key = key
        self.message = message
        super().__init__(f"Invalid setting {key}: {message}")


@dataclass(frozen=True)
class BankProblem:
    """One validation problem, located in a bank file."""

    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.field}: {self.message}"
        return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)  # one line


class QuestionBankError(InterviewBotError):
    """One or more bank files are malformed; `problems` lists each with file, line and field."""

    def __init__(self, problems: list[BankProblem]) -> None:
        self.problems = problems
        first = problems[0] if problems else "no problems recorded"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}")


class UnknownItem(InterviewBotError):
    """No bank item has this id."""

    def __init__(self, item_id: str) -> None:
        self.item_id = item_id
        super().__init__(f"There is no question or quick-fire item with the id '{item_id}'.")


class UnknownTopic(InterviewBotError):
    """The topic filter names no topic of the bank."""

    def __init__(self, topic: str, topics: tuple[str, ...]) -> None:
        self.topic = topic
        self.topics = topics
        super().__init__(f"There is no topic '{topic}'; the topics are: {', '.join(topics)}.")


class NoQuestionsAvailable(InterviewBotError):
    """Topic and difficulty filters leave nothing to ask; `available` lists the difficulties
    that the other filters do leave, when known."""

    def __init__(
        self, topic: str | None, difficulty: str | None, available: tuple[str, ...] = ()
    ) -> None:
        self.topic = topic
        self.difficulty = difficulty
        self.available = available
        parts = [p for p in (difficulty, topic) if p]
        what = " ".join(parts) if parts else "any"
        there = f" (there are {', '.join(available)} ones)" if available else ""
        super().__init__(f"The bank has no {what} items to ask{there}.")


class AnswerTooLong(InterviewBotError):
    """An answer is over `engine.max_answer_chars`."""

    def __init__(self, length: int, limit: int) -> None:
        self.length = length
        self.limit = limit
        super().__init__(
            f"The answer is {length:,} characters long; the limit is {limit:,} "
            "(engine.max_answer_chars)."
        )


class StoreUnavailable(InterviewBotError):
    """The database in `store.url` cannot be opened; `url` has its password hidden."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"The database at {url} cannot be opened: {reason}.")


class DiscordUnreachable(InterviewBotError):
    """Discord's servers cannot be reached (no network, DNS, a proxy, an outage)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(f"Discord cannot be reached from this machine ({reason}).")


class NothingDue(InterviewBotError):
    """A review was asked for, but no question is due."""

    def __init__(self, next_due: datetime | None) -> None:
        self.next_due = next_due
        if next_due is None:
            message = "You have no answered questions to review yet; start with an interview."
        else:
            message = (
                "Nothing is due for review yet; the next question comes due "
                f"{next_due:%Y-%m-%d %H:%M} UTC."
            )
        super().__init__(message)


class InvalidSchedule(InterviewBotError):
    """A question-of-the-day schedule with an unreadable time or an unknown time zone."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class DailyAnswerRefused(InterviewBotError):
    """A question-of-the-day answer that is not graded: a second one, or one after the reveal."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class SpeechError(InterviewBotError):
    """Speech could not be produced or recognised; `str()` is one sentence for a person."""


class ModelUnavailable(SpeechError):
    """A speech model is missing, cannot be downloaded here, or fails its checksum."""

    def __init__(self, model: str, reason: str) -> None:
        self.model = model
        self.reason = reason
        super().__init__(f"The speech model {model!r} is not available: {reason}.")


class RemoteTranscriptionFailed(SpeechError):
    """The remote speech-to-text server timed out, refused, or answered something unusable."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"The transcription server at {url} failed: {reason}.")


class VoiceMessageRejected(SpeechError):
    """A voice message (or audio attachment) that cannot be an answer; `str()` says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)

    @classmethod
    def no_speech_engine(cls) -> VoiceMessageRejected:
        """Speech recognition is not installed (the voice extra) or its model cannot load."""
        return cls(
            "Voice messages need speech recognition, which is not installed on this bot; "
            "type your answer instead."
        )


class SessionError(InterviewBotError):
    """A session cannot take this request right now."""

    def __init__(self, session_id: str, message: str) -> None:
        self.session_id = session_id
        super().__init__(message)


class SessionNotFound(SessionError):
    """No running session has this id."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id, "That session has ended or never existed.")


class SessionAlreadyRunning(SessionError):
    """The participant already has a running session."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id, "You already have a session running; end it first.")


class SessionOver(SessionError):
    """The session has ended and takes no more input."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id, "This session is over; start a new one.")


class NotAParticipant(SessionError):
    """Someone who has not joined tried to act in the session."""

    def __init__(self, session_id: str, participant: str) -> None:
        self.participant = participant
        super().__init__(session_id, "This session is not yours; join it or start your own.")


class NotYourTurn(SessionError):
    """In a round-robin round, someone answered out of turn."""

    def __init__(self, session_id: str, participant: str, expected: str) -> None:
        self.participant = participant
        self.expected = expected
        super().__init__(session_id, "It is not your turn yet; wait for the next question.")


class NotAllowed(SessionError):
    """Only the host (or a moderator) may do this for everyone."""

    def __init__(self, session_id: str, participant: str, action: str) -> None:
        self.participant = participant
        self.action = action
        super().__init__(session_id, f"Only the host or a moderator can {action} for everyone.")


class NothingToAnswer(SessionError):
    """No question is open for answers."""

    def __init__(self, session_id: str) -> None:
        super().__init__(session_id, "No question is waiting for an answer right now.")


class StaleAnswer(SessionError):
    """An answer (a dialog, a heard answer) names a node that is no longer open; it is not
    graded against another one. `text` is kept so the adapter can hand it back."""

    def __init__(self, session_id: str, node_id: str, text: str) -> None:
        self.node_id = node_id
        self.text = text
        super().__init__(
            session_id,
            "That question is no longer open, so this answer was not graded; "
            "here is what you wrote.",
        )


class NotInThisMode(SessionError):
    """The session's mode has no such step (a hint in quick-fire)."""

    def __init__(self, session_id: str, action: str) -> None:
        self.action = action
        super().__init__(session_id, f"This kind of session has no {action}.")


class InvalidAnswer(SessionError):
    """The answer is empty or too long."""

    def __init__(self, session_id: str, reason: str) -> None:
        self.reason = reason
        super().__init__(session_id, reason)
