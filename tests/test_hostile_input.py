"""Hostile articles, file names, batch files, settings and index folders (issue: hostile input).

Each test names the item of the report it keeps fixed; each failed before the fix.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from qa.config import load_settings
from qa.corpus import load_articles
from qa.engine import Engine
from qa.errors import IndexCorruptError, InputError
from qa.store import MARKER, load_index, remove_leftovers, states_dir
from tests.fakes import FakeEmbedder, FakeGenerator
from tests.hostile import HOSTILE_ARTICLE, HOSTILE_TITLE, assert_terminal_safe


@pytest.fixture
def hostile(seeds: Path) -> Path:
    """The seeds folder holding only the hostile article."""
    for article in seeds.iterdir():
        article.unlink()
    (seeds / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    return seeds / "hostile.txt"


def _one_line_error(code: int, err: str, *words: str) -> None:
    assert code != 0, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


# ---------------------------------------------------------------- 1. terminal escape injection


def test_ask_shows_a_hostile_article_without_sending_its_escapes(cli, hostile: Path) -> None:
    assert cli("index", "--quiet")[0] == 0
    code, out, err = cli("ask", "Kapan Putin tiba di Pyongyang?")
    assert code == 0 and "Sources:" in out and "hostile.txt" in out
    assert "␛]0;HACKED-TITLE␇" in out  # the title is shown, its escapes visible
    assert_terminal_safe(out)
    assert_terminal_safe(err)


def test_json_keeps_the_exact_article_text_and_its_offsets(cli, hostile: Path) -> None:
    cli("index", "--quiet")
    code, out, _ = cli("ask", "--json", "Kapan Putin tiba di Pyongyang?")
    assert code == 0
    assert_terminal_safe(out.rstrip("\n"))  # JSON escapes them: \u001b
    data = json.loads(out)
    cited = [s for s in data["sources"] if s["doc"] == "hostile.txt"]
    assert cited and cited[0]["title"] == HOSTILE_TITLE
    text = hostile.read_text(encoding="utf-8")
    for s in cited:
        assert text[s["start"] : s["end"]] == s["text"]  # offsets into the exact original


def test_file_names_with_escapes_and_newlines_are_shown_safely(cli, seeds: Path) -> None:
    (seeds / "evil\x1b[2J\nname.txt").write_text("Judul\n\nIsi berita biasa.", encoding="utf-8")
    (seeds / "bad\x1b]0;X\x07.txt").write_bytes(b"\xff\xfe not utf-8")
    code, out, err = cli("index")
    assert code == 0 and "evil␛[2J␤name.txt" in out
    assert "bad␛]0;X␇.txt" in err and "skipped" in err
    assert_terminal_safe(out)
    assert_terminal_safe(err)


def test_batch_ids_and_answers_are_shown_safely(cli, hostile: Path, tmp_path: Path) -> None:
    cli("index", "--quiet")
    batch = tmp_path / "b.jsonl"
    batch.write_text(json.dumps({"id": "x\x1b[2J", "q": "Kapan Putin tiba?"}) + "\n")
    code, out, err = cli("ask", "--batch", str(batch))
    assert code == 0
    assert_terminal_safe(out.replace("\n", ""))
    assert_terminal_safe(err)


# ---------------------------------------------------------------- 2 and 7. the index folder


def test_index_refuses_a_folder_that_is_not_a_qa_index(cli, tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    (photos / "v-2024-holiday-photos").mkdir(parents=True)
    (photos / "v-2024-holiday-photos" / "img1.jpg").write_bytes(b"jpeg")
    code, _, err = cli("index", "--quiet", index=photos)
    _one_line_error(code, err, "not a qa index")
    assert (photos / "v-2024-holiday-photos" / "img1.jpg").read_bytes() == b"jpeg"
    assert sorted(p.name for p in photos.iterdir()) == ["v-2024-holiday-photos"]


def test_index_deletes_only_what_it_wrote(cli, tmp_path: Path, seeds: Path) -> None:
    index = tmp_path / "idx"
    assert cli("index", "--quiet", index=index)[0] == 0
    assert (index / MARKER).is_file()
    theirs = [index / "v-2024-holiday-photos", index / ".tmp-v-notes", index / "v-20240101T000000"]
    for folder in theirs:
        folder.mkdir()
        (folder / "img1.jpg").write_bytes(b"jpeg")
    (seeds / "baru.txt").write_text("Berita Baru\n\nGempa kecil di Bandung.", encoding="utf-8")
    assert cli("index", "--quiet", index=index)[0] == 0
    assert cli("index", "--quiet", "--rebuild", index=index)[0] == 0
    for folder in theirs:
        assert (folder / "img1.jpg").read_bytes() == b"jpeg"
    ours = [p for p in index.iterdir() if re.fullmatch(r"v-\d{8}T\d{6}-\d+-\d+", p.name)]
    assert len(ours) == 1  # the old versions qa wrote are gone


def test_an_index_from_before_the_marker_is_still_updated(cli, tmp_path: Path, seeds: Path) -> None:
    index = tmp_path / "idx"
    cli("index", "--quiet", index=index)
    (index / MARKER).unlink()  # as written by an older qa
    (seeds / "baru.txt").write_text("Berita Baru\n\nGempa kecil di Bandung.", encoding="utf-8")
    code, out, _ = cli("index", "--quiet", index=index)
    assert code == 0 and "added 1" in out and (index / MARKER).is_file()


def test_a_garbled_current_keeps_the_intact_version_and_reuses_it(tmp_path: Path, settings) -> None:
    embedder = FakeEmbedder()
    engine = Engine(settings, embedder=embedder, generator=FakeGenerator())
    engine.reindex()
    index = settings.index_dir
    old = load_index(index)
    (index / "CURRENT").write_bytes(b"\x00garbage\xff")
    with pytest.raises(IndexCorruptError):
        load_index(index)
    embedder.calls.clear()
    warnings: list[str] = []
    report = engine.reindex(warn=warnings.append)
    assert old.path.is_dir() and load_index(index).path == old.path  # nothing deleted, live again
    assert embedder.calls == [] and not report.written
    assert any("continuing from" in w for w in warnings)


# ---------------------------------------------------------------- 3. leftovers of a full disk


def test_stale_temp_files_of_every_kind_are_cleaned(cli, tmp_path: Path) -> None:
    index = tmp_path / "idx"
    cli("index", "--quiet", index=index)
    dead = 2**22 + 12345  # above the usual pid_max: no such process
    states = states_dir(index)
    states.mkdir(exist_ok=True)
    leftovers = [states / f".abc.kv.{dead}.tmp", index / f".CURRENT.{dead}.tmp"]
    for path in leftovers:
        path.write_bytes(b"x" * 1000)
    live = states / f".def.kv.{os.getpid()}.tmp"  # a write still going on
    live.write_bytes(b"x")
    remove_leftovers(index)
    assert not any(p.exists() for p in leftovers) and live.exists()


def test_a_reader_never_recreates_a_removed_folder_for_its_state(tmp_path: Path) -> None:
    from qa.generation import save_state

    gone = tmp_path / "idx" / "v-20240101T000000-1-1"  # removed by a writer meanwhile
    assert not save_state(gone / "kv", "key", b"state", 3)
    assert not gone.exists()
    index = tmp_path / "idx"
    index.mkdir()
    assert save_state(states_dir(index), "key", b"state", 3)
    assert sorted(p.name for p in states_dir(index).iterdir()) == ["key.json", "key.kv"]


def test_questions_use_the_states_beside_the_versions(settings) -> None:
    class Prefilling(FakeGenerator):
        def __init__(self) -> None:
            super().__init__()
            self.state_dirs: list[Path] = []

        def prefill(self, prefix: str, state_dir: Path | None = None) -> str:
            self.state_dirs.append(state_dir)
            return "computed"

    generator = Prefilling()
    engine = Engine(settings, embedder=FakeEmbedder(), generator=generator)
    engine.reindex()
    engine.answer("Siapa Easley?")
    assert set(generator.state_dirs) == {settings.index_dir / "kv"}


# ---------------------------------------------------------------- 4 and 10. batch input


def test_a_non_utf8_line_fails_alone_and_the_batch_goes_on(cli, tmp_path: Path) -> None:
    cli("index", "--quiet")
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(
        b'{"id": "a", "q": "Siapa Easley?"}\n'
        b'{"id": "b", "q": "caf\xe9?"}\n'
        b'{"id": "c", "q": "Siapa Yakov Zinberg?"}\n'
    )
    code, out, err = cli("ask", "--json", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in rows] == ["a", 2, "c"]
    assert "answer" in rows[0] and "answer" in rows[2]
    assert "not UTF-8" in rows[1]["error"] and code == 1 and "Traceback" not in err


def test_a_byte_order_mark_does_not_cost_the_first_line(cli, tmp_path: Path) -> None:
    cli("index", "--quiet")
    batch = tmp_path / "b.jsonl"
    batch.write_bytes(b'\xef\xbb\xbf{"id": "a", "q": "Siapa Easley?"}\n')
    code, out, _ = cli("ask", "--json", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and rows[0]["id"] == "a" and "answer" in rows[0]


@pytest.mark.parametrize("question", ["Siapa\x00 Easley?", "Siapa \x1b[2JEasley?"])
def test_control_characters_in_a_question_are_refused(cli, question: str) -> None:
    cli("index", "--quiet")
    code, out, err = cli("ask", question)
    _one_line_error(code, err, "control characters")
    assert out == ""


def test_a_too_small_context_names_the_real_rule() -> None:
    with pytest.raises(InputError, match="at least 512"):
        load_settings(environ={"QA_N_CTX": "10"})


# ---------------------------------------------------------------- 6. a switch while loading


def test_a_load_racing_a_version_switch_retries_on_the_new_version(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    import qa.store

    engine = Engine(settings, embedder=FakeEmbedder(), generator=FakeGenerator())
    engine.reindex()
    real = qa.store.load_version
    calls: list[Path] = []

    def switching(path: Path, index_dir: Path):
        calls.append(path)
        if len(calls) == 1:  # a writer switches versions and deletes this one meanwhile
            (settings.seeds_dir / "baru.txt").write_text("Berita\n\nIsi.", encoding="utf-8")
            monkeypatch.setattr(qa.store, "load_version", real)
            engine.reindex()
            monkeypatch.setattr(qa.store, "load_version", switching)
            return real(path, index_dir)  # the old version is gone: corrupt
        return real(path, index_dir)

    monkeypatch.setattr(qa.store, "load_version", switching)
    index = load_index(settings.index_dir)
    assert len(calls) == 2 and calls[0] != calls[1] and index.path == calls[1]
    assert "baru.txt" in index.manifest.docs


# ---------------------------------------------------------------- 8. one line, not a traceback


def test_index_pointing_at_a_file_is_one_line(cli, tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x")
    for command in (("index", "--quiet"), ("ask", "Siapa Easley?")):
        code, _, err = cli(*command, index=file)
        _one_line_error(code, err, "is a file")
    assert file.read_text() == "x"


def test_a_read_only_index_folder_is_one_line(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import qa.store

    def read_only(path: Path, *_a, **_k) -> None:
        raise PermissionError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(qa.store, "write_atomic", read_only)
    code, _, err = cli("index", "--quiet")
    _one_line_error(code, err, "read-only")


def test_a_full_disk_during_index_is_one_line(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    import qa.store

    cli("index", "--quiet")
    before = load_index(tmp_path / "idx")

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", "chunks.jsonl")

    monkeypatch.setattr(qa.store.LexicalIndex, "from_token_ids", full)
    (tmp_path / "seeds" / "baru.txt").write_text("Berita\n\nIsi.", encoding="utf-8")
    code, _, err = cli("index", "--quiet")
    _one_line_error(code, err, "no space left", "free some disk space")
    assert load_index(tmp_path / "idx").path == before.path
    assert not [p for p in (tmp_path / "idx").iterdir() if p.name.startswith(".tmp-")]


# ---------------------------------------------------------------- 9. links and huge files


def test_links_out_of_the_folder_and_link_loops_are_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    seeds = tmp_path / "seeds"
    (seeds / "sub").mkdir(parents=True)
    (seeds / "ok.txt").write_text("Judul\n\nIsi.", encoding="utf-8")
    outside = tmp_path / "secret.txt"
    outside.write_text("rahasia", encoding="utf-8")
    (seeds / "passwd.txt").symlink_to("/etc/passwd")
    (seeds / "secret.txt").symlink_to(outside)
    (seeds / "loop.txt").symlink_to(seeds / "loop.txt")
    (seeds / "dir-out").symlink_to(tmp_path, target_is_directory=True)
    (seeds / "alias.txt").symlink_to(seeds / "ok.txt")  # inside: read as its own article
    warnings: list[str] = []
    articles = load_articles(seeds, warnings.append)
    assert [a.doc for a in articles] == ["alias.txt", "ok.txt"]
    text = "\n".join(warnings)
    for name in ("passwd.txt", "secret.txt", "dir-out"):
        assert f"skipped {name}: a link to outside the articles folder" in text
    assert "skipped loop.txt: a link loop" in text


def test_an_oversized_article_is_skipped_with_a_warning(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ok.txt").write_text("Judul\n\nIsi.", encoding="utf-8")
    (seeds / "dump.txt").write_bytes(b"kata " * (2 * 2**20 // 5 + 1))
    warnings: list[str] = []
    articles = load_articles(seeds, warnings.append, max_bytes=2**20)
    assert [a.doc for a in articles] == ["ok.txt"]
    assert any("dump.txt" in w and "QA_MAX_ARTICLE_MB" in w for w in warnings)
