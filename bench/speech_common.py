"""What the speech benchmarks share: spoken bank text, word error rate, percentiles.

Test audio is bank text spoken by pyttsx3 (espeak-ng, voice gmw/en-us, 160 words per minute),
rendered once into data/cache/tts/ and reused by every benchmark.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import os
import re
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import numpy as np
from rapidfuzz.distance import Levenshtein

from bot.bank.catalog import Bank
from bot.bank.loader import load_bank
from bot.bank.tree import FollowUpTree
from bot.settings import PROJECT_ROOT
from bot.speech.audio import load_audio
from bot.speech.ports import SAMPLE_RATE, Samples
from bot.speech.tts import Pyttsx3Speaker

CACHE_DIR = PROJECT_ROOT / "data" / "cache"
VOICE = "gmw/en-us"
RATE = 160
LENGTHS = ("5s", "30s", "90s")


def bank() -> Bank:
    """The shipped question bank."""
    return load_bank([PROJECT_ROOT / "question_bank"])


def speaker() -> Pyttsx3Speaker:
    """The benchmarks' voice: espeak-ng en-us at 160 words per minute, cached on disk."""
    return Pyttsx3Speaker(CACHE_DIR, voice=VOICE, rate=RATE)


@dataclass(frozen=True)
class Clip:
    """Spoken bank text: what was said, where the WAV is, how long it lasts."""

    id: str
    length: str  # one of LENGTHS
    text: str
    wav: str
    seconds: float

    def samples(self) -> Samples:
        """The clip as 16 kHz mono float32."""
        return load_audio(Path(self.wav))


def _flat(text: str) -> str:
    return " ".join(text.split())


def sentences(text: str) -> list[str]:
    """The sentences of a text, whitespace flattened."""
    return re.split(r"(?<=[.!?])\s+", _flat(text))


def short_sentence(tree: FollowUpTree) -> str:
    """~5 s of speech: the sentence nearest 13 words anywhere in a question's tree."""
    candidates = [s for n in tree.nodes.values() for s in sentences(n.reference_answer)]
    return min(candidates, key=lambda s: abs(len(s.split()) - 13))


