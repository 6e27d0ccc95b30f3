"""Ingest: an article file (.txt .md .html .htm .json .jsonl) → `Article` with boilerplate spans and metadata.

Offsets index `Article.text`: the decoded file minus a UTF-8 BOM (txt/md), the visible text (html), the body field
(json). Bad files raise `IngestError(display, problem)`; an unknown date stays None, never today.
"""
from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, replace
from html.parser import HTMLParser
from pathlib import Path

from factcheck.errors import IngestError, not_utf8
from factcheck.records import Article, Span

MAX_BYTES = 5_000_000
SUPPORTED = {".txt": "txt", ".md": "md", ".html": "html", ".htm": "html", ".json": "json", ".jsonl": "json"}

# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
_WEEKDAYS = [d.lower() for d in calendar.day_name]
_WEEKDAY_RE = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_DATE_RES = [
    re.compile(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d\d)-(?P<d>\d\d)"),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mn>{_MONTH_RE})\.?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I),
    re.compile(rf"\b(?P<mn>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d\d)\b", re.I),
]
_TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?(?=\W|$)", re.I)
_STAMP_WORDS_RE = re.compile(
    rf"\b(?:{_WEEKDAY_RE}|last\s+(?:modified|updated)|updated|modified|published|posted|first\s+published|"
    r"date|on|at|gmt|utc|ist|bst|cet|et|est|edt|pst|ict|local\s+time)\b", re.I)
