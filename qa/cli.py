"""The ``qa`` command: thin wrappers that parse flags, call the engine and print.

User mistakes surface as one line on stderr and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from qa.config import Settings, load_settings
from qa.errors import InputError, QAError, os_error_message
from qa.untrusted import for_terminal, json_text

if TYPE_CHECKING:
    from qa.engine import Engine
    from qa.scope import Scope


def _err(message: str) -> None:
    """A line on stderr; what it quotes (file names, article text) shown safely."""
    print(for_terminal(message), file=sys.stderr, flush=True)


def _out(text: str = "", end: str = "\n") -> None:
    """Text on stdout, with any control character an article carried shown, not obeyed."""
    print(for_terminal(text), end=end, flush=True)


def _common(parser: argparse.ArgumentParser, *, seeds: bool = False) -> None:
    parser.add_argument("--index", type=Path, help="index directory (env QA_INDEX_DIR; ./indexes)")
    if seeds:
        parser.add_argument(
            "--seeds", type=Path, help="articles directory (env QA_SEEDS_DIR; ./seeds)"
        )
    parser.add_argument(
        "--embedder", help="'default' or a sentence-transformers directory (QA_EMBEDDER)"
    )
    parser.add_argument(
        "--store",
        help="where the index lives: files, milvus:PATH.db (Milvus Lite) or a Milvus server's "
        "http(s):// URI (env QA_STORE; files); the server's token from QA_MILVUS_TOKEN",
    )


def _scope_flags(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--doc",
        action="append",
        default=[],
        metavar="ID",
        help="only this article (repeat for several; ids as `qa articles` lists them)",
    )
    parser.add_argument("--since", metavar="DATE", help="only articles dated on or after DATE")
    parser.add_argument("--until", metavar="DATE", help="only articles dated on or before DATE")
    parser.add_argument("--source", metavar="NAME", help="only articles from this source")


def scope_from(args: argparse.Namespace, item: dict[str, Any] | None = None) -> Scope | None:
    """The scope of the flags; a batch line's own keys replace the flags' (``qa.scope``)."""
    from qa.scope import SCOPE_KEYS, Scope

    flags = {"doc": args.doc, "since": args.since, "until": args.until, "source": args.source}
    if item is not None:
        flags.update({k: item[k] for k in SCOPE_KEYS if k in item})
    scope = Scope.from_json(flags)
    return None if scope.everything else scope


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qa", description="Ask a local model about your news articles, offline."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_index = sub.add_parser("index", help="build or update the index of the seeds directory")
    _common(p_index, seeds=True)
    p_index.add_argument("--rebuild", action="store_true", help="start over instead of updating")
    p_index.add_argument("--quiet", action="store_true", help="no progress bar")
    p_index.add_argument(
        "--no-prefill",
        action="store_true",
        help="do not pre-compute the model's context for the corpus (the first question will)",
    )
    p_index.add_argument("--model", help="model whose context to pre-compute (env QA_MODEL)")
    p_index.add_argument(
        "--from-files",
        action="store_true",
        help="move the files index at --index into the Milvus --store, without re-embedding",
    )
    p_index.add_argument(
        "--watch",
        action="store_true",
        help="then keep the index in step with the articles folder until Ctrl-C",
    )

    p_ask = sub.add_parser("ask", help="answer one question (or a batch) from the index")
    _common(p_ask, seeds=True)
    p_ask.add_argument("question", nargs="?", help="the question (omit with --batch)")
    p_ask.add_argument("--k", type=int, help="passages to retrieve (env QA_K; 5)")
    p_ask.add_argument("--model", help="default, fast, or a GGUF path (env QA_MODEL)")
    p_ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    p_ask.add_argument("--batch", help="JSON-lines file of {id, q | turns}; '-' for stdin")
    _scope_flags(p_ask)

    p_search = sub.add_parser("search", help="show the passages retrieval finds (no model)")
    _common(p_search, seeds=True)
    p_search.add_argument("query", help="words to search for")
    p_search.add_argument("--k", type=int, help="passages to show (env QA_K; 5)")
    p_search.add_argument("--json", action="store_true", help="print the passages as JSON")
    _scope_flags(p_search)

    p_sum = sub.add_parser("summarize", help="summarise one article, with citations")
    _common(p_sum, seeds=True)
    p_sum.add_argument("doc", help="the article's id (as `qa articles` lists it)")
    p_sum.add_argument("--lang", choices=("id", "en"), default="id", help="summary language")
    p_sum.add_argument("--model", help="default, fast, or a GGUF path (env QA_MODEL)")
    p_sum.add_argument("--json", action="store_true", help="print one JSON object")

    p_articles = sub.add_parser("articles", help="list the indexed articles")
    _common(p_articles, seeds=True)
    p_articles.add_argument("--json", action="store_true", help="one JSON object per article")
    _scope_flags(p_articles)

    p_tui = sub.add_parser("tui", help="open the chat UI")
    _common(p_tui, seeds=True)
    p_tui.add_argument("--model", help="default, fast, or a GGUF path (env QA_MODEL)")
    p_tui.add_argument("--k", type=int, help="passages to retrieve (env QA_K; 5)")

    p_eval = sub.add_parser("eval", help="measure answer quality on a JSON-lines question set")
    _common(p_eval, seeds=True)
    p_eval.add_argument(
        "file", type=Path, help="questions: {id, q | turns, a, unanswerable, doc, ev}"
    )
    p_eval.add_argument("--k", type=int, help="passages to retrieve (env QA_K; 5)")
    p_eval.add_argument("--model", help="default, fast, or a GGUF path (env QA_MODEL)")
    p_eval.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_eval.add_argument("--limit", type=int, help="only the first N items (a fixed sample)")
    p_eval.add_argument(
        "--retrieval-only",
        action="store_true",
        help="score retrieval recall only (no answers; the model only translates English "
        "questions over corpora too large for the prompt)",
    )
    p_eval.add_argument("--details", type=Path, help="write one JSON line per item to this file")

    p_models = sub.add_parser("models", help="assemble and verify the bundled models")
    p_models.add_argument("--model", help="default, fast, or a GGUF path (default: both bundled)")
    return parser


def settings_from(args: argparse.Namespace) -> Settings:
    return load_settings(
        seeds_dir=getattr(args, "seeds", None),
        index_dir=getattr(args, "index", None),
        store=getattr(args, "store", None),
        embedder=getattr(args, "embedder", None),
        model=getattr(args, "model", None),
        k=getattr(args, "k", None),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = settings_from(args)
        handler = {
            "index": cmd_index,
            "ask": cmd_ask,
            "search": cmd_search,
            "summarize": cmd_summarize,
            "articles": cmd_articles,
            "tui": cmd_tui,
            "eval": cmd_eval,
            "models": cmd_models,
        }
        return handler[args.command](args, settings)
    except QAError as exc:
        _err(f"error: {exc}")
        return exc.exit_code
    except BrokenPipeError:
        # The reader went away (``qa index | head``): stop quietly, as other tools do.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # a full disk, a read-only folder: the user's to fix, not a bug
        _err(f"error: {os_error_message(exc)}")
        return 1
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


def make_engine(settings: Settings) -> Engine:
    """The engine with the real models (tests replace this to run the CLI on fakes)."""
    from qa.engine import Engine

    return Engine(settings, log=_err)


def cmd_index(args: argparse.Namespace, settings: Settings) -> int:
    from qa.progress import progress_bar

    if args.from_files:
        return _index_from_files(args, settings)
    engine = make_engine(settings)
    with progress_bar("embedding chunks", not args.quiet) as progress:
        report = engine.reindex(
            rebuild=args.rebuild, progress=progress, warn=lambda m: _err(f"warning: {m}")
        )
    _out(report.summary())
    for label, docs in (
        ("added", report.added),
        ("updated", report.updated),
        ("removed", report.removed),
    ):
        for doc in docs:
            _out(f"  {label}: {for_terminal(doc, one_line=True)}")
    if not args.no_prefill and not args.watch:
        import time

        started = time.perf_counter()
        with progress_bar("translating for English questions", not args.quiet) as translated:
            how = engine.warm_up(translate=True, progress=translated)
        if how == "computed":
            _err(f"prefilled {engine.model_name}'s context in {time.perf_counter() - started:.0f}s")
    if args.watch:
        _watch(engine)
    return 0


def _index_from_files(args: argparse.Namespace, settings: Settings) -> int:
    from qa.progress import progress_bar
    from qa.stores import store_kind

    if store_kind(settings.store).name == "files":
        raise InputError("--from-files moves a files index into Milvus; add --store milvus:PATH.db")
    from qa.stores.milvus import from_files

    with progress_bar("copying chunks", not args.quiet) as progress:
        where, articles, chunks = from_files(settings, progress)
    _out(f"moved {articles} articles, {chunks} chunks into {for_terminal(where, one_line=True)}")
    return 0


def _watch(engine: Engine) -> None:
    """Update the index as articles are added, changed, removed or renamed, until Ctrl-C."""
    import threading

    from qa.watch import watch

    def updated(report: Any) -> None:
        _out(report.summary())
        for label, docs in (("added", report.added), ("updated", report.updated)):
            for doc in docs:
                _out(f"  {label}: {for_terminal(doc, one_line=True)}")
        for doc in report.removed:
            _out(f"  removed: {for_terminal(doc, one_line=True)}")

    folder = for_terminal(str(engine.settings.seeds_dir), one_line=True)
    stop = threading.Event()
    try:
        watch(
            engine,
            stop,
            updated,
            lambda m: _err(f"error: {m}; the index is unchanged"),
            warn=lambda m: _err(f"warning: {m}"),
            ready=lambda: _err(f"watching {folder} (Ctrl-C to stop)"),
        )
    except KeyboardInterrupt:
        stop.set()


def _read_batch(source: str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or error string) for each non-blank line.

    Read as bytes and decoded line by line: a line that is not UTF-8 is one failed line, not a
    failed batch; a byte-order mark before the first line is dropped.
    """
    stream: BinaryIO
    if source == "-":
        stream = sys.stdin.buffer
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"batch file {path} does not exist; pass a JSON-lines file or '-'")
        stream = path.open("rb")
    with stream:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield (
                    number,
                    f"line {number} is not UTF-8 text (byte {exc.start}); save it as UTF-8",
                )
                continue
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except ValueError:
                yield number, f"line {number} is not valid JSON"