def _texts(source: Bank, per_length: int) -> Iterator[tuple[str, str, str]]:
    """(id, length, text): a short sentence, one follow-up answer, follow-ups run together."""
    questions = sorted(source.questions, key=lambda q: q.id)
    step = max(len(questions) // per_length, 1)
    chosen = questions[::step][:per_length]
    trees = [source.trees[q.id] for q in chosen]
    for tree in trees:
        yield f"{tree.question.id}/sentence", "5s", short_sentence(tree)
    for tree in trees:
        follow_ups = sorted(
            (n for n_id, n in tree.nodes.items() if n_id != tree.question.id),
            key=lambda n: abs(len(n.reference_answer.split()) - 78),
        )
        yield follow_ups[0].id, "30s", _flat(follow_ups[0].reference_answer)  # ~78 words
        groups = [g for size in (3, 4) for g in itertools.combinations(follow_ups, size)]
        several = min(  # ~90 s: three or four follow-up answers nearest 235 words together
            groups, key=lambda ns: abs(sum(len(n.reference_answer.split()) for n in ns) - 235)
        )
        text = " ".join(_flat(n.reference_answer) for n in several)
        yield "+".join(n.id for n in several), "90s", text


def build_clips(per_length: int) -> list[Clip]:
    """Render (or reuse) `per_length` clips of each length, ordered by length."""
    voice = speaker()
    try:
        clips = []
        for clip_id, length, text in _texts(bank(), per_length):
            wav = voice.render_sync(text)
            seconds = len(load_audio(wav)) / SAMPLE_RATE
            clips.append(Clip(clip_id, length, text, str(wav), round(seconds, 2)))
    finally:
        voice.close()
    return sorted(clips, key=lambda c: LENGTHS.index(c.length))


def write_manifest(clips: list[Clip], path: Path) -> None:
    """Save clips for a worker process."""
    path.write_text(json.dumps([asdict(c) for c in clips]), encoding="utf-8")


def read_manifest(path: Path) -> list[Clip]:
    """Clips saved by `write_manifest`."""
    return [Clip(**c) for c in json.loads(path.read_text(encoding="utf-8"))]


def speech_end(samples: Samples, *, level: float = 0.01) -> float:
    """Seconds from the start of the clip to the end of its last sound (10 ms resolution)."""
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    loud = np.flatnonzero(np.sqrt((frames**2).mean(axis=1)) >= level)
    return (int(loud[-1]) + 1) * 160 / SAMPLE_RATE if loud.size else 0.0


# --- word error rate ---------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = ((10**9, "billion"), (10**6, "million"), (1000, "thousand"), (100, "hundred"))


def number_words(n: int) -> list[str]:
    """A non-negative integer as spoken: 240 -> two hundred forty."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    size, name = next((s, w) for s, w in _SCALES if n >= s)
    return number_words(n // size) + [name] + (number_words(n % size) if n % size else [])


def _decimal(match: re.Match[str]) -> str:
    whole, fraction = match.group(0).split(".")
    digits = " ".join(_ONES[int(d)] for d in fraction)
    return f" {' '.join(number_words(int(whole)))} point {digits} "


@cache
def _american() -> dict[str, str]:
    """openai-whisper's British-to-American spelling table (read as a file: no torch import)."""
    spec = importlib.util.find_spec("whisper")
    if spec is None or not spec.submodule_search_locations:
        return {}
    path = Path(spec.submodule_search_locations[0]) / "normalizers" / "english.json"
    table: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return table


def normalise(text: str) -> list[str]:
    """Words for scoring: lower case, no punctuation, numbers spelled out, American spelling."""
    text = text.lower().replace("%", " percent ").replace("&", " and ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 40,000 -> 40000
    text = re.sub(r"\d+\.\d+", _decimal, text)
    text = re.sub(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", " ", text)  # l2 -> l 2, 3x3 -> 3 x 3
    text = re.sub(r"['’]", "", text)
    text = re.sub(r"[^a-z0-9]+", " ", text)
    text = re.sub(r"\d+", lambda m: " " + " ".join(number_words(int(m.group(0)))) + " ", text)
    spelling = _american()
    return [spelling.get(word, word) for word in text.split()]


def word_errors(reference: str, hypothesis: str) -> tuple[int, int]:
    """(word-level edit distance, reference words) after `normalise`."""
    ref = normalise(reference)
    return Levenshtein.distance(ref, normalise(hypothesis)), len(ref)


def wer(pairs: list[tuple[str, str]]) -> float:
    """Corpus word error rate of (reference, hypothesis) pairs: all edits over all words."""
    edits = words = 0
    for reference, hypothesis in pairs:
        e, n = word_errors(reference, hypothesis)
        edits, words = edits + e, words + n
    return edits / words if words else 0.0


# --- numbers -----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


class OtherLoad:
    """CPU used by other processes while a measurement runs: the machine is shared, so say so.

    Busy time from /proc/stat minus this process's own CPU time and that of its reaped children;
    `cores` is the average number of cores the rest of the machine kept busy.
    """

    def __enter__(self) -> OtherLoad:
        self._start = (time.perf_counter(), _busy_seconds(), _own_seconds())
        self.cores = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        wall, busy, own = self._start
        others = (_busy_seconds() - busy) - (_own_seconds() - own)
        self.cores = max(others, 0.0) / (time.perf_counter() - wall)


def wait_for_quiet(patience: float, *, threshold: float = 0.2, window: float = 5.0) -> float:
    """Wait up to `patience` s for other processes to use under `threshold` cores over `window`.

    The reference machine is shared with other work; measuring while it runs would time that
    work as much as ours. Returns the last load seen (each benchmark also reports the load
    during its measurements, since a quiet start does not promise a quiet run).
    """
    deadline = time.monotonic() + patience
    while True:
        with OtherLoad() as others:
            time.sleep(window if patience > 0 else 0.05)
        if others.cores < threshold or time.monotonic() >= deadline:
            return others.cores
        print(f"waiting: other processes are using {others.cores:.1f} cores", file=sys.stderr)


def _busy_seconds() -> float:
    fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU time of this process and its descendants, live (read from /proc) or reaped."""
    processes: dict[int, tuple[int, int]] = {}  # pid -> (parent, clock ticks)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:  # the process ended while we looked
            continue
        fields = text[text.rindex(")") + 2 :].split()
        processes[int(stat.parent.name)] = (int(fields[1]), sum(map(int, fields[11:15])))
    tree, ticks = {os.getpid()}, 0
    for pid in sorted(processes, key=lambda p: _depth(p, processes)):
        parent, used = processes[pid]
        if pid in tree or parent in tree:
            tree.add(pid)
            ticks += used
    return ticks / os.sysconf("SC_CLK_TCK")


def _depth(pid: int, processes: dict[int, tuple[int, int]]) -> int:
    depth = 0
    while pid in processes and depth < 64:
        pid, depth = processes[pid][0], depth + 1
    return depth


def peak_rss_mib() -> float:
    """This process's peak resident memory so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def add_common_arguments(parser: argparse.ArgumentParser, *, quick_help: str) -> None:
    """--quick, --patience and --json, which every speech benchmark takes."""
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument(
        "--patience",
        type=float,
        default=600,
        help="seconds to wait for other processes to go quiet before each measurement",
    )
    parser.add_argument("--json", action="store_true")
