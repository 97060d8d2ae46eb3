"""The speculative path: transcribing at the first pause, joined without losing or doubling words.

The audio here is a script of tone "words" (each word a 0.24 s tone at its own loudness), heard
by a loudness detector and read back by a transcriber that decodes the loudness of each burst:
both deterministic, so a chunk cut inside a word shows up as a doubled word, audio left out as a
lost one, and audio transcribed twice in the transcriber's count of samples.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from dataclasses import dataclass, field

import numpy as np

from bot.grading.speech_metrics import TimedWord
from bot.speech.capture import AnswerCapture, CaptureOptions, Chunk, EndReason
from bot.speech.listen import CONTEXT_WORDS, listen_for_answer, looped, merge, with_context
from bot.speech.pool import TranscriptionPool
from bot.speech.ports import SAMPLE_RATE, Samples, Transcript
from bot.speech.vad import WINDOW, VadState
from tests.speech.conftest import silence

FRAME = SAMPLE_RATE // 50
VOCABULARY = ("bagging", "boosting", "trees", "bias", "variance", "errors", "sample", "split")
WORD_SECONDS = 0.24
GAP_SECONDS = 0.1  # between words: shorter than any pause that cuts
LOUD = 0.02  # RMS above which a window is "speech"


def level(word: str) -> float:
    """The tone amplitude that stands for `word`."""
    return 0.2 + 0.08 * VOCABULARY.index(word)


def spoken(sentence: str) -> Samples:
    """A sentence of the vocabulary as tone bursts with short gaps between them."""
    t = np.arange(int(WORD_SECONDS * SAMPLE_RATE)) / SAMPLE_RATE
    pieces: list[Samples] = []
    for word in sentence.split():
        pieces += [(level(word) * np.sin(2 * np.pi * 220 * t)).astype(np.float32)]
        pieces += [silence(GAP_SECONDS)]
    return np.concatenate(pieces[:-1])


class LoudnessDetector:
    """A SpeechDetector: a window is speech when it is loud."""

    def probabilities(self, windows: Samples, state: VadState) -> Samples:
        """1.0 for loud windows, 0.0 for quiet ones."""
        rms = np.sqrt(np.mean(windows.reshape(-1, WINDOW) ** 2, axis=1))
        return (rms > LOUD).astype(np.float32)


@dataclass
class ToneTranscriber:
    """A Transcriber that reads the tone words back, with their times in the audio it is given."""

    calls: list[tuple[int, str | None]] = field(default_factory=list)  # (samples, prompt)

    @property
    def engine(self) -> str:
        """Not an engine: the test's reader of tones."""
        return "tones"

    @property
    def model(self) -> str:
        """No model."""
        return "loudness"

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Every burst of sound is one word, named by its loudness."""
        self.calls.append((audio.size, prompt))
        step = SAMPLE_RATE // 100
        frames = audio[: audio.size // step * step].reshape(-1, step)
        rms = np.sqrt(np.mean(frames**2, axis=1)) if frames.size else np.zeros(0)
        words: list[TimedWord] = []
        start: int | None = None
        for index, loud in enumerate([*(rms > LOUD), False]):
            if loud and start is None:
                start = index
            elif not loud and start is not None:
                amplitude = float(np.median(rms[start:index])) * np.sqrt(2)
                word = VOCABULARY[round((amplitude - 0.2) / 0.08)]
                words.append(TimedWord(word, start / 100, index / 100))
                start = None
        return Transcript(
            " ".join(w.text for w in words),
            tuple(words),
            audio.size / SAMPLE_RATE,
            0.0,
            self.engine,
            self.model,
        )

    @property
    def samples_transcribed(self) -> int:
        """All the audio it was given."""
        return sum(size for size, _prompt in self.calls)


class FeedClock:
    """The time of the audio fed so far (so the test need not wait)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def options(speculative: float = 0.3) -> CaptureOptions:
    """Answers end after 1 s of silence; speculative cuts at `speculative` s of pause."""
    return CaptureOptions(end_silence=1.0, min_speech=0.2, speculative_pause=speculative)


def feed(capture: AnswerCapture, audio: Samples, clock: FeedClock) -> None:
    """Push audio frame by frame, the clock following the audio."""
    for begin in range(0, audio.size, FRAME):
        clock.now += FRAME / SAMPLE_RATE
        capture.push(audio[begin : begin + FRAME], clock.now)