# (a comma after a year ends a clause, "in 2022, ..."; one before a digit makes a larger number)
_YEAR_RE = re.compile(r"(?<![\d.,/-])(?:19|20)\d\d(?![\d/-]|,\d)")
_WEEKDAY_MENTION_RE = re.compile(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b")


def _find_date(s: str) -> tuple[dt.date, re.Match] | None:
    """First full calendar date (ISO, '03 August, 2022', 'October 21, 2021') in `s`."""
    best = None
    for rx in _DATE_RES:
        m = rx.search(s)
        if m and (best is None or m.start() < best.start()):
            best = m
    if best is None:
        return None
    g = best.groupdict()
    month = int(g["m"]) if g.get("m") else _MONTHS[g["mn"].lower().rstrip(".")]
    try:
        return dt.date(int(g["y"]), month, int(g["d"])), best
    except ValueError:
        return None


def _is_timestamp_line(s: str) -> bool:
    """True when the line is only a date (plus weekday, time and labels like 'Last modified:')."""
    found = _find_date(s)
    if not found:
        return False
    _, m = found
    rest = s[: m.start()] + " " + s[m.end():]
    rest = _STAMP_WORDS_RE.sub(" ", _TIME_RE.sub(" ", rest))
    return not re.search(r"[A-Za-z0-9]", rest)


# ---------------------------------------------------------------------------------------------
# Dateline ("Bangkok, Jul 7 (EFE).-", "JAKARTA (Reuters) -", "Lima, March 3, 2024 (AP) -", with a
# region "GOTHENBURG, Sweden, Sept. 15, 2025 (Reuters) -", and with a date, no agency: "Lima, March
# 3, 2024 - ")
# ---------------------------------------------------------------------------------------------
DATELINE_RE = re.compile(
    rf"^(?P<place>[A-Z][A-Za-z'’.\-]*(?:[ \-][A-Z][A-Za-z'’.\-]*){{0,3}})"
    # the region or country after the place ("GOTHENBURG, Sweden, Sept. 15, 2025 (Reuters) -",
    # "PORTLAND, Ore. (AP) -"), not a month
    rf"(?:,\s*(?!{_MONTH_RE}\b)(?P<region>[A-Z][A-Za-z'’.\-]*(?:[ \-][A-Z][A-Za-z'’.\-]*){{0,2}}))?"
    rf"(?:,\s*(?P<mon>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}})(?:,?\s+(?P<year>(?:19|20)\d\d))?)?"
    r"(?:\s*\((?P<agency>[A-Z][A-Za-z&.\- ]{0,30})\)\s*(?:[.:]?\s*[-–—]+|[.:])"
    r"|(?<=\d)\s+[-–—]+)\s*"
)


def match_dateline(paragraph: str) -> re.Match | None:
    """The dateline that opens a paragraph, e.g. 'Bangkok, Jul 7 (EFE).- ' (match includes trailing space)."""
    m = DATELINE_RE.match(paragraph)
    if not m:
        return None
    rest = paragraph[m.end():]
    # A dateline opens a sentence: what follows starts with an upper-case letter, digit or quote.
    if not rest or not re.match(r"[A-Z0-9“\"‘']", rest):
        return None
    return m


# ---------------------------------------------------------------------------------------------
# Boilerplate rules (general: line shape, stock phrases of web pages, position, repetition)
# ---------------------------------------------------------------------------------------------
_SOCIAL = r"(?:instagram|telegram|twitter|x|facebook|linkedin|youtube|tiktok|whatsapp|threads|google\s+news|mastodon|bluesky)"
_STOCK = [
    ("ad", re.compile(r"^\[\s*ad[_ -]?\d*\s*\]$|^(?:advertisement|advertising|sponsored(?: content)?|ad)$", re.I)),
    ("related", re.compile(r"^(?:related|recommended|more|other|latest|popular|trending|top|also read|read more|see also|"
                           r"you may also like|more from|more in|most read)(?:\s+(?:articles?|news|stories|posts|reads|"
                           r"links|content|coverage|topics))?\s*:?$", re.I)),
    # a pointer to another story: "Read more: ASEAN ministers meet in Phnom Penh"
    ("related", re.compile(r"^(?:read more|also read|read also|see also|related(?: stories| articles| news)?|"
                           r"more on this(?: story)?|recommended|watch)\s*[:|–—-]\s*\S.{0,200}$", re.I)),
    ("navigation", re.compile(r"^(?:back to top(?: button)?|(?:scroll|go|return) to top|skip to (?:main )?content|"
                              r"(?:main )?menu|home|search|share(?: this(?: article| story)?)?|print|email|tweet|"
                              r"previous (?:article|post)|next (?:article|post)|load more|comments?|leave a (?:comment|reply))"
                              r"\s*:?$", re.I)),
    ("source link", re.compile(r"^(?:source\s+link|source\s*:\s*\S{1,60}|original\s+(?:article|source)\s*:?.{0,80})$", re.I)),
    ("follow", re.compile(rf"^follow\b.{{0,80}}\bon\s+{_SOCIAL}\b.{{0,80}}$|^(?:find|join|like) us on\s+{_SOCIAL}\b.{{0,80}}$", re.I)),
    ("subscribe", re.compile(r"^(?:subscribe|sign up|register)\b.{0,60}\b(?:newsletter|updates|channel|alerts|free)\b.{0,60}$"
                             r"|^subscribe(?: now| here| today)?\s*[.!:]?$", re.I)),
    ("subscribe", re.compile(r"^to (?:be|stay|get|keep)\b.{0,30}\b(?:updated|informed|up to date|up-to-date)\b.{0,30}"
                             r"\blatest\b.{0,60}$", re.I)),
    ("copyright", re.compile(r"©|\(c\)\s*(?:19|20)\d\d|\bcopyright\b\s*(?:©|\(c\)|(?:19|20)\d\d)|\ball rights reserved\b", re.I)),
    ("slogan", re.compile(r"\blatest breaking news\b|\bupdated news 24/7\b|\bnews 24/7\b|\b24/7 news\b|"
                          r"\bbreaking news\b.{0,40}\bof the day\b", re.I)),
    ("cookie", re.compile(r"\b(?:we use cookies|cookie policy|privacy policy|terms of (?:use|service))\b", re.I)),
]
_BYLINE_RE = re.compile(
    r"^(?i:(?:idea|written|reporting|report|text|story|words|photos?|edited)\s+by|by)\s+(?P<name>[A-Z][^\n]{1,80})$"
    r"|^(?P<org>[A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,3})\s+(?:Report|Desk|Staff|Correspondent|Reporter|Bureau|"
    r"Online Desk|News Desk|Wire|Newsroom)$")
_BULLET_RE = re.compile(r"^(?:[•·▪‣◦●■▶►*]|[-–—](?=\s))\s*")
_MD_HEADING_RE = re.compile(r"^#{1,6}\s+")
_CAPTION_RE = re.compile(
    r"(?:\b[A-Z]{2,}(?:\s+[A-Z]{2,})?\s*/\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*(?:\s*/\s*[A-Z][\w.'’-]*)*\s*$)"
    r"|^(?:photo|image|picture|file photo|pic)(?:\s+credit)?\s*:"
    r"|\((?:photo|image|file photo|picture)\b[^)]*\)\s*$"
    r"|\b(?:photo|image)\s*:\s*[A-Z][^.]{0,60}$")
_BIO_START_RE = re.compile(
    # "Jane Doe is a senior fellow at ...", "... is professor of ...": the role follows the verb within
    # a few words ("Santos is expected to meet President ..." is news, not a bio)
    r"^(?:[A-Z][\w.'’-]+\s+){1,4}(?:is|was|serves as|has been)\s+"
    r"(?:(?:a|an|the|currently|formerly|also)\s+(?:[\w,'’-]+\s+){0,5}?)?"
    r"(?:chair|professor|editor|director|fellow|author|journalist|correspondent|researcher|lecturer|writer|"
    r"founder|columnist|analyst|contributor|reporter|scholar|associate|dean|head|president|member)\b", re.I)
_BIO_MORE_RE = re.compile(r"^(?:he|she|they)\s+(?:has|have|had|is|was)\s+(?:taught|written|worked|served|been|authored|published)\b", re.I)
_TERMINAL_RE = re.compile(r"[.!?…][\"'”’)\]]*$")
_SMALL_WORDS = {"&", "and", "of", "the", "in", "for", "on", "a", "an", "to", "-", "–", "|", "at", "with"}


@dataclass
class _Line:
    start: int          # content start (whitespace stripped)
    end: int
    text: str

    @property
    def words(self) -> list[str]:
        """Whitespace-separated words of the line."""
        return self.text.split()


def _lines(text: str) -> list[_Line]:
    """Non-blank lines of `text` with stripped content offsets."""
    out, pos = [], 0
    for raw in text.split("\n"):
        lead = len(raw) - len(raw.lstrip())
        content = raw.strip()
        if content:
            out.append(_Line(pos + lead, pos + lead + len(content), content))
        pos += len(raw) + 1
    return out


def _norm(s: str) -> str:
    """Line key for repetition: case-folded, bullets and whitespace collapsed."""
    return " ".join(_BULLET_RE.sub("", s).casefold().split())


def _is_title_case(s: str) -> bool:
    """Every word capitalised except small joiners ('Conflicts & War', 'Other News')."""
    words = s.split()
    return bool(words) and all(w[0].isupper() or w.lower() in _SMALL_WORDS for w in words)


def _looks_like_body(line: _Line) -> bool:
    """A running-text line: long enough and ending like a sentence."""
    return len(line.words) >= 8 and bool(_TERMINAL_RE.search(line.text)) and not _CAPTION_RE.search(line.text)


def _strip_markers(s: str) -> str:
    """Line text without bullet or markdown-heading marker."""
    return _BULLET_RE.sub("", _MD_HEADING_RE.sub("", s), count=1)


def _stock_label(s: str) -> str | None:
    """Label of a stock web-page phrase that makes up the line, if any."""
    core = _strip_markers(s).strip()
    if len(core.split()) > 60:
        return None
    for label, rx in _STOCK:
        if rx.search(core):
            return label
    return None


@dataclass
class _Meta:
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    dateline: str | None = None
    published: str | None = None
    published_source: str = "unknown"


def _split_site_suffix(title: str) -> tuple[str, str | None, int]:
    """'Headline | Site Name' → ('Headline', 'Site Name', index where the suffix starts)."""
    m = re.search(r"\s+[|–—-]\s+([^|–—]{2,40})$", title)
    if m and 1 <= len(m.group(1).split()) <= 5 and _is_title_case(m.group(1)) and len(title[: m.start()].split()) >= 3:
        return title[: m.start()].strip(), m.group(1).strip(), m.start()
    return title, None, len(title)


def _analyse(text: str, *, today: dt.date | None = None) -> tuple[list[Span], _Meta]:
    """Boilerplate spans and metadata of plain article text."""
    lines = _lines(text)
    labels: dict[int, str] = {}         # line index → boilerplate label (whole line)
    partial: list[Span] = []            # spans covering part of a line
    meta = _Meta()
    visible: dict[int, str] = {}        # line index → text left after partial spans (for repetition)

    # Date line prefix: "date 2022-08-03 Headline ..."
    for i, ln in enumerate(lines[:5]):
        m = re.match(r"(?i)(?:date|published|posted)\s*:?\s*((?:19|20)\d\d-\d\d-\d\d)(?:[T ]\d\d:\d\d(?::\d\d)?Z?)?\s*", ln.text)
        if m:
            meta.published, meta.published_source = m.group(1), "date line"
            if m.end() >= len(ln.text):
                labels[i] = "timestamp"
            else:
                partial.append(Span(ln.start, ln.start + len(m.group(0).rstrip()), "timestamp"))
                visible[i] = ln.text[m.end():]
            break

    # Stock phrases anywhere; timestamps and captions anywhere (a caption is never a body claim).
    for i, ln in enumerate(lines):
        if i in labels:
            continue
        lab = _stock_label(ln.text)
        if lab is None and len(ln.words) <= 14 and _is_timestamp_line(_strip_markers(ln.text)):
            lab = "timestamp"
        if lab is None and _CAPTION_RE.search(ln.text) and not _TERMINAL_RE.search(ln.text.rstrip(")")):
            lab = "caption"
        if lab is None and _CAPTION_RE.search(ln.text) and re.search(r"\b[A-Z]{2,}\s*/\s*[A-Z]", ln.text):
            lab = "caption"
        if lab:
            labels[i] = lab

    # Repeated lines: every later copy of a line is furniture (page headers printed twice).
    seen: dict[str, int] = {}
    for i, ln in enumerate(lines):
        key = _norm(_split_site_suffix(_strip_markers(visible.get(i, ln.text)))[0])
        if not re.search(r"[^\W\d_]", key):
            continue
        if key in seen:
            labels.setdefault(i, "repeated")
        else:
            seen[key] = i

    # Header zone: lines before the first running-text paragraph.
    body_start = next((i for i, ln in enumerate(lines) if i not in labels and _looks_like_body(ln)), len(lines))
    header = [i for i in range(body_start)]
    unlabelled = [i for i in header if i not in labels]
    # Section label before the headline: short title-case line followed by a longer headline.
    if len(unlabelled) >= 2:
        first, nxt = lines[unlabelled[0]], lines[unlabelled[1]]
        if (len(first.words) <= 4 and _is_title_case(first.text) and not _TERMINAL_RE.search(first.text)
                and len(nxt.words) > len(first.words) and len(nxt.words) >= 4
                and not _TERMINAL_RE.search(nxt.text)):
            labels[unlabelled[0]] = "section"
    headline_idx = next((i for i in header if i not in labels), None)
    for i in header:
        if i in labels or i == headline_idx:
            continue
        core = _strip_markers(lines[i].text)
        is_bullet = core != lines[i].text
        if _BYLINE_RE.match(core) or (is_bullet and len(core.split()) <= 8 and not _TERMINAL_RE.search(core)):
            labels[i] = "byline"

    # Tail: author bios, then short unpunctuated lines after the last running-text line. A bio
    # closes the article (after it come only other bio lines or furniture), opens with a line
    # naming its subject's role ("Jane Doe is a senior fellow at ...", then maybe "She has
    # written ...") and is about someone the article's news does not name: "Novak is the second
    # member of the cabinet to resign this year." before a last news line about Novak is news.
    tail_from = max(body_start, int(len(lines) * 0.6))
    block: list[int] = []
    for i in range(len(lines) - 1, tail_from - 1, -1):
        if i in labels:
            continue
        if _BIO_START_RE.match(lines[i].text) or _BIO_MORE_RE.match(lines[i].text):
            block.append(i)
        elif not (len(lines[i].words) <= 6 and not _TERMINAL_RE.search(lines[i].text)):
            break                           # (a short unpunctuated line is furniture, labelled below)
    starts = [i for i in block if _BIO_START_RE.match(lines[i].text)]
    news = " ".join(lines[j].text for j in range(body_start, min(block, default=len(lines))) if j not in labels)
    for i in starts:
        who = re.match(r"^(?:[A-Z][\w.'’-]+\s+)*?([A-Z][\w'’-]+)\s+(?:is|was|serves|has)\b", lines[i].text)
        if who and re.search(rf"\b{re.escape(who.group(1))}\b", news):
            starts = []                     # the news names them: not the author
    if starts:
        for i in block:
            if i >= min(starts):
                labels[i] = "author bio"
    for i in range(len(lines) - 1, body_start, -1):
        if i in labels:
            continue
        ln = lines[i]
        if len(ln.words) <= 6 and not _TERMINAL_RE.search(ln.text):
            labels[i] = "footer"
            continue
        break

    # Metadata -------------------------------------------------------------------------------
    if headline_idx is not None:
        hl = lines[headline_idx]
        own = visible.get(headline_idx, hl.text)
        offset = hl.start + (len(hl.text) - len(own))
        own_core = _strip_markers(own)
        offset += len(own) - len(own_core)
        title, site, cut = _split_site_suffix(own_core)
        meta.title = title
        if site:
            meta.outlet = site
            suffix_start = offset + cut
            partial.append(Span(suffix_start + (len(own_core[cut:]) - len(own_core[cut:].lstrip())),
                                offset + len(own_core), "site name"))
    for i, lab in sorted(labels.items()):
        core = _strip_markers(lines[i].text).strip()
        if lab == "byline":
            m = _BYLINE_RE.match(core)
            if m and m.group("name") and not meta.author:
                meta.author = re.split(r"\s*[(,|]", m.group("name"))[0].strip()
            elif m and m.group("org") and not meta.outlet:
                meta.outlet = m.group("org")
        if lab == "copyright":
            o = re.search(r"Origin:\s*([A-Z][\w&.'’ -]{1,60})", core)
            c = re.search(r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d\d\s*)?([A-Z][\w&.'’-]*(?:\s+[A-Z][\w&.'’-]*){0,5})", core, re.I)
            if not meta.outlet and o:
                meta.outlet = o.group(1).strip()
            elif not meta.outlet and c:
                # (up to the end of the name: "© 2021 Example News. All rights reserved.")
                name = re.split(r"\.?\s+all\s+rights\b|\s*[,;|]", c.group(1), maxsplit=1, flags=re.I)[0]
                meta.outlet = name.strip(" .") or None
    body_lines = [ln for i, ln in enumerate(lines) if i not in labels and i >= body_start]
    if body_lines:
        dl = match_dateline(body_lines[0].text)
        if dl:
            meta.dateline = dl.group("place")
            if not meta.outlet and dl.group("agency"):
                meta.outlet = dl.group("agency").strip()
    # Published: an explicit date line in the header, else the dateline with an inferred year.
    if meta.published is None:
        for i in range(body_start):
            if labels.get(i) == "timestamp" and not re.match(r"(?i)\W*(?:last\s+)?(?:modified|updated)", lines[i].text):
                found = _find_date(lines[i].text)
                if found:
                    meta.published, meta.published_source = found[0].isoformat(), "date line"
                    break
    if meta.published is None and body_lines:
        dl = match_dateline(body_lines[0].text)
        month = _MONTHS[dl.group("mon").lower().rstrip(".")] if dl and dl.group("mon") else None
        if month and dl.group("year"):
            try:
                meta.published = dt.date(int(dl.group("year")), month, int(dl.group("day"))).isoformat()
                meta.published_source = "dateline"
            except ValueError:                  # (no such day)
                pass
        if meta.published is None and month:
            body_text = "\n".join(ln.text for ln in body_lines)
            year = _infer_year(month, int(dl.group("day")), body_text, today or dt.date.today())
            if year:
                meta.published, meta.published_source = year
    if meta.published is None:
        for i, lab in labels.items():
            if lab == "copyright":
                m = re.search(r"(?:©|\(c\)|copyright)\D{0,60}?\(?((?:19|20)\d\d)\)?", lines[i].text, re.I)
                if m:
                    meta.published, meta.published_source = m.group(1), "copyright year"
                    break

    spans = [Span(lines[i].start, lines[i].end, lab) for i, lab in labels.items()] + partial
    return _merge(spans), meta


