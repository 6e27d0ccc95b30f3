"""`factcheck ci`: find the new or changed article files, check them against the thresholds.

In: the store after `pipeline.analyze` and the ids of the articles to check. Out: a `CIResult`
with one `ArticleCheck` per article; each finding carries character offsets into the article
text and the line/column they fall on in the file. Formatters render it as text, GitHub
workflow commands, SARIF 2.1.0, JUnit XML and a Markdown summary. Article text is untrusted:
every formatter escapes it for its own syntax.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import store
from .errors import FactcheckError
from .records import Article

if TYPE_CHECKING:
    from sqlite_utils import Database

    from .settings import CISettings, Settings

SUFFIXES = {".txt", ".md", ".html", ".htm", ".json", ".jsonl"}   # same as pipeline.SUFFIXES
KINDS = ("score", "conflict", "garble", "duplicate")
TOOL_URI = "https://github.com/factcheck/factcheck"
SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
RULES = {
    "score": ("LowScore", "The article's reliability score is below the minimum.",
              "The score adds corroborated and attributed claims and subtracts garbled sentences, "
              "single-source claims and open conflicts; see the terms in the message."),
    "conflict": ("Conflict", "A claim of the article conflicts with a claim of another article.",
                 "Open or confirmed conflicts at or above the severity threshold count, unless more "
                 "sources dispute the other side; conflicts a reviewer dismissed, or settled for this "
                 "article, never do. Review them with `factcheck review`."),
    "garble": ("Garbled", "A sentence reads as machine-rewritten or mistranslated.",
               "The article fails when the share of garbled sentences is above the maximum rate."),
    "duplicate": ("Duplicate", "The article copies another article.",
                  "Copies of one text are not independent sources."),
    "unreadable": ("Unreadable", "The article file could not be read.",
                   "Empty, binary, non-UTF-8 or too large files cannot be checked."),
}


# ---------------------------------------------------------------- records

@dataclass(frozen=True, slots=True)
class Finding:
    """One problem of one article, located in its file.

    `start`/`end` index the article text; `line`/`col` (1-based) are where `start` falls in the
    file, `end_line`/`end_col` where `end` falls. `exact` is False for HTML and JSON inputs, whose
    offsets index extracted text: their line is the file's first line (a .jsonl record's own line).
    """
    kind: str                    # score | conflict | garble | duplicate
    level: str                   # error (fails the check) | warning (reported, does not fail)
    message: str
    article_id: str
    file: str                    # the file to annotate, relative to the working folder when possible
    start: int
    end: int
    line: int
    col: int
    end_line: int
    end_col: int
    exact: bool = True


@dataclass(frozen=True, slots=True)
class ArticleCheck:
    """The verdict on one checked article file."""
    article_id: str
    file: str
    score: float | None = None
    sentences: int = 0
    garbled: int = 0
    conflicts: int = 0           # conflicts that count against the threshold
    findings: tuple[Finding, ...] = ()

    @property
    def passed(self) -> bool:
        return not any(f.level == "error" for f in self.findings)

    @property
    def garble_rate(self) -> float:
        return self.garbled / self.sentences if self.sentences else 0.0


@dataclass(frozen=True, slots=True)
class CIResult:
    """All checked articles, the thresholds used, and files that could not be checked."""
    checks: tuple[ArticleCheck, ...]
    thresholds: CISettings
    errors: tuple[str, ...] = ()         # "path: problem; skipped", one per unreadable file
    timings: dict = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [f for c in self.checks for f in c.findings]

    @property
    def failed(self) -> list[ArticleCheck]:
        return [c for c in self.checks if not c.passed]

    @property
    def exit_code(self) -> int:
        """3 when a checked article fails a threshold, else 1 when a file could not be read, else 0."""
        if self.failed:
            return 3
        return 1 if self.errors else 0


# ---------------------------------------------------------------- which files

def _display(path: Path, cwd: Path) -> Path:
    """`path` relative to `cwd` when it is inside it (annotations need repository paths)."""
    try:
        return path.resolve().relative_to(cwd.resolve())
    except ValueError:
        return path


def _git(args: Sequence[str], cwd: Path) -> str:
    try:
        out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise FactcheckError("--since needs git, and git is not installed") from None
    if out.returncode != 0:
        raise _GitError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "git failed")
    return out.stdout


class _GitError(Exception):
    pass


def changed_since(ref: str, folder: Path, cwd: Path | None = None) -> list[Path]:
    """Article files under `folder` changed since `ref` (from its merge base with HEAD), untracked ones too."""
    cwd = cwd or Path.cwd()
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], cwd).strip())
    except _GitError:
        raise FactcheckError(f"--since {ref}: {cwd} is not inside a git repository") from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    except _GitError:
        raise FactcheckError(f"--since {ref}: unknown revision; fetch it first (in GitHub Actions: "
                             "actions/checkout with fetch-depth: 0)") from None
    try:  # a branch compares with where it left `ref`, so changes made on `ref` since are not ours
        base = _git(["merge-base", ref, "HEAD"], cwd).strip()
    except _GitError:
        base = ref
    spec = str(folder)
    names = _git(["diff", "--name-only", "-z", "--diff-filter=d", base, "--", spec], cwd).split("\0")
    names += _git(["ls-files", "--others", "--exclude-standard", "-z", "--", spec], cwd).split("\0")
    files = []
    for name in dict.fromkeys(n for n in names if n):
        p = top / name
        if p.suffix.lower() in SUFFIXES and p.is_file():
            files.append(_display(p, cwd))
    return sorted(files)


def find_changed(db: Database, paths: Sequence[Path] = (), *, since: str | None = None,
                 folder: Path = Path("seeds"), cwd: Path | None = None, max_bytes: int = 5_000_000) -> list[Path]:
    """The article files to check: explicit `paths`, else those changed `since` a git ref, else
    the files under `folder` that the store does not hold with this content (`max_bytes`: the
    settings' limit; a larger file is never stored)."""
    cwd = cwd or Path.cwd()
    if paths:
        from .pipeline import expand_paths
        files, errors = expand_paths(paths)
        # (a path that is not there or not a readable file; a folder without articles is not fatal)
        missing = [e for e in errors if not e.endswith("in this folder")]
        if missing:
            raise FactcheckError("; ".join(missing))
        return [_display(p, cwd) for p in dict.fromkeys(files)]
    if since:
        return changed_since(since, folder, cwd)
    if not folder.is_dir():
        raise FactcheckError(f"{folder}: no such folder; give article PATHs, --since REF or --dir")
    from .pipeline import FileIds, StoredHashes, expand_paths
    files, _ = expand_paths([folder])
    ids = FileIds(db, len(files))       # (as ingest tells the files it need not read)
    known = StoredHashes(db, len(files), rows=ids)
    return [_display(p, cwd) for p in files if ids.check(p, str(p.resolve()), known, max_bytes)[2] is None]


# ---------------------------------------------------------------- locating

_JSONL_FILE = re.compile(r"^(?P<path>.*\.jsonl):(?P<line>\d+)$", re.I)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _annotation_file(file: str) -> str:
    m = _JSONL_FILE.match(file)
    path = m.group("path") if m else file
    return path.replace(os.sep, "/") if os.sep != "/" else path


def locate(article: Article | None, file: str, kind: str, level: str, message: str,
           start: int = 0, end: int = 0) -> Finding:
    """A finding at `article.text[start:end]`, with the line and column of that span in the file."""
    m = _JSONL_FILE.match(file)
    aid = article.id if article else Path(_annotation_file(file)).stem
    fmt = article.format if article else ""
    if article is not None and fmt in ("txt", "md") and not m:
        line, col = _line_col(article.text, start)
        end_line, end_col = _line_col(article.text, max(start, end))
        return Finding(kind, level, message, aid, _annotation_file(file), start, end,
                       line, col, end_line, end_col, exact=True)
    line = int(m.group("line")) if m else 1      # HTML/JSON offsets index extracted text
    return Finding(kind, level, message, aid, _annotation_file(file), start, end, line, 1, line, 1,
                   exact=False)


# ---------------------------------------------------------------- the check

_TERM_NAMES = {"garbled": "garbled sentences", "single_source": "single-source claims",
               "conflicts": "open conflicts", "reviews": "review decisions"}


def _score_message(score, minimum: float) -> str:
    lowered = sorted(((v, k) for k, v in score.terms.items() if v < 0))
    why = ", ".join(f"{_TERM_NAMES.get(k, k)} {v:+.2f}" for v, k in lowered) or "few corroborated claims"
    c = score.counts
    corr = f"; {c.get('corroborated', 0)}/{c.get('claims', 0)} claims corroborated" if "claims" in c else ""
    return f"article score {score.score:.2f} is below the minimum {minimum:.2f} (lowered by {why}{corr})"


def check(db: Database, article_ids: Iterable[str], settings: Settings | CISettings, *,
          refused: Mapping[str, str] | None = None, errors: Sequence[str] = (),
          whole_store: bool = False) -> CIResult:
    """Check stored, analysed articles against the `[tool.factcheck.ci]` thresholds.

    `refused`: files ingest refused as exact copies (file -> id of the stored article they copy);
    `errors`: files that could not be read, reported as they are. `whole_store`: read every
    row instead of the checked articles' rows (the reference the targeted reads must equal).
    """
    ci = getattr(settings, "ci", settings)
    ids = list(dict.fromkeys(article_ids))
    if whole_store:
        every = {a.id: a for a in store.load_articles(db)}
        missing = [i for i in ids if i not in every]
        if missing:
            raise FactcheckError(f"{', '.join(missing)}: not in the claims store; ingest the file first")
        scores = store.load_scores(db)
        unscored = [every[i].file for i in ids if i not in scores]
        if unscored:
            raise FactcheckError(f"{', '.join(unscored)}: not analysed yet; run `factcheck analyze`")
        fluency = store.load_fluency(db)
        claims = {c.id: c for c in store.load_claims(db)}
        statuses = store.conflict_status(db)
        support = {cid: k.independent_sources for k in store.load_clusters(db) for cid in k.claim_ids}
        origins = store.load_origins(db)
        conflicts = [x for x in store.load_conflicts(db) if x.status != "dismissed"]
    else:
        # only the checked articles' rows (indexed look-ups), never the whole store: their claims,
        # the conflicts touching them and those touching the other sides (who disputes what), the
        # clusters of those claims, the origins of the articles involved
        every = {a.id: a for a in store.load_articles(db, ids)}
        missing = [i for i in ids if i not in every]
        if missing:
            raise FactcheckError(f"{', '.join(missing)}: not in the claims store; ingest the file first")
        scores = store.load_scores(db, ids)
        unscored = [every[i].file for i in ids if i not in scores]
        if unscored:
            raise FactcheckError(f"{', '.join(unscored)}: not analysed yet; run `factcheck analyze`")
        claims = {c.id: c for aid in ids for c in store.load_claims(db, aid)}
        first = store.load_conflicts_touching(db, claims)
        others = {c for x in first for c in (x.a, x.b)} - set(claims)
        second = store.load_conflicts_touching(db, others) if others else []
        every_conflict = {x.id: x for x in first + second}
        claims.update((c.id, c) for c in store.load_claims_by_id(
            db, {c for x in every_conflict.values() for c in (x.a, x.b)} - set(claims)))
        statuses = store.conflict_status(db)
        support = {cid: k.independent_sources for k in store.load_clusters_of(db, claims) for cid in k.claim_ids}
        fluency = {k: f for aid in ids for k, f in store.load_fluency_of(db, aid).items()}
        origins = store.load_origins_of(db, {c.article_id for c in claims.values()} | set(ids))
        conflicts = sorted((x for x in every_conflict.values() if x.status != "dismissed"),
                           key=lambda x: (-x.severity, x.id))
        groups = {origins[a] for a in ids if a in origins}
        members = {o: g for g in groups for o in store.origin_members(db, g)}
        origins.update(members)
        wanted = {c.article_id for x in first for c in (claims.get(x.a), claims.get(x.b)) if c}
        wanted |= set(members) | set((refused or {}).values())
        every.update((a.id, a) for a in store.load_articles(db, wanted - set(every)))

    def origin(aid: str) -> str:
        return origins.get(aid, aid)

    # who disputes a claim: the origins of the articles on the other side of its conflicts. The
    # side disputed by more independent sources is the outlier; agreeing with the many never fails.
    disputed_by: dict[str, set[str]] = {}
    for x in conflicts:
        a, b = claims.get(x.a), claims.get(x.b)
        if a is not None and b is not None:
            disputed_by.setdefault(a.id, set()).add(origin(b.article_id))
            disputed_by.setdefault(b.id, set()).add(origin(a.article_id))

    checks = []
    for aid in ids:
        art = every[aid]
        findings: list[Finding] = []
        sc = scores[aid]

        # garbled sentences: the rate is over body sentences, as in the score
        sents = store.load_sentences(db, aid)
        body = [s for s in sents if s.kind == "body"] or sents
        garbled = [s for s in body if s.id in fluency and fluency[s.id].garbled]
        rate = len(garbled) / len(body) if body else 0.0
        level = "error" if rate > ci.max_garble_rate else "warning"
        for s in garbled:
            f = fluency[s.id]
            msg = (f"garbled sentence (garble score {f.score:.2f}): {'; '.join(f.reasons) or 'no reason given'}"
                   f" [{len(garbled)}/{len(body)} sentences garbled ({rate:.0%}), "
                   f"{'above' if level == 'error' else 'within'} the maximum {ci.max_garble_rate:.0%}]")
            findings.append(locate(art, art.file, "garble", level, msg, s.start, s.end))

        # conflicts: one finding per side in this article; dismissed ones never count, nor those a
        # reviewer settled in this article's favour; below `severity` they are only reported
        counted, minor = [], []
        for x in conflicts:
            decision = statuses.get(x.id, ("open", None))[1]
            for mine_id, span, theirs_id, side in ((x.a, x.a_span, x.b, "a"), (x.b, x.b_span, x.a, "b")):
                mine, theirs = claims.get(mine_id), claims.get(theirs_id)
                if mine is None or mine.article_id != aid:
                    continue
                if x.status == "confirmed" and decision == side:
                    continue
                start, end = (span if span and 0 <= span[0] <= span[1] <= len(art.text)
                              else (mine.start, mine.end))
                other = every.get(theirs.article_id) if theirs else None
                where = ""
                if other is not None:
                    ol, _ = _line_col(other.text, theirs.start) if other.format in ("txt", "md") else (1, 1)
                    where = f"; other side: {_annotation_file(other.file)} line {ol}"
                    backers = support.get(theirs.id, 1)
                    if backers > support.get(mine.id, 1):
                        where += f", backed by {backers} independent sources"
                msg = f"conflict ({x.kind}, severity {x.severity:.2f}, {x.status}): {x.explanation}{where}"
                against_me = len(disputed_by.get(mine.id, ()))
                against_them = len(disputed_by.get(theirs.id, ())) if theirs else 0
                if x.severity < ci.severity:
                    minor.append((start, end, msg + f" [below the severity threshold {ci.severity:.2f}]"))
                elif against_them > against_me:
                    minor.append((start, end, msg + f" [the other side is disputed by more sources "
                                                    f"({against_them}) than this article's ({against_me})]"))
                else:
                    counted.append((start, end, msg))
        over = len(counted) > ci.max_conflicts
        for start, end, msg in counted:
            msg += (f" [{len(counted)} conflicts at severity >= {ci.severity:.2f}, "
                    f"{'more than' if over else 'within'} the maximum {ci.max_conflicts}]")
            findings.append(locate(art, art.file, "conflict", "error" if over else "warning", msg, start, end))
        for start, end, msg in minor:
            findings.append(locate(art, art.file, "conflict", "warning", msg, start, end))

        # copies: articles of one origin group (near-identical sentences) are not independent
        group = origins.get(aid)
        copies = sorted(o for o, g in origins.items() if g == group and o != aid and o in every) if group else []
        if copies:
            names = ", ".join(_annotation_file(every[o].file) for o in copies[:5])
            more = f" and {len(copies) - 5} more" if len(copies) > 5 else ""
            findings.append(locate(art, art.file, "duplicate", "error" if ci.fail_on_duplicates else "warning",
                                   f"copies {names}{more} (most of its sentences are near-identical); "
                                   "a copy is not an independent source", 0, 0))

        if sc.score < ci.min_score:
            findings.append(locate(art, art.file, "score", "error", _score_message(sc, ci.min_score), 0, 0))

        findings.sort(key=lambda f: (f.line, f.col, KINDS.index(f.kind)))
        checks.append(ArticleCheck(aid, _annotation_file(art.file), sc.score, len(body), len(garbled),
                                   len(counted), tuple(findings)))

    for file, original in (refused or {}).items():
        other = every.get(original)
        name = _annotation_file(other.file) if other else original
        f = locate(None, file, "duplicate", "error" if ci.fail_on_duplicates else "warning",
                   f"exact copy of {name} (same content); not ingested")
        checks.append(ArticleCheck(f.article_id, _annotation_file(file), findings=(f,)))
    return CIResult(tuple(checks), ci, tuple(e for e in errors if e))


# ---------------------------------------------------------------- formatters

def _thresholds(ci) -> str:
    return (f"score >= {ci.min_score:.2f}; at most {ci.max_conflicts} conflict(s) at severity >= "
            f"{ci.severity:.2f}; garble rate <= {ci.max_garble_rate:.0%}; duplicates "
            f"{'fail' if ci.fail_on_duplicates else 'warn'}")


def verdict(result: CIResult) -> str:
    """One line: how many articles were checked and how many failed."""
    n, bad = len(result.checks), len(result.failed)
    if not n and not result.errors:
        return "no new or changed article files; nothing to check"
    parts = [f"{n} article(s) checked", f"{bad} failed" if bad else "all passed"]
    if result.errors:
        parts.append(f"{len(result.errors)} file(s) could not be read")
    return ", ".join(parts)


def _stats(c: ArticleCheck) -> str:
    score = f"score {c.score:.2f}" if c.score is not None else "score -"
    return (f"{score}, {c.conflicts} conflict(s), garbled {c.garbled}/{c.sentences} "
            f"({c.garble_rate:.0%})")


def to_text(result: CIResult) -> str:
    """Plain text for a terminal or a log: a verdict per article, then its findings."""
    out = [f"factcheck ci: {verdict(result)}", f"thresholds: {_thresholds(result.thresholds)}"]
    for c in result.checks:
        out.append(f"{'PASS' if c.passed else 'FAIL'} {c.file}  {_stats(c)}")
        for f in c.findings:
            out.append(f"  {f.file}:{f.line}:{f.col}: {f.level} [{f.kind}] {_one_line(f.message)}")
    for e in result.errors:
        out.append(f"ERROR {_one_line(e)}")
    return "\n".join(out) + "\n"


def _one_line(s: str) -> str:
    return " ".join(s.split())


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def to_github(result: CIResult) -> str:
    """GitHub Actions workflow commands: one ::error/::warning annotation per finding."""
    out = []
    for f in result.findings:
        props = [f"file={_gh_prop(f.file)}", f"line={f.line}"]
        if f.exact:
            props.append(f"col={f.col}")
            if f.end_line != f.line or f.end_col != f.col:
                props += [f"endLine={f.end_line}", f"endColumn={f.end_col}"]
        props.append(f"title={_gh_prop('factcheck ' + f.kind)}")
        out.append(f"::{f.level} {','.join(props)}::{_gh_data(_one_line(f.message))}")
    for e in result.errors:
        path = e.split(": ", 1)[0]
        out.append(f"::error file={_gh_prop(_annotation_file(path))},line=1,title=factcheck::"
                   f"{_gh_data(_one_line(e))}")
    out.append(f"::notice title=factcheck ci::{_gh_data(verdict(result))}")
    return "\n".join(out) + "\n"


def sarif_log(result: CIResult, version: str = "0.1.0") -> dict:
    """The result as a SARIF 2.1.0 log (a dict ready for json.dumps)."""
    kinds = list(RULES)
    rules = [{"id": f"factcheck/{k}", "name": RULES[k][0],
              "shortDescription": {"text": RULES[k][1]}, "fullDescription": {"text": RULES[k][2]},
              "defaultConfiguration": {"level": "error"}} for k in kinds]
    results = []
    for f in result.findings:
        region = {"startLine": f.line}
        if f.exact:
            region.update(startColumn=f.col, endLine=f.end_line, endColumn=f.end_col,
                          charOffset=f.start, charLength=max(0, f.end - f.start))
        results.append({
            "ruleId": f"factcheck/{f.kind}", "ruleIndex": kinds.index(f.kind), "level": f.level,
            "message": {"text": _one_line(f.message)},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": _uri(f.file)},
                                                "region": region}}],
        })
    for e in result.errors:
        results.append({"ruleId": "factcheck/unreadable", "ruleIndex": kinds.index("unreadable"),
                        "level": "error", "message": {"text": _one_line(e)},
                        "locations": [{"physicalLocation": {
                            "artifactLocation": {"uri": _uri(_annotation_file(e.split(": ", 1)[0]))},
                            "region": {"startLine": 1}}}]})
    return {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "factcheck", "version": version,
                                      "informationUri": TOOL_URI, "rules": rules}},
                  "columnKind": "unicodeCodePoints", "results": results}],
    }