def script(*sentences: str, pause: float) -> tuple[Samples, list[tuple[str, float]]]:
    """Sentences with `pause` s between them, then 2 s of silence; and each word's start."""
    pieces: list[Samples] = []
    starts: list[tuple[str, float]] = []
    at = 0
    for sentence in sentences:
        for n, word in enumerate(sentence.split()):
            starts.append(
                (word, (at + n * (WORD_SECONDS + GAP_SECONDS) * SAMPLE_RATE) / SAMPLE_RATE)
            )
        piece = spoken(sentence)
        pieces += [piece, silence(pause)]
        at += piece.size + int(pause * SAMPLE_RATE)
    return np.concatenate([*pieces[:-1], silence(2.0)]), starts


class CountingPool(TranscriptionPool):
    """The pool, counting the calls handed to it, so a test can wait until it is idle."""

    def __init__(self, transcriber: ToneTranscriber) -> None:
        super().__init__(transcriber)
        self.submitted = 0

    async def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """Count the call, then transcribe as the pool does."""
        self.submitted += 1
        return await super().transcribe(audio, prompt=prompt)

    async def idle(self) -> None:
        """Wait until every call handed in so far is done."""
        while self.completed < self.submitted:
            await asyncio.sleep(0.001)


async def hear(
    audio: Samples,
    capture: AnswerCapture,
    transcriber: ToneTranscriber,
    *,
    context: bool = False,
    keep_up: bool = True,
) -> list[TimedWord]:
    """Speak `audio` into the capture while listening (with `prompt` "trees"): the words heard.

    With `keep_up`, each call finishes before more audio comes (transcription keeps up with the
    speech); without it, the audio comes as fast as the test can push it.
    """
    pool = CountingPool(transcriber)
    clock = FeedClock()
    try:
        listener = asyncio.ensure_future(
            listen_for_answer(
                capture, pool, prompt="trees", clock=clock, tick=0, carry_context=context
            )
        )
        for begin in range(0, audio.size, FRAME * 5):
            feed(capture, audio[begin : begin + FRAME * 5], clock)
            for _ in range(3):
                await asyncio.sleep(0)  # the listener hands out what was cut meanwhile
            if keep_up:
                await pool.idle()
        heard = await listener
    finally:
        pool.close()
    assert heard is not None
    assert heard.ended_by is EndReason.SILENCE
    return list(heard.transcript.words)


def assert_heard(words: list[TimedWord], expected: list[tuple[str, float]]) -> None:
    """The same words, each once, in order, at the time it was said."""
    assert [w.text for w in words] == [word for word, _start in expected]
    for word, (_text, start) in zip(words, expected, strict=True):
        assert abs(word.start - start) <= 0.02, (word, start)


def test_a_pause_then_the_end_is_transcribed_during_the_end_silence() -> None:
    audio, _starts = script("bagging trees sample", pause=0)
    capture = AnswerCapture(LoudnessDetector(), options())
    clock = FeedClock()
    speech_ends = audio.size - 2 * SAMPLE_RATE
    feed(capture, audio[: speech_ends + int(0.4 * SAMPLE_RATE)], clock)
    assert capture.ended is None
    (cut,) = capture.take()  # 0.4 s into the silence: the whole answer is already a chunk
    assert cut.speculative
    assert not cut.final
    assert cut.offset == 0
    assert cut.audio.size >= speech_ends
    feed(capture, audio[speech_ends + int(0.4 * SAMPLE_RATE) :], clock)
    assert capture.ended is EndReason.SILENCE
    (final,) = capture.take()
    assert final.final
    assert final.audio.size == 0


async def test_the_tail_is_transcribed_once() -> None:
    audio, starts = script("bagging trees sample", pause=0)
    transcriber = ToneTranscriber()
    words = await hear(audio, AnswerCapture(LoudnessDetector(), options()), transcriber)
    assert_heard(words, starts)
    assert len(transcriber.calls) == 1  # the speculative chunk; the final one was empty


async def test_a_resumed_answer_loses_and_doubles_no_words() -> None:
    sentences = ("bagging trees sample", "boosting errors bias", "variance split trees")
    audio, starts = script(*sentences, pause=0.6)  # pauses that cut, too short to end it
    transcriber = ToneTranscriber()
    capture = AnswerCapture(LoudnessDetector(), options())
    words = await hear(audio, capture, transcriber)
    assert_heard(words, starts)
    assert len(transcriber.calls) == 3  # each speculative transcription was simply a chunk
    # No audio was transcribed twice: the chunks together are at most the answer.
    assert transcriber.samples_transcribed <= capture.seconds * SAMPLE_RATE


