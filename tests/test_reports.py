"""Reports: built from a hand-made store (no model); escaping, determinism, ranking, chart, ClaimReview."""
from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from factcheck import reports, store
from factcheck.cli import app
from factcheck.errors import FactcheckError
from factcheck.records import (Article, Claim, Cluster, Conflict, Fluency, Score, Sentence,
                               stable_id)
from factcheck.report_cli import register
from factcheck.settings import Settings

if "report" not in {c.name for c in app.registered_commands}:
    register(app)                  # until cli.py registers it itself

TEXTS = {
    "000_aaa": "Lavrov met Marsudi in Jakarta on Tuesday. Russia sold 5 jets to Myanmar.\n"
               "Lavrov lavrov said said the the thing thing. <script>alert(1)</script> and [bold]x[/bold] | *a* _b_ `c`.",
    "001_bbb": "Lavrov met Marsudi in Jakarta. Russia sold 7 jets to Myanmar.",
    "002_ccc": "Lavrov met Marsudi in Jakarta last week. The talks lasted two hours.",
}
META = {"000_aaa": ("Spun News", None, "unknown"),
        "001_bbb": ("The Business Standard", "2022-08-03", "date line"),
        "002_ccc": ("Global Issues", "2022-08", "copyright year")}


def _sentences(aid: str, text: str) -> list[Sentence]:
    out, start = [], 0
    for i, m in enumerate(re.finditer(r"[^.\n]+[.\n]?", text)):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            out.append(Sentence(stable_id(aid, str(s), str(e)), aid, len(out), s, e, text[s:e]))
    return out


def _claim(aid: str, sent: Sentence, idx: int, speaker=None) -> Claim:
    return Claim(stable_id(aid, str(sent.start), str(sent.end)), aid, sent.id, idx, sent.start,
                 sent.end, sent.text, sent.text, speaker)


@pytest.fixture
def built(db):
    """Three articles: 000 garbled and hostile, 000/001 conflict on a number, all three corroborate one claim."""
    sents, claims = {}, {}
    for aid, text in TEXTS.items():
        outlet, published, source = META[aid]
        art = Article(aid, f"seeds/{aid}.txt", stable_id(text), text, title=f"Title of {aid}",
                      outlet=outlet, published=published, published_source=source)
        sents[aid] = _sentences(aid, text)
        claims[aid] = [_claim(aid, s, i, "Lavrov" if i == 0 else None) for i, s in enumerate(sents[aid])]
        store.save_article(db, art, sents[aid], claims[aid])
    met = [claims[a][0] for a in TEXTS]
    sold = [claims["000_aaa"][1], claims["001_bbb"][1]]
    clusters = [Cluster("k1", tuple(c.id for c in met), tuple(TEXTS), 3),
                Cluster("k2", tuple(c.id for c in sold), ("000_aaa", "001_bbb"), 2)]
    t0, t1 = TEXTS["000_aaa"], TEXTS["001_bbb"]
    x = Conflict("x1", sold[0].id, sold[1].id, "number", 0.8, "000 says '5 jets' where 001 says '7 jets'",
                 a_span=(t0.index("5 jets"), t0.index("5 jets") + 6),
                 b_span=(t1.index("7 jets"), t1.index("7 jets") + 6))
    garbled = [s for s in sents["000_aaa"] if "said said" in s.text or "script" in s.text]
    fluency = [Fluency(s.id, 0.9, True, ("repeated words: said said", "<b>markup</b> in text"))
               for s in garbled]
    scores = [Score("001_bbb", 0.71, {"claims": 2, "corroborated": 1, "sentences": 2},
                    {"base": 0.55, "corroborated": 0.175, "conflicts": -0.064}),
              Score("000_aaa", 0.2, {"claims": 4, "corroborated": 1, "sentences": 4,
                                     "garbled_sentences": 2},
                    {"base": 0.55, "garbled": -0.3, "conflicts": -0.064}),
              Score("002_ccc", 0.5, {"claims": 2}, {"base": 0.55, "single_source": -0.05})]
    all_claims = [c for cs in claims.values() for c in cs]
    all_sents = [s for ss in sents.values() for s in ss]
    store.save_analysis(db, fluency=fluency, sentence_article={s.id: s.article_id for s in all_sents},
                        facts={}, claim_article={c.id: c.article_id for c in all_claims},
                        origins={a: a for a in TEXTS}, clusters=clusters, conflicts=[x],
                        fingerprints={"x1": "fp"}, scores=scores, state={"corpus": "c0ffee"})
    return db, claims


