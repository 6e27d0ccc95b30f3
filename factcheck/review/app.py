"""The conflict review TUI: ReviewItems in, decisions out through `on_decide`.

Built from records only (no sys.argv, no database): `data.load_items` makes the items and the
CLI passes a callback that writes each decision at once. Article text is untrusted, so it only
ever reaches the screen inside rich `Text` objects, never as markup.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Input, Static

from ..records import Claim, Conflict, Score, Sentence

# Same meaning as store.DECISIONS (kept here so the app does not import the store).
DECISION_STATUS = {"a": "confirmed", "b": "confirmed", "not-conflict": "dismissed"}
STATUSES = ("open", "confirmed", "dismissed")
OnDecide = Callable[[str, str, str], None]       # (conflict id, decision, note)


@dataclass(frozen=True, slots=True)
class ReviewSide:
    """One side of a conflict: the claim, its sentence (text and offsets), its article's score."""
    claim: Claim
    sentence: Sentence | None
    outlet: str | None = None
    title: str | None = None
    score: Score | None = None


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """One conflict with everything the reviewer needs to decide it."""
    conflict: Conflict
    a: ReviewSide
    b: ReviewSide
    neighbours: tuple[Claim, ...] = ()       # the other claims of the cluster(s): who else says what
    cluster_id: str | None = None
    independent_sources: int = 0
    history: tuple[str, ...] = ()            # effective decisions, oldest first ("stale" = outdated)
    skipped: bool = False                    # the latest review row is a skip


def status_of(history: Sequence[str]) -> str:
    """open | confirmed | dismissed from an effective decision history."""
    return DECISION_STATUS.get(history[-1], "open") if history else "open"


def short_labels(article_ids: Iterable[str]) -> dict[str, str]:
    """Shortest readable unique labels: '000' for '000_b7ee570cd5641bae' when that is unique."""
    ids = sorted(set(article_ids))
    heads = [i.split("_", 1)[0] for i in ids]
    if len(set(heads)) == len(ids) and all(heads):
        return dict(zip(ids, heads))
    for n in range(3, 40):
        cut = [i[:n] for i in ids]
        if len(set(cut)) == len(ids):
            return dict(zip(ids, cut))
    return {i: i for i in ids}


@dataclass(frozen=True, slots=True)
class ItemFilter:
    """What the list shows. `text` is `kind:K article:A status:S words`, as typed after `/`."""
    kind: str | None = None
    article: str | None = None
    status: str | None = None          # open | confirmed | dismissed | decided | None (all)
    words: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str) -> ItemFilter:
        """Read `kind:number article:004 status:open lavrov`; ValueError names a bad key."""
        keys = {"kind": "kind", "k": "kind", "article": "article", "a": "article",
                "status": "status", "s": "status"}
        found: dict[str, str] = {}
        words = []
        for tok in text.split():
            key, sep, value = tok.partition(":")
            if sep and key.lower() in keys:
                found[keys[key.lower()]] = value
            elif sep and not value.startswith("//"):
                raise ValueError(f"unknown filter {key!r}: use kind:, article:, status: or words")
            else:
                words.append(tok.lower())
        status = found.get("status") or None
        if status == "all":
            status = None
        if status and status not in (*STATUSES, "decided"):
            raise ValueError(f"unknown status {status!r}: use open, confirmed, dismissed, decided, all")
        return cls(kind=found.get("kind") or None, article=found.get("article") or None,
                   status=status, words=tuple(words))

    def matches(self, item: ReviewItem, status: str) -> bool:
        x = item.conflict
        if self.kind and not x.kind.lower().startswith(self.kind.lower()):
            return False
        if self.status == "decided" and status == "open":
            return False
        if self.status and self.status != "decided" and status != self.status:
            return False
        if self.article:
            want = self.article.lower()
            sides = [(s.claim.article_id.lower(), (s.outlet or "").lower()) for s in (item.a, item.b)]
            if not any(aid.startswith(want) or want in aid or want in outlet for aid, outlet in sides):
                return False
        if self.words:
            hay = " ".join((x.kind, x.explanation, item.a.claim.text, item.b.claim.text)).lower()
            if not all(w in hay for w in self.words):
                return False
        return True

    def describe(self) -> str:
        parts = [f"kind:{self.kind}" if self.kind else "", f"article:{self.article}" if self.article
                 else "", f"status:{self.status}" if self.status else "", *self.words]
        return " ".join(p for p in parts if p)


