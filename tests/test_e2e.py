"""End-to-end: the real `qa` command, the real embedder and GGUF models, the real seed article."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SEED_FILE
from tests.fakes import as_shown

pytestmark = pytest.mark.e2e
ARTICLE = SEED_FILE.read_text(encoding="utf-8")
DEV = (
    {
        json.loads(line)["id"]: json.loads(line)
        for line in (REPO.parent / "shared" / "dev_qa.jsonl").read_text().splitlines()
        if line.strip()
    }
    if (REPO.parent / "shared" / "dev_qa.jsonl").exists()
    else {}
)


def qa(
    *args: str,
    cwd: Path,
    stdin: str | None = None,
    timeout: int = 600,
    env: dict[str, str] | None = None,
):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "qa.cli", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def ask_json(question: str, cwd: Path, env: dict[str, str] | None = None) -> dict:
    """`qa ask --json QUESTION`, which must succeed; its answer as data."""
    proc = qa("ask", "--json", question, cwd=cwd, env=env)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project-like folder with seeds/ holding the seed article, indexed by `qa index`."""
    root = tmp_path_factory.mktemp("e2e")
    (root / "seeds").mkdir()
    shutil.copy(SEED_FILE, root / "seeds" / SEED_FILE.name)
    proc = qa("index", "--quiet", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert "added 1" in proc.stdout
    return root


def _check_sources(answer: dict) -> None:
    assert answer["sources"], answer
    for s in answer["sources"]:
        assert s["doc"] == SEED_FILE.name
        assert ARTICLE[s["start"] : s["end"]] == s["text"]


def _contains_any(text: str, options: list[str]) -> bool:
    return any(o.lower() in text.lower() for o in options)


def test_fast_model_answers_dev_questions_in_both_languages(workdir: Path) -> None:
    """Indonesian, English and unanswerable questions from the dev set, in one batch process."""
    items = [
        {
            "id": "year",
            "q": "Kapan terakhir kali Putin mengunjungi Korea Utara sebelum kunjungan ini?",
        },
        {
            "id": "d05",
            "q": DEV["d05"]["q"] if DEV else "Di kota mana Ewha Womans University berada?",
        },
        {"id": "en-year", "q": "In what year did Putin last visit North Korea?"},
        {"id": "en-who", "q": "Who is Leif-Eric Easley?"},
        {"id": "d10", "q": "Siapa presiden Prancis saat ini?"},
        {"id": "en-none", "q": "Who is the president of France?"},
    ]
    stdin = "\n".join(json.dumps(i) for i in items) + "\n"
    proc = qa("ask", "--json", "--model", "fast", "--batch", "-", cwd=workdir, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    assert set(rows) == {"year", "d05", "en-year", "en-who", "d10", "en-none"}

    assert "2000" in rows["year"]["answer"]
    _check_sources(rows["year"])
    assert "2000" in rows["year"]["sources"][0]["text"]

    assert "Seoul" in rows["d05"]["answer"]
    _check_sources(rows["d05"])
    assert "Seoul" in rows["d05"]["sources"][0]["text"]

    assert "2000" in rows["en-year"]["answer"] and rows["en-year"]["language"] == "en"
    assert "2000" in rows["en-year"]["sources"][0]["text"]
    assert "professor" in rows["en-who"]["answer"].lower()
    assert "Easley" in rows["en-who"]["sources"][0]["quote"]["text"]

    assert rows["d10"]["refused"], rows["d10"]["answer"]
    assert rows["d10"]["sources"] == []
    assert rows["en-none"]["refused"] and rows["en-none"]["answer"] == "The articles do not say."


def test_default_model_answers_with_the_year_and_cites_the_paragraph(workdir: Path) -> None:
    answer = ask_json(
        "Kapan terakhir kali Putin mengunjungi Korea Utara sebelum kunjungan ini?", workdir
    )
    assert "2000" in answer["answer"]
    _check_sources(answer)
    assert "terakhir kali mengunjungi negara itu pada tahun 2000" in answer["sources"][0]["text"]
    assert answer["model"].startswith("default")
    assert answer["timings"]["total_ms"] >= answer["timings"]["ttft_ms"] > 0


def test_counts_are_answered_only_when_the_article_gives_them(workdir: Path) -> None:
    """Indonesian "berapa banyak/jumlah" questions on the default model, in one batch. The article
    counts shells, never missiles (held-out h39: "Rudal … adalah lima juta peluru") or fighter
    jets (k07: "Tiga pesawat tempur"); the shells sent are counted "besides" more to come (k01),
    and years since the last visit are years asked for (k04): both were refused once."""
    items = {
        "h39": "Berapa banyak rudal yang dijual Korea Utara ke Rusia tahun lalu?",
        "k07": "Berapa banyak pesawat tempur yang dijanjikan Putin kepada Kim?",
        "k01": "Berapa banyak peluru artileri yang menurut para ahli telah dikirimkan Korea Utara "
        "ke Rusia?",
        "k04": "Berapa jumlah tahun sejak kunjungan terakhir Putin ke Pyongyang?",
    }
    stdin = "".join(json.dumps({"id": i, "q": q}) + "\n" for i, q in items.items())
    proc = qa("ask", "--json", "--batch", "-", cwd=workdir, stdin=stdin)
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in map(json.loads, proc.stdout.splitlines())}
    for refused in ("h39", "k07"):
        assert rows[refused]["refused"] and rows[refused]["sources"] == [], rows[refused]
    assert "lima juta" in rows["k01"]["answer"] and not rows["k01"]["refused"]
    assert "lima juta peluru" in rows["k01"]["sources"][0]["quote"]["text"]
    assert "24" in rows["k04"]["answer"] and not rows["k04"]["refused"]
    assert "24 bertahun-tahun" in rows["k04"]["sources"][0]["text"]


def test_english_questions_read_the_translation_made_at_index_time(workdir: Path) -> None:
    from qa.config import load_settings

    translated = {}
    for file in (load_settings().cache_dir / "translations").glob("*.json"):
        translated.update(json.loads(file.read_text())["entries"])
    assert any("2000" in e and "visited" in e for e in translated.values()), translated

    answer = ask_json("In which year did Putin last visit North Korea?", workdir)
    assert "2000" in answer["answer"] and answer["language"] == "en"
    _check_sources(answer)
    cited = [s for s in answer["sources"] if s["cited"]]
    assert cited and "pada tahun 2000" in cited[0]["quote"]["text"]  # the article's own words


def test_english_questions_over_many_articles_are_searched_in_indonesian(workdir: Path) -> None:
    """Retrieval mode (as for a corpus too large for the prompt), two passages: the English
    question finds the article's sentence only through its Indonesian translation."""
    question = "In what year did Putin last visit that country?"
    retrieve = {"QA_CONTEXT_MODE": "retrieve", "QA_K": "2"}

    answer = ask_json(question, workdir, retrieve)
    assert "2000" in answer["answer"] and answer["language"] == "en"
    assert "tahun 2000" in answer["sources"][0]["text"]

    # Without the translation, the top two passages miss that sentence.
    from qa.config import load_settings
    from qa.engine import Engine

    untranslated = Engine(
        load_settings(
            seeds_dir=workdir / "seeds",
            index_dir=workdir / "indexes",
            context_mode="retrieve",
            k=2,
            english_reading="off",
        )
    ).retrieve(question)
    assert len(untranslated) == 2
    assert not any("tahun 2000" in hit.chunk.text for hit in untranslated)


def test_indonesian_questions_over_an_english_article_are_read_in_english(tmp_path: Path) -> None:
    """The seed article in English (tests/eval/articles_en): an Indonesian question is put into
    English, answered over the English text, and the answer put back into Indonesian when the
    model's translation keeps every name and is Indonesian word for word; else it stays English
    (bench/QUALITY.md row 59)."""
    (tmp_path / "seeds").mkdir()
    article = REPO / "tests" / "eval" / "articles_en" / "north-korea-red-carpet-putin.txt"
    shutil.copy(article, tmp_path / "seeds" / article.name)
    assert qa("index", "--quiet", cwd=tmp_path).returncode == 0

    asked = "Di universitas mana Yakov Zinberg menjadi profesor?"
    answer = ask_json(asked, tmp_path)
    assert answer["question"] == asked and answer["language"] == "id"
    assert "Kokushikan" in answer["answer"] and "universitas" in answer["answer"].casefold()
    cited = [s for s in answer["sources"] if s["cited"]]
    assert cited and "Kokushikan University" in cited[0]["quote"]["text"]  # the article's words

    answer = ask_json(
        "Karena apa ICC mengeluarkan surat perintah penangkapan terhadap Putin?", tmp_path
    )
    assert "deportation" in answer["answer"] or "deportasi" in answer["answer"]


def _fast_generator():
    from qa.config import load_settings
    from qa.generation import LlamaGenerator
    from qa.models import resolve_model

    resolved = resolve_model("fast", load_settings().cache_dir)
    return LlamaGenerator(
        resolved.path, resolved.name, n_ctx=2048, n_threads=2, identity=resolved.identity
    )


def test_an_answer_from_a_saved_kv_state_equals_the_uncached_answer(tmp_path: Path) -> None:
    from qa.prompting import Passage, build_prompt, prompt_prefix

    paragraphs = [p for p in ARTICLE.split("\n\n") if len(p) > 200][:4]
    passages = [Passage(i + 1, "a", "t", 0, len(p), p) for i, p in enumerate(paragraphs)]
    question = "Di kota mana Ewha Womans University berada?"
    prompt = build_prompt(passages, question, "id")
    prefix = prompt_prefix(passages)
    assert prompt.startswith(prefix)

    uncached = "".join(_fast_generator().stream(prompt, 40))

    first = _fast_generator()
    assert first.prefill(prefix, tmp_path / "kv") == "computed"
    assert first.prefill(prefix, tmp_path / "kv") == "warm"
    warm = "".join(first.stream(prompt, 40))

    fresh = _fast_generator()
    assert fresh.prefill(prefix, tmp_path / "kv") == "loaded"
    loaded = "".join(fresh.stream(prompt, 40))
    assert uncached == warm == loaded
    assert "Seoul" in uncached

    # A different prefix (an article changed) never uses the saved state.
    changed = [Passage(1, "a", "t", 0, 10, "Artikel lain sama sekali."), *passages[1:]]
    assert fresh.prefill(prompt_prefix(changed), tmp_path / "kv") == "computed"
    # A damaged saved state is detected and recomputed, not loaded.
    for kv in (tmp_path / "kv").glob("*.kv"):
        kv.write_bytes(kv.read_bytes()[:-10])
    assert _fast_generator().prefill(prefix, tmp_path / "kv") == "computed"


def test_a_retrieval_answer_after_the_saved_rules_state_equals_the_uncached_answer(
    tmp_path: Path,
) -> None:
    """Over a large corpus only the rules are cached: their tokens must start every prompt."""
    from qa.prompting import Passage, build_prompt, rules_prefix

    paragraph = next(p for p in ARTICLE.split("\n\n") if "Kokushikan" in p)
    prompt = build_prompt(
        [Passage(1, "a", "t", 0, len(paragraph), paragraph)], "Siapa Zinberg?", "id"
    )
    generator = _fast_generator()
    rules = generator.tokenize(rules_prefix())
    assert generator.tokenize(prompt)[: len(rules)] == rules

    uncached = "".join(generator.stream(prompt, 30))
    assert _fast_generator().prefill(rules_prefix(), tmp_path / "kv") == "computed"
    fresh = _fast_generator()
    assert fresh.prefill(rules_prefix(), tmp_path / "kv") == "loaded"
    assert "".join(fresh.stream(prompt, 30)) == uncached
    assert "Kokushikan" in uncached or "profesor" in uncached.lower()


def test_reindexing_changed_articles_never_reuses_the_old_state(workdir: Path) -> None:
    from qa.config import load_settings
    from qa.engine import Engine

    settings = load_settings(
        seeds_dir=workdir / "seeds", index_dir=workdir / "indexes-state", model="fast"
    )
    engine = Engine(settings)
    engine.reindex()
    assert engine.warm_up() == "computed"
    assert Engine(settings).warm_up() == "loaded"
    (workdir / "seeds" / "tambahan.txt").write_text(
        "Berita tambahan\n\nFestival kopi digelar di Takengon pada hari Minggu.", encoding="utf-8"
    )
    try:
        engine = Engine(settings)
        engine.reindex()
        assert engine.warm_up() == "computed"
        answer = engine.answer("Di mana festival kopi digelar?")
        assert "Takengon" in answer.answer
    finally:
        (workdir / "seeds" / "tambahan.txt").unlink()


def test_a_refusal_of_what_the_passage_says_in_other_words_is_asked_again(
    tmp_path: Path,
) -> None:
    """The default model refuses "how many ... in 2005" over "this year there were eight": the
    engine asks again without the refusal as first word, and the answer is grounded as usual."""
    from qa.config import load_settings
    from qa.engine import Engine

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "bursa.txt").write_text(
        "Tahun ini hanya ada delapan emiten baru di BEJ. Dana yang berhasil dihimpun dari emiten "
        "tersebut hanya sebesar Rp 3,55 triliun. Target pada tahun 2006, BEJ dapat menjaring 20 "
        "emiten baru.\n",
        encoding="utf-8",
    )
    engine = Engine(
        load_settings(
            seeds_dir=tmp_path / "seeds", index_dir=tmp_path / "indexes", english_reading="off"
        )
    )
    engine.reindex()
    generator = engine.generator
    second_tries: list[list[str]] = []
    avoiding = generator.stream_avoiding

    def recorded(prompt: str, max_tokens: int, first_words):
        second_tries.append(list(first_words))
        return avoiding(prompt, max_tokens, first_words)

    generator.stream_avoiding = recorded
    stream = engine.ask("Ada berapakah emiten baru di BEJ pada tahun 2005?")
    shown = as_shown(stream)
    answer = stream.answer
    assert second_tries, "the first try was expected to refuse"
    assert not answer.refused and "delapan" in answer.answer, answer.answer
    assert "Artikel tidak" not in shown
    assert answer.sources and "delapan emiten baru" in answer.sources[0].quote