def _turns_of(item: Any) -> list[str]:
    if not isinstance(item, dict):
        raise InputError("each line must be a JSON object with 'q' or 'turns'")
    if isinstance(item.get("turns"), list) and item["turns"]:
        turns = item["turns"]
    elif isinstance(item.get("q"), str):
        turns = [item["q"]]
    else:
        raise InputError("the line has neither a 'q' string nor a non-empty 'turns' list")
    if not all(isinstance(t, str) for t in turns):
        raise InputError("every turn must be a string")
    return turns


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from qa.prompting import Turn

    if args.batch and args.question:
        raise InputError("give either a question or --batch FILE, not both")
    if not args.batch and args.question is None:
        raise InputError('no question given; run `qa ask "your question"` or `qa ask --batch FILE`')
    scope = scope_from(args)
    engine = make_engine(settings)
    if not args.batch:
        question = engine.validate_question(args.question)
        stream = engine.ask(question, scope=scope)
        if args.json:
            print(
                json_text(_with_scope(_with_article_meta(stream.answer.as_json(), engine), scope))
            )
            return 0
        shown = []
        for text in stream:
            shown.append(text)
            _out(text, end="")
        # After a blank line the stream starts again: a second try, or the answer put back
        # into the question's language (``AnswerStream``); what follows it is what was replaced.
        final, streamed = stream.answer.answer, "".join(shown).split("\n\n")[-1].strip()
        if final.startswith(streamed):
            _out(final[len(streamed) :])  # e.g. a citation added after checking the evidence
        else:
            _out(f"\n→ {final}")  # the streamed answer was replaced (not supported by the text)
        _print_sources(stream.answer, engine)
        return 0

    failures = 0
    for number, item in _read_batch(args.batch):
        ident = item.get("id", number) if isinstance(item, dict) else number
        try:
            if isinstance(item, str):
                raise InputError(item)
            turns = _turns_of(item)
            line_scope = scope_from(args, item)
            history: list[Turn] = []
            for question in turns[:-1]:
                history.append(Turn(question, engine.answer(question, history, line_scope).answer))
            result = engine.answer(turns[-1], history, line_scope)
            answer = _with_scope(_with_article_meta(result.as_json(), engine), line_scope)
            out: dict[str, Any] = {"id": ident, **answer}
            if not args.json:
                _err(f"[{for_terminal(str(ident), one_line=True)}] {result.answer}")
        except QAError as exc:
            failures += 1
            out = {"id": ident, "error": str(exc)}
            _err(f"[{for_terminal(str(ident), one_line=True)}] error: {exc}")
        print(json_text(out), flush=True)
    return 0 if failures == 0 else 1