# ---------------------------------------------------------------- rendering (pure, testable)

STATUS_MARK = {"open": "·", "confirmed": "✓", "dismissed": "✗"}
SPAN_STYLE = "bold black on yellow"
CLAIM_STYLE = "underline"


def status_cell(history: Sequence[str]) -> Text:
    st = status_of(history)
    if st == "confirmed":
        return Text(f"{history[-1].upper()}✓", style="green")
    if st == "dismissed":
        return Text("not", style="dim")
    return Text("open", style="bold")


def context_text(side: ReviewSide, span: tuple[int, int] | None) -> Text:
    """The claim's sentence, literally, with the claim underlined and the differing span lit."""
    claim, sent = side.claim, side.sentence
    if sent is None or not (sent.start <= claim.start and claim.end <= sent.end):
        base, offset = claim.text, claim.start      # the claim alone when it leaves its sentence
    else:
        base, offset = sent.text, sent.start
    t = Text(base)
    t.stylize(CLAIM_STYLE, max(0, claim.start - offset), max(0, claim.end - offset))
    if span:
        s, e = max(0, span[0] - offset), min(len(base), span[1] - offset)
        if s < e:
            t.stylize(SPAN_STYLE, s, e)
    return t


def detail_text(item: ReviewItem, history: Sequence[str], labels: dict[str, str]) -> Text:
    """The detail pane: both claims in context, who else says what, the articles' scores."""
    x = item.conflict
    st = status_of(history)
    out = Text()
    out.append(f"{x.kind}", style="bold")
    out.append(f"  severity {x.severity:.2f}  ")
    out.append(st + (f" ({history[-1]})" if st != "open" else ""),
               style={"open": "bold", "confirmed": "green", "dismissed": "dim"}[st])
    out.append(f"  id {x.id}\n", style="dim")
    out.append(Text(x.explanation + "\n", style="italic"))
    for key, side, span in (("A", item.a, x.a_span), ("B", item.b, x.b_span)):
        aid = side.claim.article_id
        out.append(f"\n{key} ", style="bold reverse")
        out.append(f" {labels.get(aid, aid)}", style="bold")
        if side.outlet:
            out.append(Text(f" · {side.outlet}"))
        if side.score is not None:
            out.append(f" · score {side.score.score:.2f}")
        if side.claim.speaker:
            out.append(Text(f" · says: {side.claim.speaker}"))
        out.append("\n")
        out.append(context_text(side, span))
        out.append("\n")
    if item.neighbours:
        src = f", {item.independent_sources} independent sources" if item.independent_sources else ""
        out.append(f"\nOthers in the cluster{src}:\n", style="bold")
        for c in item.neighbours:
            out.append(f" {labels.get(c.article_id, c.article_id)}: ", style="bold")
            out.append(Text(c.text))
            out.append("\n")
    else:
        out.append("\nNo other article states this claim.\n", style="dim")
    return out