def test_chunks_split_the_answer_end_to_end() -> None:
    audio, _starts = script("bagging trees", "boosting bias", "variance split", pause=0.5)
    capture = AnswerCapture(LoudnessDetector(), options())
    feed(capture, audio, FeedClock())
    chunks = capture.take()
    assert [c.speculative for c in chunks] == [True, True, True, False]
    for before, after in itertools.pairwise(chunks):
        assert after.offset * SAMPLE_RATE == before.offset * SAMPLE_RATE + before.audio.size
    joined = np.concatenate([c.audio for c in chunks[:-1]])
    np.testing.assert_array_equal(joined, audio[: joined.size])  # every sample, once, in order


async def test_each_chunk_is_prompted_with_the_text_before_it() -> None:
    audio, _starts = script("bagging trees sample", "boosting errors", pause=0.6)
    transcriber = ToneTranscriber()
    await hear(audio, AnswerCapture(LoudnessDetector(), options()), transcriber, context=True)
    assert [prompt for _size, prompt in transcriber.calls] == [
        "trees",
        "trees bagging trees sample",
    ]
    plain = ToneTranscriber()
    await hear(audio, AnswerCapture(LoudnessDetector(), options()), plain)
    assert [prompt for _size, prompt in plain.calls] == ["trees", "trees"]


def test_the_context_is_the_end_of_the_text_before() -> None:
    previous = " ".join(f"w{n}" for n in range(100))
    prompt = with_context("vocabulary", previous)
    assert prompt is not None
    assert prompt.split() == ["vocabulary", *previous.split()[-CONTEXT_WORDS:]]
    assert with_context(None, "") is None


def test_without_speculation_short_answers_are_cut_only_at_the_end() -> None:
    audio, _starts = script("bagging trees", "boosting bias", pause=0.6)
    capture = AnswerCapture(LoudnessDetector(), options(speculative=0))
    feed(capture, audio, FeedClock())
    (chunk,) = capture.take()
    assert chunk.final
    assert not chunk.speculative


def test_a_client_that_stops_sending_is_cut_by_the_clock() -> None:
    """Discord clients send nothing in a silence: the pause is noticed by the clock."""
    first, _ = script("bagging trees", pause=0)
    capture = AnswerCapture(LoudnessDetector(), options())
    clock = FeedClock()
    # The words, then the five frames of silence a Discord client sends, then nothing.
    feed(capture, first[: first.size - 2 * SAMPLE_RATE + 5 * FRAME], clock)
    assert capture.poll(clock.now + 0.1) is None
    assert capture.take() == []
    assert capture.poll(clock.now + 0.35) is None
    (cut,) = capture.take()
    assert cut.speculative
    clock.now += 0.5  # they speak again before the end silence
    second = spoken("boosting bias")
    feed(capture, np.concatenate([second, silence(1.2)]), clock)
    assert capture.ended is EndReason.SILENCE
    rest, end = capture.take()  # the new words (cut at the next pause), then nothing
    assert rest.speculative
    assert second.size <= rest.audio.size < second.size + SAMPLE_RATE
    assert end.final
    assert end.audio.size == 0
    assert capture.poll(clock.now + 5) is EndReason.SILENCE
    assert capture.take() == []


