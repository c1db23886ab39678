"""A reproducible Indonesian news archive of N passages, built from shared/facqa-dev.

Why this shape: the archive must hide each probe question's answer among N passages that read
like news but cannot answer it. So a fixed set of 200 facqa-dev articles (chosen once by a seeded
generator, the same for every N) keeps its text and its questions, and every other article of the
archive recombines 2-4 sentences of the *other* 673 articles (so a probe answer is never copied
elsewhere). Each article is at most ``MAX_CHARS`` characters, so one article is one passage at
the default chunk size, and carries a front-matter date and source for filters to work on.

The same N gives the same archive byte for byte (``random.Random(seed)``, sorted inputs, no clock).
N = 873 is the plain dev set: the 873 articles as they are, no front matter, no recombination.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FACQA = ROOT.parent / "shared" / "facqa-dev"
PROBE_ARTICLES = 200
PLAIN_N = 873
MAX_CHARS = 560
SEED = 32
SOURCES = (
    "Kabar Nusantara",
    "Harian Khatulistiwa",
    "Warta Ekonomi Rakyat",
    "Suara Pelosok",
    "Berita Kepulauan",
    "Jurnal Ibu Kota",
    "Koran Selat",
    "Pos Timur",
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“(])")
_FIRST_DAY = dt.date(2000, 1, 1)
_DAYS = (dt.date(2024, 12, 31) - _FIRST_DAY).days


@dataclass(frozen=True)
class Probe:
    """A probe question and the archive file that holds its answer."""

    id: str
    question: str
    answers: tuple[str, ...]
    doc: str


def _sources(facqa: Path) -> tuple[list[Path], list[dict]]:
    files = sorted((facqa / "articles").glob("*.txt"))
    rows = [json.loads(line) for line in (facqa / "questions.jsonl").read_text().splitlines()]
    return files, rows


def probe_files(facqa: Path = FACQA) -> list[Path]:
    """The fixed 200 probe articles (independent of N)."""
    files, _ = _sources(facqa)
    return sorted(random.Random(SEED).sample(files, PROBE_ARTICLES))


def _front(title: str, date: dt.date, source: str) -> str:
    quoted = json.dumps(title, ensure_ascii=False)  # a JSON string is a YAML string
    return f"---\ntitle: {quoted}\ndate: {date}\nsource: {source}\n---\n"


def _title(text: str) -> str:
    words = text.split()
    return " ".join(words[:8]).rstrip(".,;:") + ("…" if len(words) > 8 else "")


def _doc(i: int) -> str:
    return f"{i // 1000:03d}/a{i:06d}.txt"


def generate(out: Path, n: int, facqa: Path = FACQA) -> list[Probe]:
    """Write the archive of ``n`` passages into ``out`` (which must not exist) and return the
    probe questions with the file that answers each."""
    files, rows = _sources(facqa)
    out.mkdir(parents=True)
    if n == PLAIN_N:
        for f in files:
            (out / f.name).write_bytes(f.read_bytes())
        names = {p.name for p in probe_files(facqa)}
        return [Probe(r["id"], r["q"], tuple(r["a"]), r["doc"]) for r in rows if r["doc"] in names]
    if n < PROBE_ARTICLES:
        raise ValueError(f"an archive needs at least {PROBE_ARTICLES} passages")
    rng = random.Random(f"{SEED}:{n}")
    probes = probe_files(facqa)
    probe_names = {p.name for p in probes}
    sentences = [
        s.strip()
        for f in files
        if f.name not in probe_names
        for s in _SENTENCE_END.split(f.read_text(encoding="utf-8"))
        if 20 <= len(s.strip()) <= MAX_CHARS // 2
    ]
    # Probe articles sit at seeded places among the others, so they are not all in one folder.
    slots = sorted(rng.sample(range(n), PROBE_ARTICLES))
    where = dict(zip(slots, probes, strict=True))
    docs: dict[str, str] = {}
    for i in range(n):
        date = _FIRST_DAY + dt.timedelta(days=rng.randrange(_DAYS))
        source = rng.choice(SOURCES)
        if i in where:
            text = where[i].read_text(encoding="utf-8").strip()
            docs[where[i].name] = _doc(i)
        else:
            picked: list[str] = []
            for s in rng.sample(sentences, 6):
                if len(" ".join([*picked, s])) > MAX_CHARS:
                    break
                picked.append(s)
            text = " ".join(picked or [rng.choice(sentences)[:MAX_CHARS]])
        path = out / _doc(i)
        path.parent.mkdir(exist_ok=True)
        path.write_text(_front(_title(text), date, source) + text + "\n", encoding="utf-8")
    return [Probe(r["id"], r["q"], tuple(r["a"]), docs[r["doc"]]) for r in rows if r["doc"] in docs]


def write_probes(probes: list[Probe], path: Path) -> None:
    path.write_text(
        "".join(json.dumps(p.__dict__, ensure_ascii=False) + "\n" for p in probes),
        encoding="utf-8",
    )


def read_probes(path: Path) -> list[Probe]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Probe(r["id"], r["question"], tuple(r["answers"]), r["doc"]) for r in rows]