def _with_scope(answer: dict[str, Any], scope: Scope | None) -> dict[str, Any]:
    if scope is not None:
        answer["scope"] = scope.as_json()
    return answer


def _with_article_meta(answer: dict[str, Any], engine: Engine) -> dict[str, Any]:
    """Each source with its article's date, source and author (always present, "" if unknown)."""
    for source in answer["sources"]:
        meta = engine.article_meta(source["doc"])
        source.update(date=meta.date, source=meta.source, author=meta.author)
    return answer


def _print_sources(answer: Any, engine: Engine) -> None:
    if not answer.sources:
        return
    _out("\nSources:")
    for source in answer.sources:
        quote = " ".join(source.text.split())
        if len(quote) > 160:
            quote = quote[:157] + "..."
        doc = for_terminal(source.doc, one_line=True)
        meta = engine.article_meta(source.doc)
        about = ", ".join(x for x in (source.title, meta.date, meta.source) if x)
        _out(f"  [{source.n}] {doc} ({about}), chars {source.start}-{source.end}")
        _out(f"      “{quote}”")
    t = answer.timings
    print(
        f"\n{answer.model} · first token {t.ttft_ms / 1000:.1f}s · total {t.total_ms / 1000:.1f}s",
        file=sys.stderr,
    )


def cmd_search(args: argparse.Namespace, settings: Settings) -> int:
    """The passages retrieval finds, scored and highlighted; loads the embedder, no model."""
    from qa.search_view import row_markup, search_rows

    scope = scope_from(args)
    engine = make_engine(settings)
    rows = search_rows(engine, args.query, settings.k, scope)
    if args.json:
        print(
            json_text(
                {
                    "query": args.query,
                    "scope": scope.as_json() if scope else {},
                    "passages": [r.as_json() for r in rows],
                }
            )
        )
        return 0
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    for row in rows:
        for line in row_markup(row):
            console.print(line)
    if not rows:
        _err("nothing found")
    return 0


