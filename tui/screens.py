"""Modal screens: help, the list of saved conversations, and a passage shown in its article."""

from __future__ import annotations

import time

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown, OptionList, Static
from textual.widgets.option_list import Option

from qa.conversations import Conversation
from qa.untrusted import for_terminal
from tui.passage import PassageInArticle
from tui.text import plural

HELP = """\
**Keys**

The footer shows the main ones; Ctrl+P lists every command.

- **Enter**: ask the question typed below (a new question stops the running answer)
- **Esc**: stop the answer being written (or go back to the question box)
- **Ctrl+N**: start a new conversation
- **Ctrl+O**: open a saved conversation
- **Ctrl+S**: export this conversation as Markdown
- **Ctrl+Y**: copy the selected answer
- **Ctrl+↑ / Ctrl+↓**: select the previous / next answer (its sources show on the right)
- **PgUp / PgDn**: scroll the conversation
- **Tab**: move between the question box and the sources (Enter opens a source)
- **Ctrl+R**: update the index after adding files to the seeds folder
- **F3**: ask about one article, picked from the indexed ones (Ctrl+P: scope by dates or source)
- **F2**: show or hide the sources panel
- **Ctrl+P**: command palette: themes (light and dark), rebuild the index, …
- **F1**: this help · **Ctrl+Q**: quit

**Tips**

- Follow-up questions may refer to earlier ones: *Siapa Yakov Zinberg?* then
  *Di kota mana dia bekerja?*
- A citation such as **[1]** points at the sources panel: click it, or select a source and
  press **Enter** to read the passage highlighted in its article.
- Conversations are saved as you go, even if the app is killed; reopen them with **Ctrl+O**.
"""


class HelpScreen(ModalScreen[None]):
    """Keys and tips; any of Esc, F1 or q closes it."""

    BINDINGS = [  # noqa: RUF012  (Textual's convention)
        Binding("escape,f1,q", "dismiss", "Close"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help"):
            with VerticalScroll():
                yield Markdown(HELP)
            yield Static("Esc close", classes="hint")

    def action_dismiss(self, result: None = None) -> None:  # type: ignore[override]
        self.dismiss(None)


class ConversationsScreen(ModalScreen[tuple[str, int] | None]):
    """Saved conversations, newest first. Returns ("open" | "export", id) or None."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape", "close", "Close"),
        Binding("ctrl+s", "export", "Export as Markdown"),
    ]

    def __init__(self, conversations: list[Conversation], current: int | None = None) -> None:
        super().__init__()
        self._conversations = conversations
        self._current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="conversations"):
            yield Static("Saved conversations", classes="heading")
            if self._conversations:
                yield OptionList(
                    *(
                        Option(_conversation_prompt(c, c.id == self._current), id=str(c.id))
                        for c in self._conversations
                    ),
                    id="conversation-list",
                )
                yield Static("Enter open · Ctrl+S export as Markdown · Esc close", classes="hint")
            else:
                yield Static("No saved conversations yet: ask a question first.", classes="hint")

    def _chosen(self) -> int | None:
        options = self.query(OptionList)
        if not options:
            return None
        option = options.first().highlighted_option
        return int(option.id) if option is not None and option.id else None

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(("open", int(event.option.id)))

    def action_export(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(("export", chosen))

    def action_close(self) -> None:
        self.dismiss(None)


def _conversation_prompt(conversation: Conversation, current: bool) -> Text:
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(conversation.updated))
    text = Text()
    text.append(for_terminal(conversation.title, one_line=True), style="bold")
    if current:
        text.append("  (open now)", style="italic")
    text.append(f"\n{plural(conversation.questions, 'question')} · {when}", style="dim")
    return text


class PassageScreen(ModalScreen[None]):
    """A source passage highlighted inside its whole article, scrolled into view."""

    BINDINGS = [  # noqa: RUF012
        Binding("escape,q,enter", "close", "Close"),
    ]

    def __init__(self, number: int, view: PassageInArticle) -> None:
        super().__init__()
        self._number = number
        self._view = view

    def compose(self) -> ComposeResult:
        with Vertical(id="passage-dialog"):
            # Article text is untrusted: control characters are shown, one symbol each, so the
            # quoted sentence's offsets still fall on the same characters.
            title = for_terminal(self._view.title, one_line=True)
            yield Static(Text(f"[{self._number}] {title}"), classes="heading")
            if self._view.about:
                yield Static(Text(for_terminal(self._view.about, one_line=True)), classes="about")
            if self._view.note:
                yield Static(Text(for_terminal(self._view.note)), classes="note")
            with VerticalScroll(id="article"):
                if self._view.before.strip():
                    before = for_terminal(self._view.before.strip("\n"))
                    yield Static(Text(before), classes="context")
                yield Static(self._passage_text(), id="passage")
                if self._view.after.strip():
                    after = for_terminal(self._view.after.strip("\n"))
                    yield Static(Text(after), classes="context")
            yield Static("Esc close", classes="hint")

    def _passage_text(self) -> Text:
        text = Text(for_terminal(self._view.passage))
        if self._view.quote is not None:
            text.stylize("underline", *self._view.quote)  # the sentence the answer rests on
        return text

    def on_mount(self) -> None:
        self.call_after_refresh(self._scroll_to_passage)

    def _scroll_to_passage(self) -> None:
        article = self.query_one("#article", VerticalScroll)
        article.scroll_to_widget(self.query_one("#passage"), animate=False, top=True)
        article.focus()

    def action_close(self) -> None:
        self.dismiss(None)
