"""End-to-end, real models: scopes, `qa search`, summaries and a watched folder (issue 34)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from qa.store import load_index
from tests.conftest import SEED_FILE
from tests.test_e2e import ask_json, qa

pytestmark = pytest.mark.e2e
ARTICLE = SEED_FILE.read_text(encoding="utf-8")
PUTIN_2000 = "Putin terakhir kali mengunjungi negara itu pada tahun 2000."
PUTIN_QUESTION = "Kapan terakhir kali Putin mengunjungi Korea Utara sebelum kunjungan ini?"
FLOOD = """\
---
title: Banjir melanda Semarang
date: 2019-01-05
source: Kompas
---
Banjir melanda Semarang

Hujan deras sejak Jumat malam membuat Sungai Banjir Kanal Barat meluap. Sebanyak 1.250 warga \
Semarang mengungsi ke masjid dan sekolah setelah banjir merendam rumah mereka. Wali kota \
Semarang meminta warga tetap waspada karena hujan diperkirakan turun hingga Senin.
"""
FLOOD_QUESTION = "Berapa warga Semarang mengungsi?"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed article (dated today by its file) and a flood article dated 2019, indexed."""
    root = tmp_path_factory.mktemp("news")
    (root / "seeds").mkdir()
    shutil.copy(SEED_FILE, root / "seeds" / SEED_FILE.name)
    (root / "seeds" / "001_banjir.txt").write_text(FLOOD, encoding="utf-8")
    proc = qa("index", "--no-prefill", "--quiet", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root


def test_search_returns_the_2000_sentence_first(archive: Path) -> None:
    proc = qa("search", "--json", "--doc", SEED_FILE.name, PUTIN_QUESTION, cwd=archive)
    assert proc.returncode == 0, proc.stderr
    top = json.loads(proc.stdout)["passages"][0]
    assert PUTIN_2000 in top["text"] and ARTICLE[top["start"] : top["end"]] == top["text"]
    assert top["scores"]["fused"] > 0 and top["doc"] == SEED_FILE.name
    shown = qa("search", PUTIN_QUESTION, cwd=archive)
    assert shown.returncode == 0 and "2000" in shown.stdout.split("\n2.")[0]


def test_doc_scoped_to_an_article_without_the_answer_is_refused(archive: Path) -> None:
    unscoped = ask_json(PUTIN_QUESTION, archive)
    assert "2000" in unscoped["answer"] and not unscoped["refused"]
    proc = qa("ask", "--json", "--doc", "001_banjir.txt", PUTIN_QUESTION, cwd=archive)
    assert proc.returncode == 0, proc.stderr
    scoped = json.loads(proc.stdout)
    assert scoped["refused"] and "2000" not in scoped["answer"]
    assert scoped["scope"] == {"doc": ["001_banjir.txt"]}


def test_since_excludes_an_older_article_otherwise_cited(archive: Path) -> None:
    unscoped = ask_json(FLOOD_QUESTION, archive)
    assert "1.250" in unscoped["answer"]
    assert "001_banjir.txt" in {s["doc"] for s in unscoped["sources"] if s["cited"]}
    proc = qa("ask", "--json", "--since", "2024-01-01", FLOOD_QUESTION, cwd=archive)
    assert proc.returncode == 0, proc.stderr
    scoped = json.loads(proc.stdout)
    assert "1.250" not in scoped["answer"]
    assert "001_banjir.txt" not in {s["doc"] for s in scoped["sources"]}


def test_summary_cites_sentences_of_the_article(archive: Path) -> None:
    proc = qa("summarize", "--json", SEED_FILE.name, cwd=archive)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert not summary["refused"] and summary["sources"]
    for source in summary["sources"]:
        assert source["cited"] and ARTICLE[source["start"] : source["end"]] == source["text"]


def test_bad_scopes_are_one_line_and_exit_2(archive: Path) -> None:
    for args, message in (
        (("--doc", "nope.txt"), "no article 'nope.txt'"),
        (("--since", "kemarin"), "is not a date"),
        (("--since", "2024-02-01", "--until", "2024-01-01"), "is after --until"),
    ):
        proc = qa("ask", *args, PUTIN_QUESTION, cwd=archive)
        assert proc.returncode == 2 and proc.stdout == "", proc.stderr
        assert proc.stderr.count("\n") == 1 and message in proc.stderr


def _indexed(index_dir: Path) -> set[str]:
    try:
        return set(load_index(index_dir).manifest.docs)
    except Exception:  # being replaced: look again
        return set()


def _wait_for(condition, timeout: float) -> float | None:
    """Seconds until ``condition()`` held, or None after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    return None


def test_a_watched_folder_answers_new_articles_and_forgets_removed_ones(
    tmp_path: Path,
) -> None:
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_FILE, tmp_path / "seeds" / SEED_FILE.name)
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    watcher = subprocess.Popen(
        [sys.executable, "-m", "qa.cli", "index", "--watch", "--quiet"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert watcher.stderr is not None
        for line in watcher.stderr:  # the first index is built, then it watches
            if line.startswith("watching"):
                break
        index_dir = tmp_path / "indexes"
        flood = tmp_path / "seeds" / "001_banjir.txt"
        flood.write_text(FLOOD, encoding="utf-8")
        took = _wait_for(lambda: "001_banjir.txt" in _indexed(index_dir), 10.0)
        assert took is not None, "not indexed within 10 s of being written"
        found = qa("search", "--json", FLOOD_QUESTION, cwd=tmp_path)
        assert json.loads(found.stdout)["passages"][0]["doc"] == "001_banjir.txt"
        answer = ask_json(FLOOD_QUESTION, tmp_path)
        assert "1.250" in answer["answer"]
        flood.unlink()
        assert _wait_for(lambda: _indexed(index_dir) == {SEED_FILE.name}, 10.0) is not None
        again = ask_json(FLOOD_QUESTION, tmp_path)
        assert "1.250" not in again["answer"]
        assert all(s["doc"] == SEED_FILE.name for s in again["sources"])
    finally:
        watcher.terminate()
        watcher.wait(30)
