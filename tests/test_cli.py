from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qa.cli
from qa.engine import Engine
from tests.conftest import REPO
from tests.fakes import FakeEmbedder


def test_index_reports_what_changed(cli, seeds: Path) -> None:
    code, out, _ = cli("index", "--quiet")
    assert code == 0 and "added 1" in out and "000_3f6abac00ed53627.txt" in out
    (seeds / "b.txt").write_text("Berita B\n\nHujan deras di Bogor.")
    code, out, _ = cli("index", "--quiet")
    assert code == 0 and "added 1" in out and "kept 1" in out
    code, out, _ = cli("index", "--quiet", "--rebuild")
    assert code == 0 and "full rebuild" in out


def test_ask_json_has_the_documented_shape(cli) -> None:
    cli("index", "--quiet")
    code, out, _ = cli("ask", "--json", "Kapan Putin terakhir kali mengunjungi negara itu?")
    assert code == 0
    data = json.loads(out)
    assert {"question", "answer", "sources", "timings", "model"} <= set(data)
    article = (REPO / "seeds" / data["sources"][0]["doc"]).read_text(encoding="utf-8")
    for s in data["sources"]:
        assert article[s["start"] : s["end"]] == s["text"]


def test_ask_streams_text_then_sources(cli) -> None:
    cli("index", "--quiet")
    code, out, _ = cli("ask", "Siapa Yakov Zinberg?")
    assert code == 0 and "Sources:" in out and "[" in out


def test_batch_answers_every_line_and_reports_bad_ones(cli, tmp_path: Path) -> None:
    cli("index", "--quiet")
    batch = tmp_path / "b.jsonl"
    lines = [
        {"id": "a", "q": "Siapa Easley?", "a": ["x"]},
        {"id": "b", "turns": ["Siapa Yakov Zinberg?", "Di kota mana dia bekerja?"]},
        {"id": "c", "q": "   "},
        {"id": "d"},
    ]
    batch.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    code, out, _ = cli("ask", "--json", "--batch", str(batch))
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c", "d", 5]
    assert "answer" in rows[0] and "answer" in rows[1]
    assert all("error" in r for r in rows[2:])
    assert code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("ask", ""), "question is empty"),
        (("ask", "x" * 3000), "characters"),
        (("ask",), "no question"),
        (("ask", "Siapa?"), "qa index"),
        (("ask", "--batch", "/nonexistent.jsonl"), "does not exist"),
    ],
)
def test_user_mistakes_get_one_line_and_exit_2(cli, args, message: str) -> None:
    code, out, err = cli(*args)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_seeds_directory(cli, tmp_path: Path) -> None:
    code, _, err = cli("index", "--quiet", "--seeds", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err


def test_bad_model_paths_are_reported(tmp_path: Path, seeds: Path) -> None:
    """Through the real entry point: a missing, a non-GGUF and a corrupt GGUF model file."""
    not_gguf = tmp_path / "x.gguf"
    not_gguf.write_text("hello")
    corrupt = tmp_path / "c.gguf"
    corrupt.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\xff" * 64)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QA_CACHE_DIR": str(tmp_path / "c")}
    index = tmp_path / "idx"
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "qa.cli",
            "index",
            "--quiet",
            "--no-prefill",
            "--seeds",
            str(seeds),
            "--index",
            str(index),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
    )
    assert built.returncode == 0, built.stderr
    for model, message in (
        (tmp_path / "missing.gguf", "does not exist"),
        (not_gguf, "not a GGUF"),
        (corrupt, "could not load"),
    ):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "qa.cli",
                "ask",
                "--index",
                str(index),
                "--model",
                str(model),
                "Siapa Easley?",
            ],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 2, proc.stderr
        assert message in proc.stderr and "Traceback" not in proc.stderr
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr


def test_an_answer_put_back_into_indonesian_is_printed_once(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Over English articles the English answer streams first, then the Indonesian one after a
    blank line; the final answer is not printed a third time."""
    import contextlib
    import io

    from tests.fakes import ScriptedTranslator

    seeds = tmp_path / "en-seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("The mayor opened the new bridge on Monday. It cost a lot.\n")
    question = "Kapan wali kota membuka jembatan baru itu?"
    back = "Wali kota membuka jembatan baru itu pada hari Senin."
    script = {
        question: "When did the mayor open the new bridge?",
        "The mayor opened the new bridge on Monday.": back,
    }
    monkeypatch.setenv("QA_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(
        qa.cli,
        "make_engine",
        lambda s: Engine(s, embedder=FakeEmbedder(), generator=ScriptedTranslator(script)),
    )
    paths = ["--index", str(tmp_path / "idx"), "--seeds", str(seeds)]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert qa.cli.main(["index", *paths, "--quiet"]) == 0
        assert qa.cli.main(["ask", *paths, question]) == 0
    printed = out.getvalue()
    assert "Monday [1].\n\n" + back in printed and printed.count(back) == 1
    assert "Sources:" in printed


def test_the_progress_bar_shows_passages_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal, embedding progress shows count, rate and time left (issue 32)."""
    import io

    from rich.console import Console

    from qa import progress

    out = io.StringIO()
    monkeypatch.setattr(progress.sys.stderr, "isatty", lambda: True, raising=False)
    real = Console

    def console(**kw):
        return real(file=out, force_terminal=True, width=120)

    monkeypatch.setattr("rich.console.Console", console)
    with progress.progress_bar("embedding chunks") as update:
        assert update is not None
        update(0, 400)
        time.sleep(0.05)
        update(200, 400)
    assert "200/400" in out.getvalue() and "/s" in out.getvalue()


def test_every_source_shows_its_articles_date_and_source(cli, seeds: Path) -> None:
    """Article metadata from front matter reaches `qa ask` and `--json` (issue 34, item 1)."""
    seed = next(seeds.glob("*.txt"))
    text = seed.read_text(encoding="utf-8")
    seed.write_text(f"---\ndate: 2024-06-19\nsource: DW\n---\n{text}", encoding="utf-8")
    assert cli("index", "--quiet")[0] == 0
    code, out, _ = cli("ask", "--json", "Siapa Leif-Eric Easley?")
    assert code == 0
    sources = json.loads(out)["sources"]
    assert sources and all(s["date"] == "2024-06-19" and s["source"] == "DW" for s in sources)
    assert sources[0]["author"] == "Dawud"  # the seed article's author line, under the title
    code, out, _ = cli("ask", "Siapa Leif-Eric Easley?")
    assert code == 0 and "2024-06-19, DW)" in out