def _uri(path: str) -> str:
    from urllib.parse import quote
    return quote(path.replace("\\", "/"), safe="/")


def to_sarif(result: CIResult, version: str = "0.1.0") -> str:
    """SARIF 2.1.0 JSON (validated against the schema in tests/data/)."""
    return json.dumps(sarif_log(result, version), ensure_ascii=False, indent=1) + "\n"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml(s: str) -> str:
    return _XML_BAD.sub("\ufffd", s)


def to_junit(result: CIResult) -> str:
    """JUnit XML: one testcase per checked article, one failure element per failing finding."""
    import xml.etree.ElementTree as ET

    cases = len(result.checks) + len(result.errors)
    failures, errors = len(result.failed), len(result.errors)
    root = ET.Element("testsuites", name="factcheck ci", tests=str(cases), failures=str(failures),
                      errors=str(errors))
    suite = ET.SubElement(root, "testsuite", name="factcheck ci", tests=str(cases),
                          failures=str(failures), errors=str(errors), skipped="0")
    props = ET.SubElement(suite, "properties")
    for k in ("min_score", "max_conflicts", "severity", "max_garble_rate", "fail_on_duplicates"):
        ET.SubElement(props, "property", name=k, value=str(getattr(result.thresholds, k)))
    for c in result.checks:
        case = ET.SubElement(suite, "testcase", classname="factcheck.ci", name=_xml(c.file), file=_xml(c.file))
        warnings = []
        for f in c.findings:
            where = f"{f.file}:{f.line}:{f.col}"
            if f.level == "error":
                el = ET.SubElement(case, "failure", type=f.kind, message=_xml(_one_line(f.message)))
                el.text = _xml(f"{where}: {f.message}")
            else:
                warnings.append(f"{where}: warning [{f.kind}] {_one_line(f.message)}")
        out = ET.SubElement(case, "system-out")
        out.text = _xml("\n".join([_stats(c)] + warnings))
    for e in result.errors:
        case = ET.SubElement(suite, "testcase", classname="factcheck.ci", name=_xml(e.split(": ", 1)[0]))
        ET.SubElement(case, "error", type="unreadable", message=_xml(_one_line(e)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def _md(s: str) -> str:
    """Untrusted text for Markdown: no markup, no HTML, one line."""
    import html
    return _MD_SPECIAL.sub(r"\\\1", html.escape(_one_line(s), quote=False)).replace("@", "&#64;")


def _md_code(s: str) -> str:
    return "`" + s.replace("`", "'") + "`"


def to_summary_md(result: CIResult, limit: int = 20) -> str:
    """A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY."""
    ok = not result.failed and not result.errors
    out = [f"## factcheck ci: {'✅' if ok else '❌'} {_md(verdict(result))}", "",
           f"Thresholds: {_md(_thresholds(result.thresholds))}", ""]
    if result.checks:
        out += ["| Article | Result | Score | Conflicts | Garbled | Duplicate |", "|---|---|---|---|---|---|"]
        for c in result.checks:
            dup = "yes" if any(f.kind == "duplicate" for f in c.findings) else "–"
            out.append(f"| {_md_code(c.file)} | {'✅ pass' if c.passed else '❌ fail'} | "
                       f"{f'{c.score:.2f}' if c.score is not None else '–'} | {c.conflicts} | "
                       f"{c.garbled}/{c.sentences} ({c.garble_rate:.0%}) | {dup} |")
        out.append("")
    for c in result.checks:
        errors = [f for f in c.findings if f.level == "error"]
        warnings = [f for f in c.findings if f.level != "error"]
        if not c.findings:
            continue
        out.append(f"### {_md_code(c.file)}")
        for f in errors[:limit]:
            out.append(f"- **{f.kind}**, line {f.line}: {_md(f.message)}")
        if len(errors) > limit:
            out.append(f"- … and {len(errors) - limit} more")
        if warnings:
            out += ["", f"<details><summary>{len(warnings)} warning(s)</summary>", ""]
            out += [f"- {f.kind}, line {f.line}: {_md(f.message)}" for f in warnings[:limit]]
            if len(warnings) > limit:
                out.append(f"- … and {len(warnings) - limit} more")
            out += ["", "</details>"]
        out.append("")
    if result.errors:
        out.append("### Files that could not be read")
        out += [f"- {_md(e)}" for e in result.errors]
        out.append("")
    return "\n".join(out)


FORMATTERS = {"text": to_text, "github": to_github, "sarif": to_sarif, "junit": to_junit}