HELP = Text.assemble(
    ("Conflict review\n\n", "bold"),
    "Each line is a pair of claims that cannot both be true. Read both sides below\n"
    "the list (claim underlined, the difference highlighted) and decide:\n\n",
    ("  a ", "bold reverse"), "  article A is right (B is wrong: B's score goes down)\n",
    ("  b ", "bold reverse"), "  article B is right\n",
    ("  n ", "bold reverse"), "  not a conflict (no longer flagged in reports and ci)\n",
    ("  s ", "bold reverse"), "  skip for now     ", ("  u ", "bold reverse"), "  undo the last decision\n",
    ("  / ", "bold reverse"), "  filter: kind:number article:004 status:open words\n",
    "       (status: open, confirmed, dismissed, decided, all; empty = all)\n",
    ("  q ", "bold reverse"), "  quit. Decisions are saved at once; the next start resumes.\n\n",
    "Up/down move in the list; tab moves to the detail pane to scroll it.\n\n",
    ("Any key closes this help.", "dim"),
)


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > Static { width: 78; max-height: 22; border: round $accent; background: $panel;
                          padding: 0 1; }
    """

    def compose(self) -> ComposeResult:
        yield Static(HELP)

    def on_key(self, event) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss()


class FilterInput(Input):
    """The `/` box; while it has focus, letters are typed, not taken as decisions."""
    BINDINGS = [Binding("enter", "submit", "Apply"), Binding("escape", "cancel", "Cancel")]

    def action_cancel(self) -> None:
        self.remove_class("shown")
        self.app.query_one("#list", DataTable).focus()


class ReviewApp(App[dict[str, str]]):
    """Go through conflicts and decide; `return_value` = {conflict id: status} for this session."""

    TITLE = "factcheck review"
    ENABLE_COMMAND_PALETTE = False
    CSS = """
    #status { height: 1; background: $primary-background; padding: 0 1; }
    #list { height: 9; overflow-x: hidden; }
    #detail { height: 1fr; border-top: solid $primary; padding: 0 1; }
    #filter { display: none; }
    #filter.shown { display: block; }
    """
    BINDINGS = [
        Binding("a", "decide('a')", "A right"),
        Binding("b", "decide('b')", "B right"),
        Binding("n", "decide('not-conflict')", "Not"),
        Binding("s", "decide('skip')", "Skip"),
        Binding("u", "undo", "Undo"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("q", "quit_review", "Quit"),
    ]

    def __init__(self, items: list[ReviewItem], on_decide: OnDecide | None = None,
                 item_filter: ItemFilter | None = None) -> None:
        super().__init__()
        self.items = list(items)
        self.by_id = {i.conflict.id: i for i in self.items}
        self.on_decide = on_decide
        self.filter = item_filter or ItemFilter()
        self.history: dict[str, list[str]] = {i.conflict.id: list(i.history) for i in self.items}
        self.skipped = {i.conflict.id for i in self.items if i.skipped}
        self.session: dict[str, str] = {}       # conflict id -> status, for decisions taken now
        self.undo_stack: list[str] = []          # conflict ids, latest last (skips excluded)
        self.shown: list[str] = []
        self.labels = short_labels(c.article_id for i in self.items
                                   for c in (i.a.claim, i.b.claim, *i.neighbours))

    # ------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield Static(id="status")
        table: DataTable = DataTable(id="list", cursor_type="row", zebra_stripes=True)
        yield table
        with VerticalScroll(id="detail"):
            yield Static(id="detail-text")
        yield FilterInput(id="filter", compact=True,
                          placeholder="kind:number article:004 status:open words  (enter)")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#list", DataTable)
        for label, key, width in (("st", "st", 4), ("kind", "kind", 10), ("sev", "sev", 4),
                                  ("A", "a", 4), ("B", "b", 4),
                                  ("explanation", "expl", self.expl_width())):
            table.add_column(label, key=key, width=width)
        self.refresh_list()
        start = self.resume_id()
        if start is not None:
            table.move_cursor(row=self.shown.index(start))
        table.focus()

    # ------------------------------------------------------------ state
    def status(self, cid: str) -> str:
        return status_of(self.history[cid])

    def resume_id(self) -> str | None:
        """Where the person stopped: the first open conflict not skipped, else the first open."""
        shown = self.shown
        for cid in shown:
            if self.status(cid) == "open" and cid not in self.skipped:
                return cid
        for cid in shown:
            if self.status(cid) == "open":
                return cid
        return shown[0] if shown else None

    @property
    def current(self) -> ReviewItem | None:
        table = self.query_one("#list", DataTable)
        if not self.shown or table.row_count == 0:
            return None
        return self.by_id[self.shown[min(table.cursor_row, len(self.shown) - 1)]]

    def expl_width(self) -> int:
        # 26 cells of fixed columns, 12 of cell padding, 2 of scrollbar: no sideways scrolling.
        return max(20, self.size.width - 40)

    def row_cells(self, item: ReviewItem) -> list:
        x = item.conflict
        width = self.expl_width()
        expl = x.explanation if len(x.explanation) <= width else x.explanation[:width - 1] + "…"
        return [status_cell(self.history[x.id]), Text(x.kind), Text(f"{x.severity:.2f}"),
                Text(self.labels.get(item.a.claim.article_id, "?")),
                Text(self.labels.get(item.b.claim.article_id, "?")), Text(expl)]

    def refresh_list(self, select: str | None = None) -> None:
        """Rebuild the rows for the current filter, keeping `select` (or the current row) chosen."""
        table = self.query_one("#list", DataTable)
        keep = select or (self.current.conflict.id if self.current else None)
        self.shown = [i.conflict.id for i in self.items if self.filter.matches(i, self.status(i.conflict.id))]
        table.clear()
        for cid in self.shown:
            table.add_row(*self.row_cells(self.by_id[cid]), key=cid)
        if keep in self.shown:
            table.move_cursor(row=self.shown.index(keep))
        self.refresh_status()
        self.refresh_detail()

    def refresh_row(self, cid: str) -> None:
        table = self.query_one("#list", DataTable)
        if cid in self.shown:
            table.update_cell(cid, "st", status_cell(self.history[cid]))

    def refresh_status(self) -> None:
        n_open = sum(1 for i in self.items if self.status(i.conflict.id) == "open")
        f = self.filter.describe()
        line = Text(f"{n_open} open of {len(self.items)} conflicts · showing {len(self.shown)}")
        line.append(Text(f" · filter: {f}" if f else " · / filter  ? help"))
        decided_now = sum(1 for v in self.session.values() if v != "open")
        if decided_now:
            line.append(f" · {decided_now} decided now")
        self.query_one("#status", Static).update(line)

    def refresh_detail(self) -> None:
        item = self.current
        if item is None:
            body = Text("No conflict matches the filter. Press / to change it." if self.items
                        else "No conflicts to review.")
        else:
            body = detail_text(item, self.history[item.conflict.id], self.labels)
        self.query_one("#detail-text", Static).update(body)
        self.query_one("#detail", VerticalScroll).scroll_home(animate=False)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_detail()

    # ------------------------------------------------------------ actions
    def _write(self, cid: str, decision: str, note: str = "") -> bool:
        if self.on_decide is None:
            return True
        try:
            self.on_decide(cid, decision, note)
        except Exception as e:  # a locked or vanished store must not lose the session
            self.notify(f"not saved: {e}", severity="error", timeout=8)
            return False
        return True

    def action_decide(self, decision: str) -> None:
        item = self.current
        if item is None:
            self.bell()
            return
        cid = item.conflict.id
        if not self._write(cid, decision):
            return
        if decision == "skip":
            self.skipped.add(cid)
        else:
            self.history[cid].append(decision)
            self.skipped.discard(cid)
            self.undo_stack.append(cid)
        self.session[cid] = self.status(cid)
        self.refresh_row(cid)
        self.refresh_status()
        self.advance(cid)

    def advance(self, cid: str) -> None:
        """Move to the next open conflict after `cid` (wrapping), or stay when none is left."""
        if cid not in self.shown:
            self.refresh_list()
            return
        i = self.shown.index(cid)
        order = self.shown[i + 1:] + self.shown[:i]
        nxt = next((c for c in order if self.status(c) == "open"), None)
        table = self.query_one("#list", DataTable)
        if nxt is not None:
            table.move_cursor(row=self.shown.index(nxt))
        else:
            self.notify("No open conflict left in this list.")
        self.refresh_detail()

    def action_undo(self) -> None:
        cid = self.undo_stack[-1] if self.undo_stack else (self.current.conflict.id if self.current else None)
        if cid is None or not self.history.get(cid):
            self.notify("Nothing to undo.")
            return
        if not self._write(cid, "undo"):
            return
        if self.undo_stack:
            self.undo_stack.pop()
        self.history[cid].pop()
        self.session[cid] = self.status(cid)
        if cid not in self.shown:
            self.refresh_list(select=None)
        self.refresh_row(cid)
        if cid in self.shown:
            self.query_one("#list", DataTable).move_cursor(row=self.shown.index(cid))
        self.refresh_status()
        self.refresh_detail()
        self.notify(f"Undone: {cid[:8]} is {self.status(cid)} again.")

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = self.filter.describe()
        box.add_class("shown")
        box.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.set_filter(ItemFilter.parse(event.value))
        except ValueError as e:
            self.notify(str(e), severity="error")
            return
        self.query_one("#filter", FilterInput).action_cancel()

    def set_filter(self, item_filter: ItemFilter) -> None:
        """Show only the conflicts `item_filter` lets through; the cursor keeps its conflict."""
        self.filter = item_filter
        self.refresh_list()

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_quit_review(self) -> None:
        self.exit(dict(self.session))