def cmd_summarize(args: argparse.Namespace, settings: Settings) -> int:
    """``qa ask --doc ID "Ringkas artikel ini"`` (or "Summarise this article")."""
    from qa.scope import Scope

    question = "Ringkas artikel ini" if args.lang == "id" else "Summarise this article"
    args.question, args.batch = question, None
    args.doc, args.since, args.until, args.source = [args.doc], None, None, None
    Scope.parse([args.doc[0]])  # an empty id is one line, before anything loads
    return cmd_ask(args, settings)


def cmd_articles(args: argparse.Namespace, settings: Settings) -> int:
    """The indexed articles (id, date, source, title): what ``--doc`` takes."""
    scope = scope_from(args)
    engine = make_engine(settings)
    allowed = None if scope is None else set(engine.scope_rows(scope).docs)  # type: ignore[union-attr]
    for doc, title, meta in engine.articles():
        if allowed is not None and doc not in allowed:
            continue
        if args.json:
            print(json_text({"doc": doc, "title": title, **meta.as_dict()}))
        else:
            cells = (doc, meta.date or "-", meta.source or "-", title)
            _out("  ".join(for_terminal(c, one_line=True) for c in cells))
    return 0


def cmd_tui(args: argparse.Namespace, settings: Settings) -> int:
    try:
        from tui.app import run_app
    except (
        ImportError
    ) as exc:  # the UI package is part of this project; only a broken install lacks it
        raise InputError(f"the chat UI is not installed ({exc}); run `make install`") from None
    return run_app(settings)


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from qa import evaluation

    items = (
        evaluation.load_items(args.file)[: args.limit]
        if args.limit
        else evaluation.load_items(args.file)
    )
    engine = make_engine(settings)
    details = args.details.open("w", encoding="utf-8") if args.details else None

    def report(result: Any) -> None:
        if isinstance(result, tuple):
            item, hit = result
            row = {"id": item.id, "retrieved": hit}
        else:
            row = {
                "id": result.item.id,
                "correct": result.correct,
                "refused": result.refused,
                "retrieved": result.retrieved,
                "answer": result.answer,
                "ttft_ms": round(result.ttft_ms, 1),
            }
            mark = "ok " if result.correct else "BAD"
            _err(f"{mark} {result.item.id}: {result.answer[:100]}")
        if details:
            details.write(json.dumps(row, ensure_ascii=False) + "\n")
            details.flush()

    try:
        results = evaluation.evaluate(
            engine, items, k=settings.k, retrieval_only=args.retrieval_only, on_result=report
        )
    finally:
        if details:
            details.close()
    if args.retrieval_only:
        summary = evaluation.summarize_retrieval(results)  # type: ignore[arg-type]
    else:
        summary = evaluation.summarize(results)  # type: ignore[arg-type]
        summary["model"] = engine.model_name  # type: ignore[assignment]
    summary["k"] = settings.k
    if args.json:
        print(json_text(summary))
    else:
        _out(evaluation.format_table(summary))
    return 0


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from qa.models import PACKAGED, resolve_model

    specs = [args.model] if args.model else list(PACKAGED)
    for spec in specs:
        resolved = resolve_model(spec, settings.cache_dir, _err)
        _out(f"{spec}: {resolved.path} (verified)")
    if not args.model:
        _out(f"embedder: {_onnx_embedder(settings)}")
    return 0


def _onnx_embedder(settings: Settings) -> str:
    """Make (once) and check the int8 ONNX embedder; any failure keeps the exact one in use."""
    from qa.errors import ModelError

    if settings.embedder not in ("", "default") or settings.embedder_runtime == "exact":
        return "exact (no ONNX export for this QA_EMBEDDER / QA_EMBEDDER_RUNTIME)"
    from qa.embedding import default_embedder_path
    from qa.onnx_export import ensure_export, sample_sources, verification_texts

    try:
        model_dir = default_embedder_path()
        texts = verification_texts(sample_sources(settings.seeds_dir, model_dir))
        result = ensure_export(model_dir, settings.cache_dir, texts, _err)
    except ModelError as exc:
        return f"{exc}; indexing keeps the exact embedder"
    stamp = result.stamp
    check = (
        f"min cosine {stamp.min_cosine:.4f} vs sentence-transformers on {stamp.passages} passages"
    )
    if result.path is None:
        return f"int8 ONNX export failed its check ({check} < 0.99); indexing stays exact"
    return f"{result.path} (int8 ONNX, verified: {check})"


if __name__ == "__main__":
    sys.exit(main())