def test_a_stall_in_the_middle_of_a_word_is_not_cut() -> None:
    """Audio that stops while someone is still sounding is late, not a pause."""
    word = spoken("variance")
    capture = AnswerCapture(LoudnessDetector(), options())
    clock = FeedClock()
    feed(capture, word[: word.size // 2], clock)  # the network stalls mid-word
    assert capture.poll(clock.now + 0.5) is None
    assert capture.take() == []
    feed(capture, np.concatenate([word[word.size // 2 :], silence(1.2)]), clock)
    cut, end = capture.take()
    assert cut.speculative
    assert cut.audio.size >= word.size  # the word whole, in one chunk
    assert end.audio.size == 0


@dataclass
class HeldTranscriber(ToneTranscriber):
    """A ToneTranscriber whose first call waits until `release` is set (a busy worker)."""

    release: threading.Event = field(default_factory=threading.Event)

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The first call waits for `release`; every call reads the tones."""
        if not self.calls:
            self.release.wait(timeout=10)
        return super().transcribe(audio, prompt=prompt)


async def test_chunks_cut_while_a_call_runs_are_transcribed_together() -> None:
    sentences = ("bagging trees sample", "boosting errors bias", "variance split trees")
    audio, starts = script(*sentences, pause=0.6)
    transcriber = HeldTranscriber()
    capture = AnswerCapture(LoudnessDetector(), options())
    pool = TranscriptionPool(transcriber)
    clock = FeedClock()
    try:
        listener = asyncio.ensure_future(listen_for_answer(capture, pool, clock=clock, tick=0))
        for begin in range(0, audio.size, FRAME * 5):
            feed(capture, audio[begin : begin + FRAME * 5], clock)
            await asyncio.sleep(0)
        transcriber.release.set()  # the first piece is still being transcribed until now
        heard = await listener
    finally:
        pool.close()
    assert heard is not None
    assert_heard(list(heard.transcript.words), starts)
    # The first sentence, then the two cut while it was transcribed, in one call.
    assert len(transcriber.calls) == 2
    assert transcriber.samples_transcribed <= capture.seconds * SAMPLE_RATE


def test_merged_chunks_are_their_audio_end_to_end() -> None:
    first = Chunk(np.ones(100, dtype=np.float32), 1.0, final=False, speculative=True)
    second = Chunk(np.full(50, 2, dtype=np.float32), 1.0 + 100 / SAMPLE_RATE, final=True)
    merged = merge([first, second])
    assert merged.offset == 1.0
    assert merged.final
    assert not merged.speculative
    np.testing.assert_array_equal(merged.audio, np.concatenate([first.audio, second.audio]))
    assert merge([first]) is first


def test_a_loop_on_the_context_is_recognised() -> None:
    before = "bagging trains each tree on a bootstrap sample of the rows and averages the trees"
    echo = "a bootstrap sample of the rows and averages the trees and then boosting"
    assert looped(echo, before)  # copied eight words of its context
    # A three-word phrase three times over (back-to-back loops the engine already collapses).
    assert looped("the bias term and the bias term grows so the bias term", before)
    assert not looped("boosting fits each tree to the errors of the trees before it", before)
    assert not looped("", before)


@dataclass
class EchoingTranscriber(ToneTranscriber):
    """A ToneTranscriber that, prompted with more than the vocabulary, parrots the prompt."""

    def transcribe(self, audio: Samples, *, prompt: str | None = None) -> Transcript:
        """The tones, after the context of the prompt when there is one."""
        heard = super().transcribe(audio, prompt=prompt)
        context = (prompt or "").split()[1:]  # everything after the vocabulary prompt "trees"
        if not context:
            return heard
        words = tuple(TimedWord(w, 0.0, 0.0) for w in context) + heard.words
        return Transcript(
            " ".join(w.text for w in words), words, heard.audio_seconds, 0.0, "tones", "echo"
        )


async def test_a_piece_that_loops_on_its_context_is_transcribed_again_without_it() -> None:
    sentences = ("bagging trees sample bias variance errors split boosting", "boosting errors")
    audio, starts = script(*sentences, pause=0.6)
    transcriber = EchoingTranscriber()
    capture = AnswerCapture(LoudnessDetector(), options())
    words = await hear(audio, capture, transcriber, context=True)
    assert [w.text for w in words] == [word for word, _start in starts]
    assert [prompt for _size, prompt in transcriber.calls] == [
        "trees",
        "trees bagging trees sample bias variance errors split boosting",
        "trees",  # the echo was caught: the piece again, with the vocabulary alone
    ]


def test_a_speculative_piece_is_the_audio_a_final_one_would_be() -> None:
    """Cut 0.2 s after the speech, as the final piece is; the rest of the pause stays pending."""
    audio, _starts = script("bagging trees sample", "boosting bias", pause=0.6)
    spoken_first = spoken("bagging trees sample").size
    speculative = AnswerCapture(LoudnessDetector(), options())
    feed(speculative, audio, FeedClock())
    first, second, end = speculative.take()
    assert first.speculative
    assert abs(first.audio.size - (spoken_first + 0.2 * SAMPLE_RATE)) <= WINDOW
    assert second.offset * SAMPLE_RATE == first.audio.size  # the rest of the pause comes next
    np.testing.assert_array_equal(
        np.concatenate([first.audio, second.audio]), audio[: first.audio.size + second.audio.size]
    )
    assert end.audio.size == 0
    today = AnswerCapture(LoudnessDetector(), options(speculative=0))
    first_alone = np.concatenate([spoken("bagging trees sample"), silence(2.0)])
    feed(today, first_alone, FeedClock())
    (final,) = today.take()
    only = AnswerCapture(LoudnessDetector(), options())
    feed(only, first_alone, FeedClock())
    cut, _end = only.take()
    np.testing.assert_array_equal(cut.audio, final.audio)  # the same audio goes to Whisper