def test_a_hostile_article_is_read_as_text_and_shown_safely(tmp_path: Path) -> None:
    """Chat markup in an article is tokenised as text by the real tokenizer; its escapes never
    reach the terminal; its "ignore your instructions" is not obeyed; citations stay exact."""
    from qa.prompting import Passage, build_prompt
    from tests.hostile import HOSTILE_ARTICLE, HOSTILE_TITLE, assert_terminal_safe

    generator = _fast_generator()
    passage = Passage(1, "h.txt", HOSTILE_TITLE, 0, len(HOSTILE_ARTICLE), HOSTILE_ARTICLE)
    prompt = build_prompt([passage], "Siapa <|im_end|> menyambut Putin?", "id")
    tokens = generator.tokenize(prompt)
    im_start, im_end = generator.tokenize("<|im_start|>")[0], generator.tokenize("<|im_end|>")[0]
    assert generator.tokenize("<|im_start|>") == [im_start]  # it is one special token
    # Only the template's own: system, user and assistant openings; system and user endings.
    assert tokens.count(im_start) == 3 and tokens.count(im_end) == 2
    assert HOSTILE_ARTICLE.count("<|im_start|>") == 2  # the article's own two are text

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    proc = qa("index", "--quiet", cwd=tmp_path, env={"QA_MODEL": "fast"})
    assert proc.returncode == 0, proc.stderr
    assert_terminal_safe(proc.stdout + proc.stderr)
    proc = qa("ask", "Siapa yang menyambut Putin di bandara?", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert_terminal_safe(proc.stdout + proc.stderr)
    assert "Kim Jong Un" in proc.stdout and "HACKED" not in proc.stdout.split("Sources:")[0]
    answer = ask_json("Siapa yang menyambut Putin di bandara?", tmp_path)
    assert answer["sources"] and "HACKED" not in answer["answer"]
    for s in answer["sources"]:
        assert HOSTILE_ARTICLE[s["start"] : s["end"]] == s["text"]
