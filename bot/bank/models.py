"""Pydantic models for the question bank: questions, follow-up trees, quick-fire items, strategy."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

Slug = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
Phrase = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class Difficulty(StrEnum):
    """How hard an item is."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Relation(_Frozen):
    """A key point that pairs two ideas ("bagging" -> "variance"): it is covered only when a
    `subject` phrase and an `object` phrase are stated together in one clause; stating the
    subject with a `swapped` phrase instead ("bagging reduces bias") contradicts it."""

    subject: tuple[Phrase, ...] = Field(min_length=1)
    object: tuple[Phrase, ...] = Field(min_length=1)
    swapped: tuple[Phrase, ...] = ()
    ordered: bool = False  # the subject must come before the object in the clause
    # The other side of a comparison ("boosting" for "bagging"): found nearer an object, it
    # takes the object, so the object neither covers nor swaps this point. Subjects with a
    # size or side word ("large gamma", "l1") get their counterpart ("small gamma", "l2") too.
    contrasts: tuple[Phrase, ...] = ()


class KeyPoint(_Frozen):
    """One idea a good answer states, and the phrases that show it was stated.

    `phrases` each state the whole idea; `relation` states it as a pairing of two parts;
    `opposites` are phrases that state the contrary of the point (found outside a negation,
    they contradict it). A point needs phrases, a relation, or both.
    """

    id: Slug
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    phrases: tuple[Phrase, ...] = ()
    relation: Relation | None = None
    opposites: tuple[Phrase, ...] = ()
    weight: float = Field(default=1.0, gt=0, le=5)

    @model_validator(mode="after")
    def _has_evidence(self) -> KeyPoint:
        if not self.phrases and self.relation is None:
            msg = "a key point needs phrases, a relation, or both"
            raise ValueError(msg)
        return self


class Misconception(_Frozen):
    """A claim that only a wrong answer makes, and the correction to show."""

    phrases: tuple[Phrase, ...] = Field(min_length=1)
    correction: Text


class Missed(_Frozen):
    """Ask when the parent answer missed any of these key points."""

    missed: tuple[Slug, ...] = Field(min_length=1)


class Covered(_Frozen):
    """Ask when the parent answer covered all of these key points."""

    covered: tuple[Slug, ...] = Field(min_length=1)


def _condition_kind(value: Any) -> str | None:
    if value == "always":
        return "always"
    if isinstance(value, dict) and len(value) == 1:
        key = next(iter(value))
        return key if key in ("missed", "covered") else None
    if isinstance(value, Missed | Covered):
        return "missed" if isinstance(value, Missed) else "covered"
    return None


Condition = Annotated[
    Annotated[Literal["always"], Tag("always")]
    | Annotated[Missed, Tag("missed")]
    | Annotated[Covered, Tag("covered")],
    Discriminator(
        _condition_kind,
        custom_error_type="invalid_condition",
        custom_error_message="must be 'always', {missed: [key-point ids]} or {covered: [...]}",
    ),
]


class _Node(_Frozen):
    """What a question and a follow-up share: something asked, answered and graded."""

    id: Slug
    prompt: Text
    reference_answer: Text
    key_points: tuple[KeyPoint, ...] = Field(min_length=1)
    misconceptions: tuple[Misconception, ...] = ()
    follow_ups: tuple[FollowUp, ...] = ()


class FollowUpNode(_Node):
    """A follow-up defined in place, asked when its condition on the parent answer holds."""

    when: Condition


class FollowUpRef(_Frozen):
    """A follow-up that reuses a node defined elsewhere in the same question."""

    ref: Slug
    when: Condition


def _follow_up_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "ref" if "ref" in value else "node"
    if isinstance(value, FollowUpRef | FollowUpNode):
        return "ref" if isinstance(value, FollowUpRef) else "node"
    return None


FollowUp = Annotated[
    Annotated[FollowUpNode, Tag("node")] | Annotated[FollowUpRef, Tag("ref")],
    Discriminator(
        _follow_up_kind,
        custom_error_type="invalid_follow_up",
        custom_error_message="a follow-up is a mapping: a node (id, prompt, ...) or {ref, when}",
    ),
]


class Question(_Node):
    """A full interview question: the root of its follow-up tree."""

    topic: Slug
    difficulty: Difficulty
    tips: tuple[Text, ...] = ()
    time_limit_seconds: int | None = Field(default=None, ge=10, le=1800)


class QuickFireItem(_Frozen):
    """A short question with short accepted answers, for the timed quick-fire mode."""

    id: Slug
    topic: Slug
    difficulty: Difficulty
    prompt: Text
    answers: tuple[Phrase, ...] = Field(min_length=1)
    explanation: Text | None = None
    time_limit_seconds: int | None = Field(default=None, ge=5, le=300)


class StrategySection(_Frozen):
    """A section of interview-strategy advice."""

    id: Slug
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    tips: tuple[Text, ...] = Field(min_length=1)


class BankFile(_Frozen):
    """The contents of one bank file."""

    questions: tuple[Question, ...] = ()
    quickfire: tuple[QuickFireItem, ...] = ()
    strategy: tuple[StrategySection, ...] = ()

    @model_validator(mode="after")
    def _not_empty(self) -> BankFile:
        if not (self.questions or self.quickfire or self.strategy):
            msg = "a bank file needs at least one of questions, quickfire or strategy"
            raise ValueError(msg)
        return self


_Node.model_rebuild()
FollowUpNode.model_rebuild()
Question.model_rebuild()

Node = Question | FollowUpNode
