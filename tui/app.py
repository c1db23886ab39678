"""The Textual chat over the indexed articles: ``qa tui`` runs ``run_app(settings)``.

The window appears at once; a thread worker loads the index and the models behind it. Answers are
generated in an exclusive thread worker (a new question cancels the running one) that talks to the
UI only by posting messages. Everything goes through ``qa.engine.Engine``; conversations are saved
by ``qa.conversations`` as they happen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, ProgressBar, Static
from textual.worker import Worker, get_current_worker

from qa.config import Settings
from qa.conversations import (
    DONE,
    ERROR,
    Conversation,
    ConversationStore,
    ConversationStoreError,
    Exchange,
    conversation_title,
    default_db_path,
    export_markdown,
)
from qa.engine import Engine
from qa.errors import QAError
from qa.prompting import Turn
from qa.scope import Scope
from qa.untrusted import for_terminal
from tui.answering import AnswerJob
from tui.passage import locate
from tui.scope_screens import ArticlesScreen, FilterScreen
from tui.screens import ConversationsScreen, HelpScreen, PassageScreen
from tui.text import error_hint, error_message, error_title, format_timings, plural
from tui.widgets import AnswerView, ChatLog, QuestionView, SourcesPanel, StatusLine, TimingFormatter

log = logging.getLogger("tui")
# How often the app looks for an index version written by another process (`qa index --watch`).
INDEX_CHECK_S = 2.0

WELCOME = Text.assemble(
    "Ask a question about the indexed news articles and press Enter, for example:\n\n",
    ("  Kapan terakhir kali Putin mengunjungi Korea Utara?\n", "italic"),
    ("  Siapa Yakov Zinberg?\n\n", "italic"),
    "Follow-up questions may refer to earlier ones. Answers cite their sources, shown on the "
    "right. F1 shows the keys.",
)


class EngineStatus(Message):
    """Startup/indexing progress from a worker thread; ``None`` fields are unchanged."""

    def __init__(
        self,
        *,
        state: str | None = None,
        model: str | None = None,
        index: str | None = None,
        problem: BaseException | None = None,
    ) -> None:
        super().__init__()
        self.state = state
        self.model = model
        self.index = index
        self.problem = problem


class ReindexProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class ReindexFinished(Message):
    def __init__(self, summary: str = "", problem: BaseException | None = None) -> None:
        super().__init__()
        self.summary = summary
        self.problem = problem


class QAApp(App[int]):
    """Chat with cited answers over the indexed articles."""

    CSS_PATH = "app.tcss"
    TITLE = "News QA"
    SUB_TITLE = "new conversation"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "stop", "Stop"),
        Binding("ctrl+n", "new_conversation", "New"),
        Binding("ctrl+o", "open_conversations", "Open"),
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+y", "copy_answer", "Copy"),
        Binding("ctrl+r", "reindex", "Reindex"),
        Binding("f1", "help", "Help"),
        Binding("f2", "toggle_sources", "Sources", show=False),
        Binding("f3", "pick_article", "Article", show=False),
        Binding("ctrl+up", "select_answer(-1)", "Previous answer", show=False),
        Binding("ctrl+down", "select_answer(1)", "Next answer", show=False),
        Binding("pageup", "scroll_chat(-1)", "Scroll up", show=False),
        Binding("pagedown", "scroll_chat(1)", "Scroll down", show=False),
    ]
    HISTORY_TURNS = 4  # earlier exchanges passed with a follow-up question

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        *,
        store: ConversationStore | None = None,
        timings: TimingFormatter = format_timings,
        cursor_blink: bool = True,
        export_dir: Path | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.engine = engine or Engine(settings, log=self._engine_log)
        self.store = store
        self.conversation: Conversation | None = None
        self.export_dir = export_dir or settings.data_dir / "exports"
        self._timings = timings
        self._cursor_blink = cursor_blink
        self._turns: list[Turn] = []
        self._live: AnswerView | None = None
        self._selected: AnswerView | None = None
        self._answer_worker: Worker[None] | None = None
        self._reindexing = False
        self._engine_state = "starting"  # what the status line says when no answer is running
        self._model_gate = threading.Lock()  # one generation at a time; held by warm-up
        self._warmed = threading.Event()  # warm-up finished (well or not)
        self._busy = 0
        self._busy_changed = threading.Condition()
        self.scope: Scope | None = None  # the articles questions are about (None: all)

    # ------------------------------------------------------------ untrusted text

    def validate_sub_title(self, sub_title: object) -> str:
        """A conversation's title is its first question: shown, never obeyed by the terminal."""
        return for_terminal(str(sub_title), one_line=True)

    def notify(self, message: str, *, title: str = "", **options: Any) -> None:
        """Every notice (error messages name files and quote articles) as plain, safe text."""
        super().notify(
            escape(for_terminal(message)),
            title=escape(for_terminal(title, one_line=True)),
            **options,
        )

    # ------------------------------------------------------------ layout and startup

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="main"):
            with ChatLog(id="chat"):
                yield Static(WELCOME, id="welcome")
            yield SourcesPanel(id="sources")
        yield ProgressBar(id="reindex-progress", show_eta=False)
        yield Input(placeholder="Ask about the articles… (Enter to send)", id="question")
        yield StatusLine(id="status")
        yield Footer()

    def on_mount(self) -> None:
        if self.store is None:
            self.store = self._open_store()
        question = self.query_one("#question", Input)
        question.cursor_blink = self._cursor_blink
        question.focus()
        self.query_one("#reindex-progress").display = False
        self._warm_up()
        self.set_interval(INDEX_CHECK_S, self._check_index_version)

    def _open_store(self) -> ConversationStore:
        try:
            return ConversationStore(default_db_path(self.settings.data_dir))
        except ConversationStoreError as exc:
            self.notify(
                f"{exc}\nConversations will not be saved in this session.",
                title="Conversations not saved",
                severity="warning",
                timeout=15,
            )
            return ConversationStore(":memory:")

    @property
    def status(self) -> StatusLine:
        return self.query_one(StatusLine)

    @property
    def chat(self) -> ChatLog:
        return self.query_one(ChatLog)

    @property
    def sources(self) -> SourcesPanel:
        return self.query_one(SourcesPanel)

    @property
    def warmed_up(self) -> bool:
        """The startup loading has finished (successfully or not)."""
        return self._warmed.is_set()

    @property
    def answering(self) -> bool:
        """True while an answer is being generated."""
        return self._live is not None

    # ------------------------------------------------------------ worker threads

    @contextmanager
    def _thread_busy(self) -> Iterator[None]:
        """Count running worker threads, so quitting knows whether one is stuck in the model."""
        with self._busy_changed:
            self._busy += 1
        try:
            yield
        finally:
            with self._busy_changed:
                self._busy -= 1
                self._busy_changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait for worker threads to end; False if one is still inside the model."""
        with self._busy_changed:
            return self._busy_changed.wait_for(lambda: self._busy == 0, timeout)

    def _engine_log(self, message: str) -> None:
        self.post_message(EngineStatus(state=message))

    @work(thread=True, exclusive=True, group="warm-up", exit_on_error=False)
    def _warm_up(self) -> None:
        """Load the index and the models, so the first question waits only for what is left."""
        with self._thread_busy(), self._model_gate:
            try:
                self._prepare()
            finally:
                self._warmed.set()

    def _prepare(self, translate: bool = False) -> None:
        """(In a worker, holding the model gate.) Load what answering needs, reporting each step;
        with ``translate``, also translate new sentences for English questions."""
        problem: BaseException | None = None
        self.post_message(EngineStatus(state="loading index…"))
        try:
            self.post_message(EngineStatus(index=self._index_text()))
        except Exception as exc:
            problem = exc
            self.post_message(EngineStatus(index="none"))
        self.post_message(EngineStatus(state="loading model…"))
        try:
            self.post_message(EngineStatus(model=self.engine.model_name))
        except Exception as exc:
            problem = problem or exc
            self.post_message(EngineStatus(model="not available"))
        if problem is None:
            self.post_message(EngineStatus(state="preparing the model…"))
            try:
                self.engine.warm_up(translate=translate, progress=self._translation_progress)
                self.engine.embedder.embed(["warm-up"])  # the first question then embeds at once
            except Exception as exc:
                problem = exc
        if problem is None:
            self.post_message(EngineStatus(state="ready"))
            return
        if not isinstance(problem, QAError):
            log.error("loading failed", exc_info=problem)
        self.post_message(EngineStatus(problem=problem))

    def _translation_progress(self, done: int, total: int) -> None:
        self.post_message(EngineStatus(state=f"translating for English questions: {done}/{total}"))

    def _index_text(self) -> str:
        info = self.engine.index_info()
        return f"{plural(info.articles, 'article')} · {plural(info.chunks, 'chunk')}"

    @work(thread=True, exclusive=True, group="answer", exit_on_error=False)
    def _generate(self, view: AnswerView, exchange: Exchange, history: tuple[Turn, ...]) -> None:
        worker = get_current_worker()
        with self._thread_busy():
            AnswerJob(
                engine=self.engine,
                store=self.store,
                exchange=exchange,
                history=history,
                view=view,
                cancelled=lambda: worker.is_cancelled,
                gate=self._model_gate,
                candidates_k=self.settings.k,
                scope=self.scope,
            ).run()

    @work(thread=True, exclusive=True, group="reindex", exit_on_error=False)
    def _reindex(self, rebuild: bool) -> None:
        """Update the index while the chat stays usable; then load it for the next question."""
        with self._thread_busy():
            self._warmed.wait()
            try:
                report = self.engine.reindex(
                    rebuild=rebuild,
                    progress=lambda done, total: self.post_message(ReindexProgress(done, total)),
                    warn=lambda m: self.post_message(EngineStatus(state=f"warning: {m}")),
                )
            except Exception as exc:
                if not isinstance(exc, QAError):
                    log.exception("indexing failed")
                self.post_message(ReindexFinished(problem=exc))
                return
            self.post_message(ReindexFinished(report.summary()))
            with self._model_gate:
                self._prepare(translate=True)  # new articles get their English reading

    def _check_index_version(self) -> None:
        """Another process (``qa index --watch``) replaced the index: say so, load it."""
        if self._reindexing or not self.warmed_up:
            return
        try:
            version = self.engine.newer_index()
        except Exception:  # a pointer being replaced: the next check reads it whole
            return
        if version is not None:
            self.notify("a new index version was written; loading it", title="Index updated")
            self._reload_index()

    @work(thread=True, exclusive=True, group="reindex", exit_on_error=False)
    def _reload_index(self) -> None:
        with self._thread_busy(), self._model_gate:
            self._prepare()

    # ------------------------------------------------------------ scope

    def set_scope(self, scope: Scope | None) -> bool:
        """Ask later questions about ``scope``'s articles only; the engine checks it first."""
        if scope is not None and scope.everything:
            scope = None
        try:
            self.engine.scope_rows(scope)
        except QAError as exc:
            self.notify(str(exc), title="Cannot use that scope", severity="warning")
            return False
        self.scope = scope
        self.status.scope = "" if scope is None else scope.describe()
        return True

    def action_pick_article(self) -> None:
        try:
            articles = self.engine.articles()
        except QAError as exc:
            self._notify_problem(exc)
            return
        self.push_screen(ArticlesScreen(articles), self._scope_chosen)

    def action_filter_scope(self) -> None:
        self.push_screen(FilterScreen(self.scope), self._scope_chosen)

    def _scope_chosen(self, scope: Scope | None) -> None:
        if scope is not None:
            self.set_scope(scope)

    # ------------------------------------------------------------ status from the workers

    def on_engine_status(self, message: EngineStatus) -> None:
        status = self.status
        if message.model is not None:
            status.model = message.model
        if message.index is not None:
            status.index = message.index
        if message.problem is not None:
            self._set_engine_state(f"⚠ {error_title(message.problem)}")
            self._notify_problem(message.problem)
        elif message.state is not None:
            self._set_engine_state(message.state)

    def _set_engine_state(self, state: str | None = None) -> None:
        """Show the engine's state, or that an answer is running (and what it may wait for)."""
        if state is not None:
            self._engine_state = state
        if not self.answering:
            self.status.state = self._engine_state
        elif self._engine_state == "ready":
            self.status.state = "answering…"
        else:
            self.status.state = f"answering… · {self._engine_state}"

    def _notify_problem(self, exc: BaseException, extra: str = "") -> None:
        hint = error_hint(exc)
        body = error_message(exc) + (f"\n{hint}" if hint else "") + extra
        self.notify(body, title=error_title(exc), severity="error", timeout=20)

    def on_reindex_progress(self, message: ReindexProgress) -> None:
        bar = self.query_one("#reindex-progress", ProgressBar)
        bar.display = True
        bar.update(total=max(message.total, 1), progress=message.done)
        self._set_engine_state(f"indexing: {message.done}/{message.total} chunks embedded")

    def on_reindex_finished(self, message: ReindexFinished) -> None:
        self._reindexing = False
        self.query_one("#reindex-progress").display = False
        if message.problem is not None:
            self._set_engine_state(f"⚠ {error_title(message.problem)}")
            self._notify_problem(message.problem)
        else:
            self._set_engine_state("loading the new index…")
            self.notify(message.summary, title="Index updated", timeout=8)
        self.refresh_bindings()

    # ------------------------------------------------------------ asking

    @on(Input.Submitted, "#question")
    async def _submitted(self, event: Input.Submitted) -> None:
        try:
            question = self.engine.validate_question(event.value)
        except QAError as exc:
            self.notify(str(exc), title="Cannot ask that", severity="warning")
            return
        event.input.clear()
        await self.ask(question)

    async def ask(self, question: str) -> AnswerView:
        """Show the question, save it, and start answering it (stopping any running answer)."""
        self._stop_live()
        exchange = self._save_question(question)
        for welcome in self.query("#welcome"):
            await welcome.remove()
        view = AnswerView(exchange, format_timings=self._timings, live=True)
        await self.chat.mount_all([QuestionView(question), view])
        self.chat.anchor(False)  # a new question brings the chat back to its end
        self.chat.scroll_end(animate=False)
        self.chat.follow()
        self._live = view
        self._select(view)
        self._set_engine_state()
        self.refresh_bindings()
        history = tuple(self._turns[-self.HISTORY_TURNS :])
        self._answer_worker = self._generate(view, exchange, history)
        return view

    def _save_question(self, question: str) -> Exchange:
        assert self.store is not None
        try:
            if self.conversation is None:
                self.conversation = self.store.create(conversation_title(question))
                self.sub_title = self.conversation.title
            return self.store.add_question(self.conversation.id, question)
        except ConversationStoreError as exc:
            self.notify(str(exc), title="Not saved", severity="warning")
            conversation_id = self.conversation.id if self.conversation else 0
            return Exchange(0, conversation_id, question, "", "pending")

    def _stop_live(self) -> None:
        if self._live is None:
            return
        if self._answer_worker is not None:
            self._answer_worker.cancel()
        self._live.mark_stopping()
        self._live = None
        self.status.state = "stopping…"
        self.refresh_bindings()

    def on_answer_view_started(self, message: AnswerView.Started) -> None:
        if message.view is self._selected:
            self._show_sources(message.view)

    def on_answer_view_finished(self, message: AnswerView.Finished) -> None:
        view, exchange = message.view, message.exchange
        if view is self._live:
            self._live = None
            self.refresh_bindings()
        if exchange.status == DONE and self._engine_state.startswith("⚠"):
            self._engine_state = "ready"  # answering works again (say, after a reindex)
        self._set_engine_state()
        current = self.conversation is not None and exchange.conversation_id == self.conversation.id
        if exchange.status == DONE and exchange.answer and current and view.is_attached:
            self._turns.append(Turn(exchange.question, exchange.answer))
        if exchange.status == ERROR and view.is_attached:
            hint = f"\n{message.hint}" if message.hint else ""
            self.notify(
                exchange.error + hint,
                title=message.title or "Error",
                severity="error",
                timeout=20,
            )
        if view is self._selected:
            self._show_sources(view)

    # ------------------------------------------------------------ answers and their sources

    def on_answer_view_selected(self, message: AnswerView.Selected) -> None:
        self._select(message.view)

    def on_answer_view_citation_clicked(self, message: AnswerView.CitationClicked) -> None:
        self._select(message.view)
        if not self.sources.highlight(message.number):
            self.notify(f"Passage [{message.number}] is not among this answer's sources.")

    def _select(self, view: AnswerView, scroll: bool = False) -> None:
        if self._selected is not None and self._selected is not view:
            self._selected.remove_class("selected")
        self._selected = view
        view.add_class("selected")
        if scroll:
            self.chat.scroll_to_widget(view, animate=False)
        self._show_sources(view)
        self.refresh_bindings()

    def _show_sources(self, view: AnswerView) -> None:
        answers = self.chat.answers()
        number = answers.index(view) + 1 if view in answers else len(answers)
        if view.live:
            if view.candidates:
                self.sources.show(view.candidates, f"Passages read · answer {number}")
            else:
                self.sources.clear("Looking for passages…")
        elif view.sources:
            cited = any(s.cited for s in view.sources)
            label = "Sources" if cited else "Passages read"
            self.sources.show(view.sources, f"{label} · answer {number}")
        elif view.exchange.refused:
            why = next((c for c in view.checks if c.reason), None)
            said = f" ({why.name}: {why.reason})" if why else ""
            self.sources.clear(f"The articles do not answer this question{said}: no sources.")
        else:
            self.sources.clear("No sources for this answer.")

    def on_sources_panel_open(self, message: SourcesPanel.Open) -> None:
        source = message.source
        self.push_screen(PassageScreen(source.n, locate(self.settings.seeds_dir, source)))

    # ------------------------------------------------------------ actions

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out keys that would do nothing right now (they stay listed in the footer)."""
        if action == "stop":
            return True if self.answering or not self._question_focused() else None
        if action == "copy_answer":
            return True if self._selected is not None and self._selected.text else None
        if action == "export":
            return True if self.conversation is not None else None
        if action == "reindex":
            return None if self._reindexing else True
        return True

    def _question_focused(self) -> bool:
        return isinstance(self.focused, Input) and self.focused.id == "question"

    def action_stop(self) -> None:
        if self.answering:
            self._stop_live()
        else:
            self.query_one("#question", Input).focus()

    async def action_new_conversation(self) -> None:
        self._stop_live()
        await self._show_conversation(None, [])
        self.query_one("#question", Input).focus()

    async def _show_conversation(
        self, conversation: Conversation | None, exchanges: list[Exchange]
    ) -> None:
        """Replace the chat with a saved conversation (or an empty new one)."""
        self.conversation = conversation
        self.sub_title = conversation.title if conversation else "new conversation"
        self._turns = [Turn(e.question, e.answer) for e in exchanges if e.complete]
        self._selected = None
        await self.chat.remove_children()
        if not exchanges:
            await self.chat.mount(Static(WELCOME, id="welcome"))
            self.sources.clear()
        views: list[QuestionView | AnswerView] = []
        for exchange in exchanges:
            views.append(QuestionView(exchange.question))
            views.append(AnswerView(exchange, format_timings=self._timings))
        if views:
            await self.chat.mount_all(views)
            self.chat.scroll_end(animate=False)
            self._select(self.chat.answers()[-1])
        self.refresh_bindings()

    def action_open_conversations(self) -> None:
        assert self.store is not None
        if isinstance(self.screen, ConversationsScreen):
            return
        try:
            conversations = self.store.conversations()
        except ConversationStoreError as exc:
            self.notify(str(exc), title="Cannot list conversations", severity="error")
            return
        current = self.conversation.id if self.conversation else None
        self.push_screen(ConversationsScreen(conversations, current), self._conversation_chosen)

    async def _conversation_chosen(self, choice: tuple[str, int] | None) -> None:
        if choice is None:
            return
        what, conversation_id = choice
        if what == "export":
            self._export(conversation_id)
        else:
            await self.open_conversation(conversation_id)

    async def open_conversation(self, conversation_id: int) -> None:
        assert self.store is not None
        self._stop_live()
        try:
            conversation = self.store.get(conversation_id)
            exchanges = self.store.exchanges(conversation_id)
        except ConversationStoreError as exc:
            self.notify(str(exc), title="Cannot open", severity="error")
            return
        await self._show_conversation(conversation, exchanges)
        self.query_one("#question", Input).focus()

    def action_export(self) -> None:
        if self.conversation is None:
            self.notify("Ask a question first: there is nothing to export yet.")
            return
        self._export(self.conversation.id)

    def _export(self, conversation_id: int) -> Path | None:
        assert self.store is not None
        try:
            title = self.store.get(conversation_id).title
            slug = re.sub(r"[^\w]+", "-", title.lower()).strip("-")[:40] or "conversation"
            path = self.export_dir / f"conversation-{conversation_id}-{slug}.md"
            export_markdown(self.store, conversation_id, path)
        except (ConversationStoreError, OSError) as exc:
            self.notify(str(exc), title="Export failed", severity="error")
            return None
        self.notify(str(path), title="Exported as Markdown", timeout=10)
        return path

    def action_copy_answer(self) -> None:
        view = self._selected
        if view is None or not view.text:
            self.notify("No answer selected to copy.")
            return
        self.copy_to_clipboard(view.text)
        self.notify("Answer copied to the clipboard.", timeout=3)

    def action_reindex(self, rebuild: bool = False) -> None:
        if self._reindexing:
            self.notify("The index is already being updated.")
            return
        self._reindexing = True
        self._set_engine_state("indexing…")
        self.refresh_bindings()
        self._reindex(rebuild)

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_sources(self) -> None:
        self.sources.display = not self.sources.display

    def action_select_answer(self, step: int) -> None:
        answers = self.chat.answers()
        if not answers:
            return
        here = answers.index(self._selected) if self._selected in answers else len(answers)
        self._select(answers[max(0, min(len(answers) - 1, here + step))], scroll=True)

    def action_scroll_chat(self, pages: int) -> None:
        if pages < 0:
            self.chat.scroll_page_up()
        else:
            self.chat.scroll_page_down()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("New conversation", "Start over (Ctrl+N)", self.action_new_conversation)
        yield SystemCommand(
            "Open conversation",
            "Reopen a saved conversation (Ctrl+O)",
            self.action_open_conversations,
        )
        yield SystemCommand(
            "Export conversation", "Save this conversation as Markdown (Ctrl+S)", self.action_export
        )
        yield SystemCommand(
            "Copy answer", "Copy the selected answer (Ctrl+Y)", self.action_copy_answer
        )
        yield SystemCommand("Stop answer", "Stop the answer being written (Esc)", self.action_stop)
        yield SystemCommand(
            "Update index",
            "Index new or changed articles in the seeds folder (Ctrl+R)",
            self.action_reindex,
        )
        yield SystemCommand(
            "Rebuild index from scratch",
            "Re-embed every article (after changing the embedder or a damaged index)",
            lambda: self.action_reindex(rebuild=True),
        )
        yield SystemCommand(
            "Sources panel", "Show or hide the sources (F2)", self.action_toggle_sources
        )
        yield SystemCommand(
            "Scope: one article",
            "Ask about one article, picked from the indexed ones (F3)",
            self.action_pick_article,
        )
        yield SystemCommand(
            "Scope: dates and source",
            "Ask about articles dated since/until a day, or from one source",
            self.action_filter_scope,
        )
        yield SystemCommand(
            "Scope: all articles", "Ask about every article again", lambda: self.set_scope(None)
        )
        yield SystemCommand("Help", "Keys and tips (F1)", self.action_help)


def _setup_logging(data_dir: Path) -> None:
    """Unexpected errors go to a log file: the terminal belongs to the UI."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.FileHandler(data_dir / "tui.log", encoding="utf-8")
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False


def run_app(settings: Settings) -> int:
    """Run the chat until the user quits; returns (or exits with) the exit code.

    Everything is saved as it happens, so once the UI has closed the process ends at once
    (``os._exit``): it must not wait for a thread stuck in a llama.cpp prefill, which cannot be
    interrupted, nor for the ~2 s torch takes to tear down at interpreter exit.
    """
    _setup_logging(settings.data_dir)
    app = QAApp(settings)
    loop = asyncio.new_event_loop()  # our own loop: asyncio.run() would wait for stuck threads
    app.run(loop=loop)
    code = app.return_code or 0
    app.wait_idle(timeout=1.0)  # a stopped answer usually finishes saving within a token
    if app.store is not None:
        app.store.close()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