# words before a date that look ahead to it ("would open in 2025", "by 2030", "plans for 2026",
# "will meet ... on Wednesday", "is expected to ... on Wednesday"): the dateline's year leaves such
# a year out, and a weekday they look ahead to is the next one (here and in `normalize`)
LOOKS_AHEAD = re.compile(r"\b(?:will|would|shall|is to|are to|set to|plans?\s+(?:to|for)|planned|planning|expects?|expected|"
                         r"scheduled|due to|aims?|forecasts?|projected|next)\b[^.;]*$"
                         r"|\b(?:by|until|till|before)\s+(?:the\s+end\s+of\s+)?$", re.I)


def _infer_year(month: int, day: int, body: str, today: dt.date) -> tuple[str, str] | None:
    """Year of a dateline's month/day from the text: weekday mentions, else the latest year mentioned
    (a year the text looks ahead to, "would open in 2025", left out). None when the weekdays the
    text mentions fit neither year: the text contradicts the guess."""
    years = sorted({int(m.group(0)) for m in _YEAR_RE.finditer(body) if int(m.group(0)) <= today.year
                    and not LOOKS_AHEAD.search(body, max(0, m.start() - 40), m.start())})
    # (weekday, looks ahead): "on Tuesday" in a news story means the last seven days, but "will
    # meet ... on Wednesday" / "is expected to ... on Wednesday" the next seven
    weekdays = [(_WEEKDAYS.index(m.group(1).lower()),
                 LOOKS_AHEAD.search(body, max(0, m.start() - 80), m.start()) is not None)
                for m in _WEEKDAY_MENTION_RE.finditer(body)]
    if not years:
        # A weekday repeats every few years: without a year in the text the year stays unknown
        # (never guessed from the clock, which would change the answer as time passes).
        return None
    candidates = [years[-1], years[-1] + 1]

    def score(y: int) -> int | None:
        """Days back from the dateline to each weekday mentioned, summed; None if impossible or future."""
        try:
            d = dt.date(y, month, day)
        except ValueError:
            return None
        if d > today:
            return None
        # count days back from the dateline (forward for a weekday the text looks ahead to)
        return sum((w - d.weekday()) % 7 if ahead else (d.weekday() - w) % 7 for w, ahead in weekdays)

    if weekdays:
        scored = [(s, -y) for y in candidates if (s := score(y)) is not None]
        if scored:
            best, neg_year = min(scored)
            if best <= len(weekdays):           # weekdays mostly the dateline day or the day before
                return f"{-neg_year:04d}-{month:02d}-{day:02d}", "dateline, year inferred from text"
        return None                             # the weekdays fit neither year: unknown
    if years and score(years[-1]) is not None:
        return f"{years[-1]:04d}-{month:02d}-{day:02d}", "dateline, year inferred from text"
    return None


