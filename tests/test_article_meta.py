"""Article metadata: front matter first, then what the text shows, then the file's date."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qa.article_meta import date_in_text, iso_date, split_front_matter
from qa.chunking import ChunkingParams, chunk_article
from qa.corpus import load_articles, read_article
from qa.errors import FrontMatterError
from tests.conftest import SEED_FILE

FRONT = """---
title: Putin di Pyongyang
date: 2024-06-19
source: DW
author: Dawud
url: https://example.org/a
---
Korea Utara menyambut Putin.

Kim Jong Un menjemput Putin di bandara pada dini hari.
"""


def test_front_matter_gives_title_date_source_author_url_and_is_not_chunked(tmp_path: Path):
    (tmp_path / "a.md").write_text(FRONT, encoding="utf-8")
    article = read_article(tmp_path / "a.md", "a.md")
    assert article.title == "Putin di Pyongyang"
    assert article.meta.as_dict() == {
        "date": "2024-06-19",
        "source": "DW",
        "author": "Dawud",
        "url": "https://example.org/a",
        "date_from": "front matter",
    }
    assert article.text == FRONT  # offsets still index the file
    chunks = chunk_article(article, ChunkingParams(600, 120))
    assert chunks[0].start == article.body_start == FRONT.index("Korea")
    assert all("source:" not in c.text and c.text == FRONT[c.start : c.end] for c in chunks)


def test_the_seed_article_shows_its_author_and_falls_back_to_the_file_date(tmp_path: Path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    copy = seeds / "seed.txt"
    copy.write_bytes(SEED_FILE.read_bytes())
    os.utime(copy, (1718755200, 1718755200))  # 2024-06-19 UTC
    [article] = load_articles(seeds)
    assert article.meta.author == "Dawud" and article.body_start == 0
    assert article.meta.date_from == "file" and article.meta.date.startswith("2024-06-1")


def test_a_date_written_near_the_top_is_the_articles_date() -> None:
    assert date_in_text("Jakarta, 19 Juni 2024 - Presiden berkata.") == "2024-06-19"
    assert date_in_text("Published 3 March 2021. Text.") == "2021-03-03"
    assert date_in_text("Tidak ada tanggal di sini.") == ""
    assert iso_date("2024-02-30") == "" and iso_date("31 Desember 1999") == "1999-12-31"


def test_bad_front_matter_is_one_clear_error(tmp_path: Path) -> None:
    text = "---\ntitle: [unclosed\n---\nIsi berita.\n"
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    with pytest.raises(FrontMatterError, match=r"b\.txt: its front matter is not valid YAML"):
        read_article(tmp_path / "b.txt", "b.txt")
    assert split_front_matter("---\n- a list\n---\nx").problem
    assert "not a date" in split_front_matter("---\ndate: kemarin\n---\nx").problem
    assert split_front_matter("no block\n---\n").body_start == 0


def test_front_matter_cannot_build_objects() -> None:
    front = split_front_matter("---\ntitle: !!python/object/apply:os.system ['echo hi']\n---\nx\n")
    assert front.fields == {} and front.problem  # safe_load refuses the tag
