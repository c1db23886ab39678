"""The generator of bench/archive.py: deterministic, probes kept whole, the rest recombined."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

import pytest

from bench.archive_corpus import MAX_CHARS, PROBE_ARTICLES, generate, probe_files
from qa.corpus import load_articles

WORDS = ("pemerintah", "kota", "warga", "pasar", "harga", "beras", "sekolah", "jalan", "banjir")


@pytest.fixture(scope="module")
def facqa(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small stand-in for shared/facqa-dev: 260 two-sentence articles, one question each."""
    root = tmp_path_factory.mktemp("facqa")
    (root / "articles").mkdir()
    rng = random.Random(0)
    rows = []
    for i in range(260):
        text = " ".join(
            f"{w.capitalize()} {' '.join(rng.choices(WORDS, k=8))} nomor {i}-{s}."
            for s, w in enumerate(rng.sample(WORDS, 2))
        )
        (root / "articles" / f"berita-{i:04d}.txt").write_text(text + "\n", encoding="utf-8")
        rows.append(
            {"id": f"f{i}", "q": f"Apa nomor {i}?", "a": [f"{i}"], "doc": f"berita-{i:04d}.txt"}
        )
    (root / "questions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.rglob("*.txt")):
        h.update(f.relative_to(folder).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def test_the_same_n_gives_the_same_archive_byte_for_byte(facqa: Path, tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 600, facqa)
    second = generate(tmp_path / "b", 600, facqa)
    assert first == second and digest(tmp_path / "a") == digest(tmp_path / "b")
    generate(tmp_path / "c", 601, facqa)
    assert digest(tmp_path / "c") != digest(tmp_path / "a")


def test_probes_keep_their_article_and_the_rest_never_copies_a_probe(facqa: Path, tmp_path: Path):
    probes = generate(tmp_path / "arch", 600, facqa)
    kept = {p.name for p in probe_files(facqa)}
    assert len(kept) == PROBE_ARTICLES and len(probes) == PROBE_ARTICLES
    articles = {a.doc: a for a in load_articles(tmp_path / "arch")}
    assert len(articles) == 600
    probe_docs = {p.doc for p in probes}
    for probe in probes:  # the answer is in its own article, with a date and a source
        article = articles[probe.doc]
        assert f"nomor {probe.answers[0]}-" in article.text
        assert article.meta.date_from == "front matter" and article.meta.source
    probe_numbers = {f"nomor {name[7:11].lstrip('0') or '0'}-" for name in kept}
    for doc, article in articles.items():
        if doc in probe_docs:
            continue
        body = article.text[article.body_start :]
        assert len(body.strip()) <= MAX_CHARS
        assert not any(n in body for n in probe_numbers), doc


def test_n_873_is_the_plain_dev_set(tmp_path: Path) -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "facqa-dev"
    if not shared.is_dir():
        pytest.skip("needs ../shared/facqa-dev")
    probes = generate(tmp_path / "plain", 873)
    files = sorted((tmp_path / "plain").glob("*.txt"))
    assert len(files) == 873 and not files[0].read_text().startswith("---")
    assert {p.doc for p in probes} == {f.name for f in probe_files()}