def _merge(spans: list[Span]) -> list[Span]:
    """Sorted, non-overlapping spans (overlaps are joined, first label kept)."""
    out: list[Span] = []
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.end <= s.start:
            continue
        if out and s.start <= out[-1].end:
            if s.end > out[-1].end:
                out[-1] = replace(out[-1], end=s.end)
        else:
            out.append(s)
    return out


# ---------------------------------------------------------------------------------------------
# Decoding
# ---------------------------------------------------------------------------------------------
def _decode(raw: bytes, display: str, max_bytes: int) -> str:
    """UTF-8 text of a file's bytes (BOM removed), or IngestError naming the problem."""
    if len(raw) > max_bytes:
        raise IngestError(display, f"too large ({len(raw):,} bytes, limit {max_bytes:,} bytes)")
    if not raw.strip():
        raise IngestError(display, "empty file")
    if b"\x00" in raw:
        raise IngestError(display, f"binary file (NUL byte at offset {raw.index(0)})")
    bom = raw.startswith(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8-sig" if bom else "utf-8")
    except UnicodeDecodeError as e:
        raise IngestError(display, not_utf8(e, skipped=3 if bom else 0)) from None
    if not text.strip():
        raise IngestError(display, "empty file")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f\v")
    if controls > max(2, len(text) // 20):
        raise IngestError(display, f"binary file ({controls} control characters)")
    return text


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------
_LINKED = 0.8            # a line whose letters are this much link text links elsewhere: not the article's
_SKIP_TAGS = {"script", "style", "nav", "header", "footer", "aside", "noscript", "template", "svg", "iframe",
              "form", "button", "select", "object", "canvas", "head"}
_BLOCK_TAGS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "br", "tr", "td", "th", "table",
               "section", "article", "main", "blockquote", "figure", "figcaption", "pre", "hr", "dd", "dt", "dl",
               "address", "body", "html", "caption", "details", "summary"}
# (in order of preference: a page may carry several; then JSON-LD's datePublished, then a meta
# "date", which may be that of the page's last change, then the first <time>)
_DATE_META = ("article:published_time", "og:published_time", "published_time", "datepublished", "pubdate",
              "publish-date", "publishdate", "dc.date.issued", "dc.date", "sailthru.date", "parsely-pub-date")
# schema.org types of a news page's JSON-LD object (its headline, datePublished, author, publisher)
_LD_TYPES = {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
             "opinionnewsarticle", "backgroundnewsarticle", "webpage", "report"}


def _ld_article(blob: str) -> dict | None:
    """The news-article object of a JSON-LD script (at its top, in a list, or in its @graph), or
    None; a script that is not valid JSON is passed over."""
    try:
        data = json.loads(blob)
    except (ValueError, RecursionError):
        return None
    todo, best = [data], None
    for _ in range(200):                      # (a bounded walk: hostile pages nest deeply)
        if not todo:
            break
        x = todo.pop(0)
        if isinstance(x, list):
            todo.extend(x[:50])
        elif isinstance(x, dict):
            kinds = x.get("@type")
            kinds = {str(k).lower() for k in (kinds if isinstance(kinds, list) else [kinds])}
            if kinds & _LD_TYPES and (x.get("headline") or x.get("datePublished")):
                if "webpage" not in kinds:
                    return x
                best = best or x
            if isinstance(x.get("@graph"), list):
                todo.extend(x["@graph"][:50])
    return best


def _ld_name(v) -> str | None:
    """A JSON-LD person or organisation (or a list of them) as names joined by commas."""
    items = v if isinstance(v, list) else [v]
    names = [str(x.get("name")) if isinstance(x, dict) else str(x) for x in items[:10]
             if (x.get("name") if isinstance(x, dict) else isinstance(x, str) and x)]
    names = [n.strip() for n in names if n.strip() and not n.strip().startswith(("http://", "https://"))]
    return ", ".join(names) or None


class _VisibleText(HTMLParser):
    """Collects visible text with block boundaries as newlines, plus title and meta tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.lines: list[str] = []
        self.cur: list[str] = []
        self.head_title: list[str] = []
        self.in_title = False
        self.in_caption = 0
        self.captions: set[int] = set()      # indexes of lines that are figure captions
        self.h1: str | None = None
        self.in_h1 = False
        self.h1_buf: list[str] = []
        self.meta: dict[str, str] = {}
        self.time: str | None = None
        self.in_ld = False                    # inside a <script type="application/ld+json">
        self.ld_buf: list[str] = []
        self.ld: dict | None = None           # the page's news-article JSON-LD object
        self.in_a = 0                         # inside a link
        self.linked = 0                       # letters of the current line inside links
        self.links: set[int] = set()          # indexes of lines that are (nearly) all link text
        self.h1_line: int | None = None       # index of the page's headline line

    def _flush(self) -> None:
        """End the current line (a block boundary)."""
        text = "".join(self.cur)
        line = " ".join(text.split())
        if line:
            if self.in_caption:
                self.captions.add(len(self.lines))
            letters = sum(ch.isalnum() for ch in text)
            if letters and self.linked >= _LINKED * letters and len(self.lines) != self.h1_line:
                self.links.add(len(self.lines))     # a link to another page: related stories, a menu
            self.lines.append(line)
        self.cur, self.linked = [], 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Track skipped regions, block boundaries, meta tags, <time> and <h1>."""
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
            return
        if tag == "title":
            self.in_title = True
        if tag == "script" and a.get("type", "").strip().lower() == "application/ld+json" and self.ld is None:
            self.in_ld, self.ld_buf = True, []
        if tag == "time" and a.get("datetime") and self.time is None and not self.skip:
            self.time = a["datetime"]
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "figcaption":
            self.in_caption += 1
        if tag == "h1" and self.h1 is None and not self.skip:
            self.in_h1, self.h1_buf = True, []
            self.h1_line = len(self.lines)
        if tag == "a" and not self.skip:
            self.in_a += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Self-closing tags: <meta/> and <br/> count, nothing is entered."""
        if tag == "meta":
            self.handle_starttag(tag, attrs)
        elif tag in _BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        """Leave skipped regions, end blocks, captions and the <h1>."""
        if tag == "title":
            self.in_title = False
        if tag == "script" and self.in_ld:
            self.in_ld = False
            self.ld = _ld_article("".join(self.ld_buf))
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "figcaption":
            self.in_caption = max(0, self.in_caption - 1)
        if tag == "a":
            self.in_a = max(0, self.in_a - 1)
        if tag == "h1" and self.in_h1:
            self.in_h1 = False
            self.h1 = " ".join("".join(self.h1_buf).split()) or None

    def handle_data(self, data: str) -> None:
        """Visible text goes to the current line; <title> text is kept apart."""
        if self.in_title:
            self.head_title.append(data)
            return
        if self.in_ld:
            self.ld_buf.append(data)
            return
        if self.skip:
            return
        self.cur.append(data)
        if self.in_a:
            self.linked += sum(ch.isalnum() for ch in data)
        if self.in_h1:
            self.h1_buf.append(data)

    def close(self) -> None:
        """Finish parsing and flush the last line."""
        super().close()
        self._flush()


def _from_html(source: str) -> tuple[str, set[int], set[int], dict]:
    """Visible text of an HTML page, indexes of its caption lines and of its lines of link text
    (related stories, "Read more:" pointers, menus left in the body), and its metadata."""
    p = _VisibleText()
    p.feed(source)
    p.close()
    text = "\n".join(p.lines)
    info: dict = {}
    ld = p.ld or {}

    def ld_text(key: str) -> str | None:
        v = ld.get(key)
        return " ".join(v.split()) or None if isinstance(v, str) else None
    found = [(v, where) for v, where in [*((p.meta.get(k), "html meta") for k in _DATE_META),
                                         (ld_text("datePublished"), "json-ld"), (p.meta.get("date"), "html meta"),
                                         (p.time, "html time")] if v]
    info["published"], info["published_source"] = found[0] if found else (None, "unknown")
    info["outlet"] = (p.meta.get("og:site_name") or p.meta.get("application-name")
                      or _ld_name(ld.get("publisher")) or _ld_name(ld.get("sourceOrganization")))
    author = p.meta.get("author") or p.meta.get("article:author")
    if author and author.startswith(("http://", "https://")):
        author = None                          # (a profile page's address, not a name)
    info["author"] = author or _ld_name(ld.get("author"))
    info["title"] = (p.h1 or p.meta.get("og:title") or ld_text("headline")
                     or (" ".join("".join(p.head_title).split()) or None))
    return text, p.captions, p.links, info


# ---------------------------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------------------------
_JSON_FIELDS = {
    # (news-please writes maintext and date_publish, trafilatura raw_text, newspaper publish_date)
    "text": ("text", "body", "content", "article", "articleBody", "article_body", "story", "full_text", "fulltext",
             "maintext", "raw_text", "article_text"),
    "title": ("title", "headline", "name", "heading"),
    "published": ("date", "published", "published_at", "publishedAt", "datePublished", "date_published",
                  "date_publish", "publish_date", "published_date", "pubDate", "pub_date", "publication_date",
                  "time", "timestamp", "created_at"),
    "outlet": ("outlet", "source", "site", "site_name", "sitename", "source_domain", "publisher", "publication",
               "domain", "website"),
    "author": ("author", "authors", "byline", "creator", "writer"),
    "url": ("url", "link", "href"),
}


def _field(obj: dict, name: str) -> str | None:
    """A JSON field by its name or a common alias, as a plain string."""
    lower = {k.lower(): v for k, v in obj.items()}
    for alias in _JSON_FIELDS[name]:
        v = obj.get(alias, lower.get(alias.lower()))
        if isinstance(v, dict):
            v = v.get("name") or v.get("title")
        if isinstance(v, list):
            v = ", ".join(str(x.get("name") if isinstance(x, dict) else x) for x in v if x)
        if isinstance(v, (int, float)) and name == "published":
            try:
                v = dt.datetime.fromtimestamp(v / 1000 if v > 1e11 else v, dt.timezone.utc).date().isoformat()
            except (OverflowError, OSError, ValueError):
                v = None
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


def _normalise_date(value: str | None) -> str | None:
    """'2021-07-07T10:00:00Z' / 'July 7, 2021' → '2021-07-07'; None when it is not a date."""
    if not value:
        return None
    m = re.match(r"\s*((?:19|20)\d\d)-(\d\d)-(\d\d)", value)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
        except ValueError:
            return None
    found = _find_date(value)
    if found:
        return found[0].isoformat()
    m = re.fullmatch(r"\s*((?:19|20)\d\d)(?:-(\d\d))?\s*", value)
    if m:
        return m[1] + (f"-{m[2]}" if m[2] else "")
    return None


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
_FRONT_OPEN = {"---": ("---", "..."), "+++": ("+++",)}     # YAML (Jekyll, Hugo, Pandoc), TOML (Hugo)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]\s*(.*)$")
_FRONT_MAX_LINES = 200


def _unquote(v: str) -> str:
    v = v.strip()
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1].replace('\\"', '"') if v[0] == '"' else v[1:-1]
    return v.strip()


def front_matter(text: str) -> tuple[int, dict] | None:
    """A metadata block at the top of a Markdown or text file (`---` YAML or `+++` TOML, as static
    site generators write it): (where the block ends, its keys -> values), or None without one.
    Only flat `key: value` (or `key = value`) lines, inline lists `[a, b]` and `- item` lists under
    a key are read; nested blocks are passed over. A block that never closes is no front matter."""
    first, _, rest = text.partition("\n")
    closes = _FRONT_OPEN.get(first.strip())
    if not closes or not rest:
        return None
    pos, fields, key = len(first) + 1, {}, None
    for n, line in enumerate(rest.split("\n")):
        end = pos + len(line) + 1
        body = line.rstrip("\r")
        if body.strip() in closes:
            return min(end, len(text)), fields
        if n >= _FRONT_MAX_LINES:
            return None
        m = _FRONT_KEY.match(body)
        if m:
            key, value = m.group(1).lower(), m.group(2).strip()
            if value.startswith("[") and value.endswith("]"):
                fields[key] = [_unquote(x) for x in value[1:-1].split(",") if _unquote(x)]
            elif value and value not in ("|", ">", "|-", ">-"):
                fields[key] = _unquote(value)
        elif key and (item := re.match(r"^\s+-\s+(.*)$", body)):
            value = _unquote(item.group(1))
            if value and ":" not in value:
                have = fields.get(key)
                fields[key] = [*have, value] if isinstance(have, list) else [value]
        elif body.strip() and not body.startswith((" ", "\t", "#")):
            return None                    # not key-value lines: a rule under a first line, not metadata
        pos = end
    return None


def article_from_text(text: str, article_id: str, file: str, *, fmt: str = "txt", sha256: str = "",
                      fields: dict | None = None, today: dt.date | None = None) -> Article:
    """Article from already-decoded text: boilerplate spans and metadata (explicit `fields` win).

    A Markdown or text file's front matter (`front_matter`) is boilerplate, and its title, date,
    outlet and author fill what explicit `fields` leave open."""
    front = front_matter(text) if fmt in ("md", "txt") else None
    if front is not None:
        end, block = front
        # (the block blanked with its line breaks kept: offsets and lines stay those of the file)
        spans, meta = _analyse(re.sub(r"[^\n]", " ", text[:end]) + text[end:], today=today)
        spans = _merge([Span(0, end, "front matter"), *spans])
        given = {k: _field(block, k) for k in ("title", "outlet", "author")}
        given["published"] = _normalise_date(_field(block, "published"))
        if given["published"]:
            given["published_source"] = "front matter"
        fields = {**given, **{k: v for k, v in (fields or {}).items() if v}}
    else:
        spans, meta = _analyse(text, today=today)
    fields = {k: v for k, v in (fields or {}).items() if v}
    published, source = meta.published, meta.published_source
    if fields.get("published"):
        published, source = fields["published"], fields.get("published_source", "field")
    title = fields.get("title") or meta.title
    if title:
        title = _split_site_suffix(title)[0]
    outlet = fields.get("outlet") or meta.outlet
    if not outlet and fields.get("title"):
        outlet = _split_site_suffix(fields["title"])[1]
    return Article(
        id=article_id, file=file, sha256=sha256 or hashlib.sha256(text.encode()).hexdigest(), text=text,
        format=fmt, title=title, outlet=outlet, author=fields.get("author") or meta.author,
        dateline=meta.dateline, published=published, published_source=source if published else "unknown",
        boilerplate=tuple(spans))


def _check_text(article: Article, display: str) -> Article:
    """IngestError when boilerplate covers every letter of the article, or when what it leaves is
    not English (`language.detect`: the rules that find claims, garbled sentences and conflicts
    read English only; judged on their own, every sentence of another language reads as garbled)."""
    from factcheck.stages.language import detect

    covered = bytearray(len(article.text))
    for s in article.boilerplate:
        covered[s.start:s.end] = b"\x01" * (s.end - s.start)
    if not any(ch.isalpha() and not covered[i] for i, ch in enumerate(article.text)):
        raise IngestError(display, "no article text left after removing boilerplate")
    kept, at = [], 0
    for b in sorted(article.boilerplate, key=lambda b: b.start):
        kept.append(article.text[at:b.start])
        at = max(at, b.end)
    verdict = detect(" ".join([*kept, article.text[at:]]))
    if not verdict.english:
        raise IngestError(display, verdict.problem(), refused_id=article.id)
    return article


def _from_json_object(obj: object, article_id: str, display: str, sha: str, today: dt.date | None) -> Article:
    """Article from one decoded JSON object."""
    if not isinstance(obj, dict):
        raise IngestError(display, f"expected a JSON object, found {type(obj).__name__}")
    body = _field(obj, "text")
    if not body:
        raise IngestError(display, "JSON object has no text field (text, body, content, articleBody)")
    fields = {k: _field(obj, k) for k in ("title", "outlet", "author")}
    fields["published"] = _normalise_date(_field(obj, "published"))
    art = article_from_text(body, article_id, display, fmt="json", sha256=sha, fields=fields, today=today)
    return _check_text(art, display)


def read_article(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES,
                 today: dt.date | None = None) -> Article:
    """Read one article file into an Article; raises IngestError for files that cannot be used."""
    path = Path(path)
    display = display or str(path)
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise IngestError(display, f"unsupported file type '{ext or '(none)'}' (use .txt, .md, .html, .json or .jsonl)")
    if ext == ".jsonl":
        articles, errors = read_articles(path, display, max_bytes=max_bytes, today=today)
        if errors:
            raise errors[0]
        if len(articles) != 1:
            raise IngestError(display, f"holds {len(articles)} articles; read it with read_articles")
        return articles[0]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise IngestError(display, f"too large ({size:,} bytes, limit {max_bytes:,} bytes)")
        raw = path.read_bytes()
    except OSError as e:
        raise IngestError(display, f"cannot read ({e.strerror or e})") from None
    text = _decode(raw, display, max_bytes)
    sha = hashlib.sha256(raw).hexdigest()
    if ext == ".json":
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as e:
            raise IngestError(display, f"invalid JSON ({e.msg} at line {e.lineno}, column {e.colno})") from None
        except RecursionError:
            raise IngestError(display, "invalid JSON (nested too deeply)") from None
        return _from_json_object(obj, path.stem, display, sha, today)
    if ext == ".html":
        visible, captions, links, info = _from_html(text)
        if not visible.strip():
            raise IngestError(display, "no visible text in the HTML page")
        fields = {"title": info.get("title"), "outlet": info.get("outlet"), "author": info.get("author"),
                  "published": _normalise_date(info.get("published")), "published_source": info["published_source"]}
        art = article_from_text(visible, path.stem, display, fmt="html", sha256=sha, fields=fields, today=today)
        if captions or links:
            lines = _lines(visible)
            extra = [Span(lines[i].start, lines[i].end, label) for label, at in (("caption", captions), ("link", links))
                     for i in sorted(at) if i < len(lines)]
            art = replace(art, boilerplate=tuple(_merge(list(art.boilerplate) + extra)))
        return _check_text(art, display)
    art = article_from_text(text, path.stem, display, fmt=SUPPORTED[ext], sha256=sha, today=today)
    return _check_text(art, display)


def read_articles(path: Path, display: str | None = None, *, max_bytes: int = MAX_BYTES,
                  today: dt.date | None = None) -> tuple[list[Article], list[IngestError]]:
    """All articles of a file (.jsonl: one a line, ids 'stem-N'); problems are returned, not raised."""
    path = Path(path)
    display = display or str(path)
    if path.suffix.lower() != ".jsonl":
        try:
            return [read_article(path, display, max_bytes=max_bytes, today=today)], []
        except IngestError as e:
            return [], [e]
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return [], [IngestError(display, f"too large ({size:,} bytes, limit {max_bytes:,} bytes)")]
        raw = path.read_bytes()
        text = _decode(raw, display, max_bytes)
    except IngestError as e:
        return [], [e]
    except OSError as e:
        return [], [IngestError(display, f"cannot read ({e.strerror or e})")]
    articles: list[Article] = []
    errors: list[IngestError] = []
    for n, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        where = f"{display}:{n}"
        try:
            obj = json.loads(line)
            articles.append(_from_json_object(obj, f"{path.stem}-{n}", where,
                                              hashlib.sha256(line.encode()).hexdigest(), today))
        except json.JSONDecodeError as e:
            errors.append(IngestError(where, f"line {n} is not valid JSON ({e.msg})"))
        except RecursionError:
            errors.append(IngestError(where, f"line {n} is not valid JSON (nested too deeply)"))
        except IngestError as e:
            errors.append(IngestError(where, f"line {n}: {e.problem}", refused_id=e.refused_id))
    return articles, errors
