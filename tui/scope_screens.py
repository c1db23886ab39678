"""Choosing what questions are asked about: one indexed article, or a date range and a source.

Both screens return a ``qa.scope.Scope`` (or None when closed); the app asks the engine to check
it against the index, as the CLI does, so both refuse the same scopes.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from qa.article_meta import ArticleMeta
from qa.errors import ScopeError
from qa.scope import Scope
from qa.untrusted import for_terminal


def article_prompt(doc: str, title: str, meta: ArticleMeta) -> Text:
    """An article as two lines: its title, then date · source · id (all shown safely)."""
    text = Text()
    text.append(for_terminal(title or doc, one_line=True), style="bold")
    about = [meta.date or "no date", meta.source or "no source", doc]
    text.append("\n" + " · ".join(for_terminal(x, one_line=True) for x in about), style="dim")
    return text


class ArticlesScreen(ModalScreen[Scope | None]):
    """The indexed articles (title, date, source); Enter scopes questions to the highlighted
    one."""

    BINDINGS = [Binding("escape", "close", "Close")]  # noqa: RUF012

    def __init__(self, articles: list[tuple[str, str, ArticleMeta]]) -> None:
        super().__init__()
        self._articles = articles

    def compose(self) -> ComposeResult:
        with Vertical(id="articles"):
            yield Static("Ask about one article", classes="heading")
            if self._articles:
                yield OptionList(
                    *(Option(article_prompt(*a), id=str(i)) for i, a in enumerate(self._articles)),
                    id="article-list",
                )
                yield Static("Enter ask about this article · Esc close", classes="hint")
            else:
                yield Static("No articles indexed yet: press Ctrl+R.", classes="hint")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(Scope(docs=(self._articles[int(event.option.id)][0],)))

    def action_close(self) -> None:
        self.dismiss(None)


class FilterScreen(ModalScreen[Scope | None]):
    """Since, until and source; Enter in any box applies them (all empty: every article)."""

    BINDINGS = [Binding("escape", "close", "Close")]  # noqa: RUF012

    def __init__(self, current: Scope | None = None) -> None:
        super().__init__()
        self._current = current or Scope()

    def compose(self) -> ComposeResult:
        with Vertical(id="filters"):
            yield Static("Ask about articles by date and source", classes="heading")
            yield Input(self._current.since, placeholder="since (YYYY-MM-DD)", id="since")
            yield Input(self._current.until, placeholder="until (YYYY-MM-DD)", id="until")
            yield Input(self._current.source, placeholder="source (e.g. DW)", id="source")
            yield Static("", id="filter-problem", classes="hint")
            yield Static("Enter apply · Esc close", classes="hint")

    @on(Input.Submitted)
    def _apply(self) -> None:
        def value(name: str) -> str:
            return self.query_one(f"#{name}", Input).value

        try:
            scope = Scope.parse(self._current.docs, value("since"), value("until"), value("source"))
        except ScopeError as exc:
            self.query_one("#filter-problem", Static).update(
                Text(for_terminal(str(exc)), style="bold red")
            )
            return
        self.dismiss(scope)

    def action_close(self) -> None:
        self.dismiss(None)