def _render_all(db, out, formats=("md", "html", "json")):
    return reports.write_reports(db, Settings(), out, list(formats))


def test_write_reports_writes_every_page(built, tmp_path):
    db, _ = built
    n = _render_all(db, tmp_path / "r")
    names = sorted(p.name for p in (tmp_path / "r").iterdir() if p.name != reports.MANIFEST)
    assert n == 3 * 3 + 2 == len(names)
    assert sorted(json.loads((tmp_path / "r" / reports.MANIFEST).read_text())) == names
    assert "index.html" in names and "index.md" in names and "000_aaa.json" in names
    assert not [p for p in names if p.endswith(".tmp")]


def test_article_text_is_escaped_never_markup(built, tmp_path):
    db, _ = built
    _render_all(db, tmp_path / "r")
    page = (tmp_path / "r" / "000_aaa.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "[bold]x[/bold]" in page
    assert "<b>markup</b>" not in page and "&lt;b&gt;markup&lt;/b&gt;" in page
    md = (tmp_path / "r" / "000_aaa.md").read_text()
    assert "<script>" not in md and r"\<script\>alert(1)\</script\>" in md
    assert r"\[bold\]x\[/bold\]" in md and r"\| \*a\* \_b\_ \`c\`" in md
    data = json.loads((tmp_path / "r" / "000_aaa.json").read_text())
    assert any("<script>alert(1)</script>" in s["text"] for s in data["garbled_sentences"])


def test_markdown_lines_fit_80_columns_except_links(built, tmp_path):
    db, _ = built
    _render_all(db, tmp_path / "r", ["md"])
    for name in ("000_aaa.md", "index.md"):
        for line in (tmp_path / "r" / name).read_text().splitlines():
            assert len(line) <= 80 or "](" in line, line


def test_same_store_same_bytes(built, tmp_path):
    db, _ = built
    _render_all(db, tmp_path / "one")
    _render_all(db, tmp_path / "two")
    for p in sorted((tmp_path / "one").iterdir()):
        assert p.read_bytes() == (tmp_path / "two" / p.name).read_bytes(), p.name


def test_index_ranks_by_score_and_has_one_bar_per_article(built, tmp_path):
    db, _ = built
    _render_all(db, tmp_path / "r")
    page = (tmp_path / "r" / "index.html").read_text()
    order = [page.index(f'href="{a}.html"') for a in ("001_bbb", "002_ccc", "000_aaa")]
    assert order == sorted(order)
    svg = re.search(r"<svg class=\"chart\".*?</svg>", page, re.S).group(0)
    assert svg.count('<g class="bar"') == 3
    assert re.findall(r'data-article="([^"]+)"', svg) == ["001_bbb", "002_ccc", "000_aaa"]
    assert all(label in svg for label in ("corroborated", "conflicting", "single-source", "garbled"))
    assert "<script" not in page
    md = (tmp_path / "r" / "index.md").read_text()
    assert md.index("001_bbb.md") < md.index("002_ccc.md") < md.index("000_aaa.md")


def test_article_page_shows_claims_conflicts_garbled_and_weights(built, tmp_path):
    db, claims = built
    _render_all(db, tmp_path / "r")
    page = (tmp_path / "r" / "000_aaa.html").read_text()
    met_001 = claims["001_bbb"][0]
    assert f'href="001_bbb.html#c-{met_001.id}"' in page          # link to the other quote
    assert f'id="c-{claims["000_aaa"][0].id}"' in page            # anchor others link to
    assert "<mark>5 jets</mark>" in page and "<mark>7 jets</mark>" in page
    assert "by 2 other independent sources" in page
    assert "repeated words: said said" in page
    for name, value in (("conflict_cap", "0.30"), ("garbled", "0.60"), ("review_wrong", "0.10")):
        assert f"<code>{name}</code></td><td class=\"num\">{value}</td>" in page
    md = (tmp_path / "r" / "000_aaa.md").read_text()
    assert "**5 jets**" in md and "**7 jets**" in md
    assert "(001_bbb.md#c-" in md
    data = json.loads((tmp_path / "r" / "000_aaa.json").read_text())
    assert data["score"] == 0.2 and data["terms"]["garbled"] == -0.3
    assert data["weights"]["conflict_cap"] == 0.3
    statuses = {c["label"]: c["status"] for c in data["claims"]}
    assert statuses["C1"] == "corroborated" and statuses["C2"] == "conflicting"
    assert data["conflicts"][0]["this"]["span"]["text"] == "5 jets"


def test_only_named_articles_and_unknown_ids_are_named(built, tmp_path):
    db, _ = built
    n = reports.write_reports(db, Settings(), tmp_path / "r", ["html"], articles=["001"])
    assert n == 2 and sorted(p.name for p in (tmp_path / "r").iterdir() if p.name != reports.MANIFEST) \
        == ["001_bbb.html", "index.html"]
    # a report of some articles never deletes the pages of the others
    _render_all(db, tmp_path / "all")
    reports.write_reports(db, Settings(), tmp_path / "all", ["html"], articles=["001"])
    assert (tmp_path / "all" / "000_aaa.html").exists() and (tmp_path / "all" / "000_aaa.md").exists()
    with pytest.raises(FactcheckError, match="nope, 999"):
        reports.write_reports(db, Settings(), tmp_path / "r", ["html"], articles=["nope", "001", "999"])


def test_claimreview_for_decided_conflicts(built):
    db, claims = built
    assert reports.claimreview(db) == []
    store.add_review(db, "x1", "b", note="AP says seven", reviewer="ana", fingerprint="fp")
    (review,) = reports.claimreview(db)
    assert review["@type"] == "ClaimReview" and review["@context"] == "https://schema.org"
    assert review["claimReviewed"] == claims["000_aaa"][1].text          # the side found wrong
    assert review["itemReviewed"]["author"]["name"] == "Spun News"
    assert review["itemReviewed"]["appearance"]["url"] == "seeds/000_aaa.txt"
    assert review["reviewRating"]["alternateName"] == "Incorrect"
    assert "AP says seven" in review["reviewBody"] and review["author"]["name"] == "ana"
    corpus = reports.load_corpus(db)
    assert "a reviewer found this article wrong" in reports.render_html(corpus, "000_aaa", {})
    assert "a reviewer found this article right" in reports.render_markdown(corpus, "001_bbb", {})
    store.add_review(db, "x1", "not-conflict", reviewer="ana", fingerprint="fp")
    (review,) = reports.claimreview(db)
    assert review["reviewRating"]["alternateName"] == "Not a conflict"
    json.dumps(review)


def test_report_cli_unknown_id_is_one_line(built, tmp_path):
    db, _ = built
    db_path = tmp_path / "fc.db"
    res = CliRunner().invoke(app, ["report", "999_zzz", "--db", str(db_path), "--out", str(tmp_path / "r")])
    assert res.exit_code == 1
    assert res.stderr.strip().count("\n") == 0 and "999_zzz" in res.stderr
    res = CliRunner().invoke(app, ["report", "000", "--format", "md", "--db", str(db_path),
                                   "--out", str(tmp_path / "r")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r" / "000_aaa.md").is_file()


def test_report_cli_bad_format_is_usage_error(built, tmp_path):
    res = CliRunner().invoke(app, ["report", "--format", "pdf", "--db", str(tmp_path / "fc.db")])
    assert res.exit_code == 2 and "pdf" in res.stderr


def test_report_help():
    res = CliRunner().invoke(app, ["report", "--help"])
    assert res.exit_code == 0 and "--format" in res.stdout


def test_md_escape_neutralises_markup():
    assert reports.md_escape("a|b *c* _d_ [e](f) <g> `h`") == r"a\|b \*c\* \_d\_ \[e\](f) \<g\> \`h\`"
    wrapped = reports.md_wrap("x " * 39 + "# not a heading 1. not a list", indent="  ")
    assert all(not line.lstrip().startswith("#") for line in wrapped.splitlines())
