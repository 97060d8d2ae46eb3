"""What the vocabulary prompt buys: WER and key points that survive transcription.

Fifteen questions' reference answers (every few questions of the bank, by id) are spoken by
espeak-ng and transcribed with and without `vocabulary_prompt(question)`, two ways: cut into
chunks as the bot cuts a live answer (AnswerCapture with the default CaptureOptions, each chunk
transcribed with the prompt) and as one call on the whole answer. The grader then grades the
original text and each transcript: a key point "survives" when it is covered in both.

Run: .venv/bin/python -m bench.speech_vocabulary [--engine faster-whisper] [--questions 15]
     [--quick] [--json] [--details]
Each measurement first waits up to --patience seconds (600) for other processes to go quiet.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import numpy as np

from bench.speech_common import (
    CACHE_DIR,
    OtherLoad,
    add_common_arguments,
    bank,
    normalise,
    speaker,
    wait_for_quiet,
    word_errors,
)
from bot.bank.models import Question
from bot.grading.grader import AnswerGrader, Verdict
from bot.speech.audio import load_audio
from bot.speech.capture import AnswerCapture, CaptureOptions
from bot.speech.ports import SAMPLE_RATE, Samples, Transcriber
from bot.speech.vad import SileroDetector
from bot.speech.vocabulary import vocabulary_prompt

FRAME = SAMPLE_RATE // 50  # 20 ms, as Discord delivers it
MODES = ("chunked", "whole")


def transcriber(engine: str) -> Transcriber:
    """The offline tiny.en model on the named engine, using both cores."""
    if engine == "faster-whisper":
        from bot.speech.faster_whisper_engine import FasterWhisperTranscriber  # noqa: PLC0415

        return FasterWhisperTranscriber("tiny.en", threads=2).load()
    from bot.speech.openai_whisper_engine import OpenAIWhisperTranscriber  # noqa: PLC0415

    return OpenAIWhisperTranscriber("tiny.en", cache_dir=CACHE_DIR, threads=2).load()


def bot_chunks(audio: Samples, detector: SileroDetector) -> list[Samples]:
    """The chunks AnswerCapture cuts from this answer, fed 20 ms at a time (no waiting)."""
    capture = AnswerCapture(detector, CaptureOptions())
    padded = np.concatenate([audio, np.zeros(3 * SAMPLE_RATE, dtype=np.float32)])
    chunks = []
    for begin in range(0, padded.size, FRAME):
        capture.push(padded[begin : begin + FRAME], (begin + FRAME) / SAMPLE_RATE)
        chunks += [c.audio for c in capture.take()]
        if capture.ended:
            break
    return chunks


def run(engine: str, count: int, patience: float) -> dict[str, Any]:
    """Transcribe every answer four ways and grade each transcript against the original."""
    questions = sorted(bank().questions, key=lambda q: q.id)
    chosen = questions[:: max(len(questions) // count, 1)][:count]
    voice = speaker()
    try:
        audio = {q.id: load_audio(voice.render_sync(q.reference_answer)) for q in chosen}
    finally:
        voice.close()
    model, detector, grader = transcriber(engine), SileroDetector(), AnswerGrader()
    cases = []
    wait_for_quiet(patience)
    with OtherLoad() as others:
        for question in chosen:
            chunks = bot_chunks(audio[question.id], detector)
            case: dict[str, Any] = {
                "id": question.id,
                "seconds": round(len(audio[question.id]) / SAMPLE_RATE, 1),
                "chunks": len(chunks),
                "points": len(question.key_points),
                "original": _graded(grader, question, question.reference_answer),
            }
            for mode in MODES:
                pieces = chunks if mode == "chunked" else [audio[question.id]]
                for prompted in (False, True):
                    prompt = vocabulary_prompt(question) if prompted else None
                    started = time.perf_counter()
                    text = " ".join(model.transcribe(p, prompt=prompt).text for p in pieces)
                    graded = _graded(grader, question, text)
                    graded["wall_s"] = time.perf_counter() - started
                    case[f"{mode}/{'prompt' if prompted else 'none'}"] = graded
            cases.append(case)
            print(f"{question.id}: done", file=sys.stderr)
    return summarise(engine, cases, others.cores)


def _graded(grader: AnswerGrader, question: Question, text: str) -> dict[str, Any]:
    grade = grader.grade(question, question, text)
    edits, words = word_errors(question.reference_answer, text)
    return {
        "text": text,
        "covered": sorted(grade.covered_ids),
        "coverage": grade.coverage,
        "score": grade.score,
        "verdict": str(grade.verdict),
        "edits": edits,
        "words": words,
        "heard_words": len(normalise(text)),
    }


def summarise(engine: str, cases: list[dict[str, Any]], other_cores: float) -> dict[str, Any]:
    """Totals over the answers for each way of transcribing."""
    rows = {}
    for key in ("original", *(f"{m}/{p}" for m in MODES for p in ("none", "prompt"))):
        survived = lost = spurious = 0
        for case in cases:
            truth, heard = set(case["original"]["covered"]), set(case[key]["covered"])
            survived += len(truth & heard)
            lost += len(truth - heard)
            spurious += len(heard - truth)
        rows[key] = {
            "wer": sum(c[key]["edits"] for c in cases) / sum(c[key]["words"] for c in cases),
            "covered": sum(len(c[key]["covered"]) for c in cases),
            "survived": survived,
            "lost": lost,
            "spurious": spurious,
            "median_coverage": statistics.median(c[key]["coverage"] for c in cases),
            "good": sum(c[key]["verdict"] == Verdict.GOOD for c in cases),
            "dropped": sum(c[key]["heard_words"] < 0.75 * c[key]["words"] for c in cases),
            "wall_s": sum(c[key].get("wall_s", 0.0) for c in cases),
        }
    return {
        "engine": engine,
        "answers": len(cases),
        "audio_s": sum(c["seconds"] for c in cases),
        "median_chunks": statistics.median(c["chunks"] for c in cases),
        "points": sum(c["points"] for c in cases),
        "other_cores": other_cores,
        "rows": rows,
        "cases": cases,
    }


def report(summary: dict[str, Any]) -> str:
    """The summary as a Markdown table."""
    rows = summary["rows"]
    truth = rows["original"]["covered"]
    lines = [
        f"{summary['engine']}, {summary['answers']} reference answers, "
        f"{summary['audio_s'] / 60:.1f} min of speech, {summary['points']} key points "
        f"({truth} covered by the original text); chunked = cut as the bot cuts a live answer "
        f"(median {summary['median_chunks']:g} chunks per answer). Other processes kept "
        f"{summary['other_cores']:.2f} cores busy on average. Text dropped: answers whose "
        "transcript has under 75% of the original's words.",
        "",
        "| text graded | WER | key points covered | of the original's, survived | lost "
        "| spurious | median coverage | verdict good | text dropped | transcription time |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, row in rows.items():
        name = key.replace("/none", ", no prompt").replace("/prompt", ", vocabulary prompt")
        lines.append(
            f"| {name} | {row['wer']:.1%} | {row['covered']} | {row['survived']} / {truth} "
            f"({row['survived'] / truth:.0%}) | {row['lost']} | {row['spurious']} "
            f"| {row['median_coverage']:.2f} | {row['good']} / {summary['answers']} "
            f"| {row['dropped']} | {row['wall_s']:.1f} s |"
        )
    return "\n".join(lines)


def details(summary: dict[str, Any]) -> str:
    """Per answer and way of transcribing: WER, and the key points lost."""
    lines = []
    for case in summary["cases"]:
        truth = set(case["original"]["covered"])
        lines.append(f"{case['id']} ({case['seconds']} s, {case['chunks']} chunks)")
        for key in (f"{m}/{p}" for m in MODES for p in ("none", "prompt")):
            row = case[key]
            lost = sorted(truth - set(row["covered"]))
            lines.append(
                f"  {key}: WER {row['edits'] / row['words']:.0%}, "
                f"{row['heard_words']} of {row['words']} words, lost {lost or '-'}"
            )
    return "\n".join(lines)


def main() -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--engine", choices=("faster-whisper", "openai-whisper"), default="faster-whisper"
    )
    parser.add_argument("--questions", type=int, default=15)
    add_common_arguments(parser, quick_help="three questions")
    parser.add_argument("--details", action="store_true", help="key points lost per answer")
    args = parser.parse_args()
    summary = (
        run(args.engine, 3, 0) if args.quick else run(args.engine, args.questions, args.patience)
    )
    if args.json:
        json.dump(summary, sys.stdout, indent=2)
        return 0
    print(report(summary))
    if args.details:
        print("\n" + details(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
