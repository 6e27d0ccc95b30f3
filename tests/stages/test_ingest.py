"""Ingest: decoding errors, formats, boilerplate and metadata on the seeds and on a made-up page."""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from factcheck.errors import IngestError
from factcheck.stages.ingest import read_article, read_articles
from factcheck.stages.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.gold.json").read_text(encoding="utf-8"))
TODAY = dt.date(2026, 1, 1)          # pins the dateline-year inference (no future dates) for the tests


def seed(prefix: str):
    """The seed article whose file name starts with `prefix`."""
    return read_article(next(p for p in SEEDS if p.name.startswith(prefix)), today=TODAY)


def covered(article, start: int, end: int) -> bool:
    """True when [start, end) lies inside the union of boilerplate spans."""
    return all(any(s.start <= i < s.end for s in article.boilerplate) for i in range(start, end))


# --- seeds: metadata ------------------------------------------------------------------------
def test_seed_000_has_no_date_and_site_suffix_is_outlet():
    a = seed("000")
    assert a.published is None and a.published_source == "unknown"
    assert a.title == "Russia backs ASEAN alliance on Myanmar crisis"
    assert a.outlet == "ASEAN News"
    assert a.id == SEEDS[0].stem and a.file == str(SEEDS[0])


def test_seed_001_date_line_and_byline():
    a = seed("001")
    assert (a.published, a.published_source) == ("2022-08-03", "date line")
    assert a.title == "Russia’s foreign minister makes official visit to Myanmar"
    assert a.outlet == "TBS"


def test_seed_002_outlet_and_author():
    a = seed("002")
    assert a.outlet in {"Global Issues", "Inter Press Service"}
    assert a.title == "Pariah Solidarity between Myanmar and Russia"
    assert a.author == "Mauro Teodori"
    # Only a copyright year is stated: recorded as a year, and said so.
    assert (a.published, a.published_source) == ("2022", "copyright year")


def test_seed_003_date_line_with_weekday():
    a = seed("003")
    assert (a.published, a.published_source) == ("2021-10-21", "date line")
    assert a.title.startswith("Russia and Myanmar junta leader vow")


def test_seed_004_dateline_without_a_year_stays_unknown():
    # "Bangkok, Jul 7 (EFE).-" and no year anywhere in the text: the year is not guessed.
    a = seed("004")
    assert a.published is None
    assert a.published_source == "unknown"
    assert read_article(SEEDS[4], today=dt.date(2031, 1, 1)).published is None
    assert a.dateline == "Bangkok"
    assert "EFE" in a.outlet
    assert a.title == "Russian military delegation secretly visited Myanmar in June: media reports"


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_text_is_the_file(path):
    a = read_article(path)
    assert a.text == path.read_text(encoding="utf-8")
    assert a.format == "txt"
    spans = [(s.start, s.end) for s in a.boilerplate]
    assert spans == sorted(spans)
    assert all(0 <= s < e <= len(a.text) for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:]))


@pytest.mark.parametrize("item", GOLD["boilerplate"], ids=lambda g: f"{g['article']}:{g['quote'][:20]}")
def test_gold_boilerplate_is_marked(item):
    a = seed(item["article"])
    start = a.text.find(item["quote"])
    assert start >= 0
    while start >= 0:
        assert covered(a, start, start + len(item["quote"])), item["quote"]
        start = a.text.find(item["quote"], start + 1)


def test_repeated_header_and_caption_are_boilerplate():
    a = seed("001")
    caption = "REUTERS/Evgenia Novozhenina/Pool/Files"
    first = a.text.find(caption)
    assert covered(a, first, first + len(caption))
    title = "Russia’s foreign minister makes official visit to Myanmar"
    copies = [i for i in range(len(a.text)) if a.text.startswith(title, i)]
    assert len(copies) == 2
    assert not covered(a, copies[0], copies[0] + len(title))   # the headline stays
    assert covered(a, copies[1], copies[1] + len(title))        # its repeated copy goes


# --- a made-up article: the rules are general ------------------------------------------------
NEW_ARTICLE = """\
Science & Climate

Glacier in Patagonia lost a fifth of its ice in a decade, survey finds – Andes Daily Post

By Lucía Ferreyra
Monday, March 4, 2019
Updated: 4 March, 2019, 09:15 am

Glacier in Patagonia lost a fifth of its ice in a decade, survey finds

A field team photographs the Perito Moreno front. AFP/Juan Mabromata/Files

Researchers from the University of Cuyo said on Monday that the Upsala glacier had shrunk by 21% since 2008. The team used drone surveys and satellite images to measure the ice.

[ad_3]

Dr. Ana Ruiz, who led the survey, said the loss was faster than expected. "We did not think it would be this quick," she said.

Follow Andes Daily Post on Facebook and X

Advertisement

Marco Villa is the science editor of the Andes Daily Post. He has written about glaciers for 20 years.

© 2019 Andes Daily Post. All rights reserved.

Read more

Share this article
"""


def test_made_up_article_boilerplate_and_metadata(tmp_path):
    f = tmp_path / "glacier.txt"
    f.write_text(NEW_ARTICLE, encoding="utf-8")
    a = read_article(f, display="seeds/glacier.txt")
    assert a.id == "glacier" and a.file == "seeds/glacier.txt"
    assert a.title == "Glacier in Patagonia lost a fifth of its ice in a decade, survey finds"
    assert a.outlet == "Andes Daily Post"
    assert a.author == "Lucía Ferreyra"
    assert (a.published, a.published_source) == ("2019-03-04", "date line")
    texts = [s.text for s in split_sentences(a)]
    assert texts[0] == a.title and texts.count(a.title) == 1       # the repeated title copy is furniture
    assert "Researchers from the University of Cuyo said on Monday that the Upsala glacier had shrunk by 21% since 2008." in texts
    assert "Dr. Ana Ruiz, who led the survey, said the loss was faster than expected." in texts
    for junk in ("Science & Climate", "By Lucía", "Monday, March 4", "Updated:", "AFP/Juan", "[ad_3]", "Follow Andes",
                 "Advertisement", "Marco Villa", "He has written", "©", "Read more", "Share this", "Andes Daily Post"):
        assert not any(junk in t for t in texts), junk


# --- bad inputs ------------------------------------------------------------------------------
def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    with pytest.raises(IngestError, match="empty"):
        read_article(f)
    f.write_bytes(b"  \n\n ")
    with pytest.raises(IngestError, match="empty"):
        read_article(f)


def test_binary_file(tmp_path):
    f = tmp_path / "image.txt"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(IngestError, match="binary") as e:
        read_article(f, display="seeds/image.txt")
    assert str(e.value).startswith("seeds/image.txt: binary")


def test_control_characters_are_binary(tmp_path):
    f = tmp_path / "ctl.txt"
    f.write_bytes(bytes(range(1, 9)) * 20 + b"some text")
    with pytest.raises(IngestError, match="binary"):
        read_article(f)


def test_latin1_names_byte_and_offset(tmp_path):
    f = tmp_path / "latin.txt"
    f.write_bytes("Café in Yangon.".encode("latin-1"))
    with pytest.raises(IngestError) as e:
        read_article(f)
    assert "not UTF-8 (byte 0xe9 at offset 3)" in e.value.problem
    assert str(f) in str(e.value)


def test_bom_is_removed_and_offsets_index_text(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf" + "Headline here\n\nLavrov arrived in Naypyitaw. He met officials.".encode())
    a = read_article(f)
    assert not a.text.startswith("\ufeff")
    sents = split_sentences(a)
    assert [s.text for s in sents] == ["Headline here", "Lavrov arrived in Naypyitaw.", "He met officials."]
    assert all(a.text[s.start:s.end] == s.text for s in sents)


def test_too_large(tmp_path):
    f = tmp_path / "big.txt"
    f.write_text("word " * 100, encoding="utf-8")
    with pytest.raises(IngestError, match=r"too large \(500 bytes, limit 100 bytes\)"):
        read_article(f, max_bytes=100)


def test_json_nested_past_the_parser_is_one_problem_not_a_crash(tmp_path):
    deep = "[" * 100_000 + "]" * 100_000
    f = tmp_path / "deep.json"
    f.write_text(deep, encoding="utf-8")
    with pytest.raises(IngestError, match=r"deep.json: invalid JSON \(nested too deeply\)"):
        read_article(f)
    lines = tmp_path / "batch.jsonl"
    lines.write_text(deep + "\n" + '{"text": "Lavrov arrived in Naypyitaw on Wednesday."}\n', encoding="utf-8")
    arts, errors = read_articles(lines)
    assert [a.id for a in arts] == ["batch-2"]
    assert [str(e) for e in errors] == [f"{lines}:1: line 1 is not valid JSON (nested too deeply); skipped"]


def test_unsupported_extension(tmp_path):
    f = tmp_path / "doc.pdf"
    f.write_bytes(b"%PDF-1.4")
    with pytest.raises(IngestError, match="unsupported file type"):
        read_article(f)


def test_only_boilerplate(tmp_path):
    f = tmp_path / "furniture.txt"
    f.write_text("Related Articles\n\nBack to top button\n\nSubscribe to our newsletter\n", encoding="utf-8")
    with pytest.raises(IngestError, match="no article text"):
        read_article(f)


def test_missing_file(tmp_path):
    with pytest.raises(IngestError, match="cannot read"):
        read_article(tmp_path / "nope.txt")


# --- other formats ---------------------------------------------------------------------------
HOSTILE_HTML = """<!doctype html><html><head><title>Lavrov in Naypyitaw | Example Wire</title>
<meta property="article:published_time" content="2022-08-03T12:25:00+06:00">
<meta property="og:site_name" content="Example Wire">
<script>document.write("<p>Injected claim that must not appear.</p>"); var x = "</div>";</script>
<style>p { color: red }</style></head>
<body><nav><a href="/">Home</a> <a href="/world">World news</a></nav>
<header>Site header text</header>
<article><h1>Lavrov visits Myanmar</h1>
<p>Russian Foreign Minister Sergey Lavrov arrived in Naypyitaw on Wednesday.<br>He met
   officials &amp; generals.</p>
<figure><img src="x.jpg"><figcaption>Lavrov at the airport. Photo: Example Wire</figcaption></figure>
<p>Talks covered <b>security</b> and <i>trade</i>.</p>
<noscript>Enable JavaScript</noscript><template><p>Hidden template text.</p></template>
<aside>Most read: cats</aside></article>
<footer>© 2022 Example Wire. All rights reserved.</footer>
<script>alert(1)</script></body></html>"""


def test_hostile_html_keeps_visible_text_only(tmp_path):
    f = tmp_path / "page.html"
    f.write_text(HOSTILE_HTML, encoding="utf-8")
    a = read_article(f)
    assert a.format == "html"
    for hidden in ("Injected", "alert", "color", "Home", "Site header", "Enable JavaScript", "Hidden template",
                   "Most read", "All rights"):
        assert hidden not in a.text, hidden
    assert a.title == "Lavrov visits Myanmar"
    assert a.outlet == "Example Wire"
    assert (a.published, a.published_source) == ("2022-08-03", "html meta")
    texts = [s.text for s in split_sentences(a)]
    assert texts == ["Lavrov visits Myanmar",
                     "Russian Foreign Minister Sergey Lavrov arrived in Naypyitaw on Wednesday.",
                     "He met officials & generals.",
                     "Talks covered security and trade."]


def test_html_without_meta_has_unknown_date(tmp_path):
    f = tmp_path / "plain.htm"
    f.write_text("<p>Lavrov met Min Aung Hlaing.</p><div>Unclosed <b>tags <p>everywhere", encoding="utf-8")
    a = read_article(f)
    assert a.published is None and a.published_source == "unknown"
    assert "Lavrov met Min Aung Hlaing." in a.text


LD_PAGE = """<html><head><title>Page</title>{meta}
<script type="application/ld+json">{{"@context": "https://schema.org", "@graph": [
 {{"@type": "WebSite", "name": "X"}},
 {{"@type": ["NewsArticle"], "headline": "Lavrov visits Jakarta", "datePublished": "2021-07-06T09:00:00+07:00",
  "author": [{{"@type": "Person", "name": "Ann Lee"}}, {{"@type": "Person", "name": "Bo Chan"}}],
  "publisher": {{"@type": "Organization", "name": "Example News"}}}}]}}</script>
<script type="application/ld+json">{{"@type": "NewsArticle", "headline": "Not this one"</script>
</head><body><p>Russian Foreign Minister Sergei Lavrov arrived in Jakarta on Tuesday for talks with his
Indonesian counterpart Retno Marsudi, the foreign ministry said in a statement.</p></body></html>"""


@pytest.mark.parametrize(("meta", "published", "source"), [
    ("", "2021-07-06", "json-ld"),
    # a plain "date" meta may be the page's last change: JSON-LD's datePublished comes first ...
    ('<meta name="date" content="2021-08-01">', "2021-07-06", "json-ld"),
    # ... and a published-time meta before it, whatever other meta tags the page has
    ('<meta name="date" content="2021-08-01"><meta property="article:published_time" content="2021-07-05">',
     "2021-07-05", "html meta"),
])
def test_html_json_ld_gives_the_metadata_and_date_metas_have_an_order(tmp_path, meta, published, source):
    f = tmp_path / "page.html"
    f.write_text(LD_PAGE.format(meta=meta), encoding="utf-8")
    a = read_article(f)
    assert (a.published, a.published_source) == (published, source)
    assert (a.outlet, a.author) == ("Example News", "Ann Lee, Bo Chan")
    assert a.title == "Lavrov visits Jakarta" and "Not this one" not in a.text and "@graph" not in a.text


def test_html_author_meta_that_is_an_address_is_no_name(tmp_path):
    f = tmp_path / "page.html"
    f.write_text('<html><head><meta property="article:author" content="https://example.com/ann-lee"></head>'
                 "<body><p>Lavrov met Min Aung Hlaing in Moscow on Tuesday, the ministry said.</p></body></html>")
    assert read_article(f).author is None


def test_html_links_to_other_stories_are_boilerplate_not_sentences():
    """A list of related stories, a "Read more:" pointer, a share line: none is the article's."""
    a = read_article(Path(__file__).resolve().parent.parent / "data" / "related_links.html")
    assert (a.title, a.author, a.outlet) == ("Lavrov arrives in Jakarta for ASEAN talks", "Ann Lee", "Example News")
    assert [s.text for s in split_sentences(a)] == [
        "Lavrov arrives in Jakarta for ASEAN talks",
        "Russian Foreign Minister Sergei Lavrov arrived in Jakarta on Tuesday for talks with his Indonesian "
        "counterpart Retno Marsudi, the foreign ministry said.",
        "The two ministers discussed economic cooperation and the crisis in Myanmar.",
        "Lavrov will travel to Cambodia later this week, officials said."]
    labels = {b.label for b in a.boilerplate}
    assert {"link", "related", "copyright"} <= labels


def test_a_paragraph_with_a_link_in_it_stays_and_a_linked_headline_is_the_headline(tmp_path):
    f = tmp_path / "page.html"
    f.write_text('<html><body><h1><a href="/x">Lavrov in Jakarta</a></h1><p>Lavrov <a href="/l">met</a> '
                 "Marsudi in Jakarta on Tuesday, the <a href='/m'>foreign ministry</a> said.</p></body></html>")
    a = read_article(f)
    assert a.title == "Lavrov in Jakarta"
    assert [s.text for s in split_sentences(a)] == [
        "Lavrov in Jakarta", "Lavrov met Marsudi in Jakarta on Tuesday, the foreign ministry said."]


def test_read_more_pointer_in_text_is_boilerplate(tmp_path):
    f = tmp_path / "note.txt"
    f.write_text("Lavrov in Jakarta\n\nLavrov met Marsudi in Jakarta on Tuesday, officials said.\n\n"
                 "READ MORE: Myanmar junta chief visits Moscow for security conference\n\n"
                 "He will travel to Cambodia later this week.\n")
    assert [s.text for s in split_sentences(read_article(f))] == [
        "Lavrov in Jakarta", "Lavrov met Marsudi in Jakarta on Tuesday, officials said.",
        "He will travel to Cambodia later this week."]


def test_markdown_heading_is_headline(tmp_path):
    f = tmp_path / "note.md"
    f.write_text("# Lavrov in Jakarta\n\nLavrov spoke in **Jakarta** on Tuesday. He met Marsudi.\n", encoding="utf-8")
    a = read_article(f)
    assert a.format == "md" and a.title == "Lavrov in Jakarta"
    sents = split_sentences(a)
    assert (sents[0].text, sents[0].kind) == ("Lavrov in Jakarta", "headline")
    assert [s.text for s in sents[1:]] == ["Lavrov spoke in **Jakarta** on Tuesday.", "He met Marsudi."]


YAML_FRONT = """---
title: "Lavrov in Jakarta | Example News"
date: 2021-07-06T09:30:00+07:00
source: Example News
authors:
  - Ann Lee
  - Bo Chan
tags: [asean, russia]
summary: >
  Lavrov met Marsudi.
---

# Lavrov in Jakarta

Lavrov spoke in Jakarta on Tuesday. He met Marsudi.
"""


@pytest.mark.parametrize("ext", ["md", "txt"])
def test_front_matter_fills_the_metadata_and_is_no_sentence(tmp_path, ext):
    f = tmp_path / f"note.{ext}"
    f.write_bytes(YAML_FRONT.replace("\n", "\r\n" if ext == "txt" else "\n").encode())
    a = read_article(f)
    assert (a.title, a.outlet, a.author) == ("Lavrov in Jakarta", "Example News", "Ann Lee, Bo Chan")
    assert (a.published, a.published_source) == ("2021-07-06", "front matter")
    assert a.text == f.read_bytes().decode()           # offsets still index the file
    block = a.text[:a.text.index("# Lavrov")].rstrip()
    assert a.boilerplate[0].start == 0 and a.boilerplate[0].end >= len(block)
    sents = split_sentences(a)
    assert [s.text for s in sents] == ["Lavrov in Jakarta", "Lavrov spoke in Jakarta on Tuesday.", "He met Marsudi."]
    assert all(a.text[s.start:s.end] == s.text for s in sents)


def test_toml_front_matter_and_what_is_not_front_matter(tmp_path):
    f = tmp_path / "hugo.md"
    f.write_text('+++\ntitle = "Lavrov in Jakarta"\ndate = 2021-07-06\n+++\n\nLavrov spoke in Jakarta on Tuesday.\n')
    a = read_article(f)
    assert (a.title, a.published) == ("Lavrov in Jakarta", "2021-07-06")
    assert [s.text for s in split_sentences(a)] == ["Lavrov spoke in Jakarta on Tuesday."]
    # a rule above prose, or a block that never closes, is text as before
    for text in ("---\nLavrov spoke in Jakarta on Tuesday. He met Marsudi.\n---\n",
                 "---\ntitle: Lavrov in Jakarta\n\nLavrov spoke in Jakarta on Tuesday.\n"):
        f.write_text(text)
        a = read_article(f)
        assert a.published_source != "front matter" and not any(b.label == "front matter" for b in a.boilerplate)
        assert "Lavrov spoke in Jakarta on Tuesday." in [s.text for s in split_sentences(a)]


def test_json_fields_and_aliases(tmp_path):
    f = tmp_path / "story.json"
    f.write_text(json.dumps({"headline": "Lavrov visits Myanmar – Example Wire", "body": "Lavrov arrived on Wednesday.",
                             "published": "2022-08-03T06:00:00Z", "source": {"name": "Example Wire"},
                             "author": ["Jane Doe"], "url": "https://example.org/x"}), encoding="utf-8")
    a = read_article(f)
    assert (a.title, a.outlet, a.author) == ("Lavrov visits Myanmar", "Example Wire", "Jane Doe")
    assert (a.published, a.published_source) == ("2022-08-03", "field")
    assert a.text == "Lavrov arrived on Wednesday." and a.format == "json"


@pytest.mark.parametrize("obj", [
    # news-please
    {"title": "Lavrov visits Jakarta", "maintext": "Lavrov arrived in Jakarta on Tuesday.",
     "date_publish": "2021-07-06 09:30:00", "source_domain": "example.org", "authors": ["Ann Lee"]},
    # trafilatura
    {"title": "Lavrov visits Jakarta", "raw_text": "Lavrov arrived in Jakarta on Tuesday.", "date": "2021-07-06",
     "sitename": "example.org", "author": "Ann Lee"},
    # newspaper-style
    {"title": "Lavrov visits Jakarta", "article_text": "Lavrov arrived in Jakarta on Tuesday.",
     "publish_date": "2021-07-06T09:30:00", "site_name": "example.org", "authors": "Ann Lee"},
], ids=["news-please", "trafilatura", "newspaper"])
def test_json_of_common_scrapers(tmp_path, obj):
    f = tmp_path / "story.json"
    f.write_text(json.dumps(obj), encoding="utf-8")
    a = read_article(f)
    assert (a.title, a.text, a.published, a.outlet, a.author) == (
        "Lavrov visits Jakarta", "Lavrov arrived in Jakarta on Tuesday.", "2021-07-06", "example.org", "Ann Lee")


def test_json_errors(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text("{not json", encoding="utf-8")
    with pytest.raises(IngestError, match="invalid JSON"):
        read_article(f)
    f.write_text(json.dumps({"title": "no body"}), encoding="utf-8")
    with pytest.raises(IngestError, match="no text field"):
        read_article(f)


def test_jsonl_bad_line_is_reported_and_others_load(tmp_path):
    f = tmp_path / "batch.jsonl"
    lines = [json.dumps({"title": "One", "text": "Lavrov arrived in Naypyitaw.", "date": "2022-08-03"}),
             "{broken",
             "",
             json.dumps({"title": "Three", "content": "Lavrov left for Cambodia."}),
             json.dumps(["not", "an", "object"])]
    f.write_text("\n".join(lines), encoding="utf-8")
    articles, errors = read_articles(f, display="seeds/batch.jsonl")
    assert [a.id for a in articles] == ["batch-1", "batch-4"]
    assert articles[0].published == "2022-08-03" and articles[1].published is None
    assert len(errors) == 2
    assert "line 2" in str(errors[0]) and "seeds/batch.jsonl" in str(errors[0])
    assert "line 5" in str(errors[1])


def test_read_articles_on_single_file_returns_errors(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    articles, errors = read_articles(f)
    assert articles == [] and "empty" in errors[0].problem


# --- random bytes: a clear IngestError or an Article, never a crash ---------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl"]))
def test_random_bytes_never_crash(tmp_path_factory, data, ext):
    f = tmp_path_factory.mktemp("rand") / f"r{ext}"
    f.write_bytes(data)
    try:
        articles, errors = read_articles(f)
    except IngestError:
        raise AssertionError("read_articles returns errors, it does not raise")
    for a in articles:
        assert all(0 <= s.start < s.end <= len(a.text) for s in a.boilerplate)
        split_sentences(a)
    assert all(isinstance(e, IngestError) for e in errors)


@pytest.mark.parametrize("opening,outlet", [("Lima, March 3, 2024 (Reuters) - ", "Reuters"),
                                            ("Lima, March 3, 2024 - ", None),
                                            ("Lima, Peru, March 3, 2024 (Reuters) - ", "Reuters"),
                                            ("Lima, Peru, Mar. 3, 2024 - ", None)])
def test_a_dateline_with_its_year_dates_the_article_and_is_no_sentence(tmp_path, opening, outlet):
    """A dateline that carries its year ("Lima, March 3, 2024 (Reuters) -", or with that date
    and no agency) gives the publication date as it is, its agency the outlet, and is not read as
    a sentence: the first claim is the news, not the place and date."""
    f = tmp_path / "quake.txt"
    f.write_text("Strong earthquake hits southern Peru\n\n" + opening +
                 "A magnitude 6.8 earthquake struck southern Peru on Sunday, killing at least 12 people.\n"
                 "Rescue teams were searching for survivors in the town of Chala.\n", encoding="utf-8")
    a = read_article(f, today=TODAY)
    assert (a.published, a.published_source, a.dateline) == ("2024-03-03", "dateline", "Lima")
    assert a.outlet == outlet
    sents = split_sentences(a)
    assert (opening.strip(), "dateline") in [(s.text, s.kind) for s in sents]
    assert [s.text for s in sents if s.kind == "body"][0].startswith("A magnitude 6.8 earthquake")


@pytest.mark.parametrize("body,published", [
    # no weekday: the latest year the text mentions, leaving out one it looks ahead to
    ("The 2019 quake destroyed the town. The government plans to rebuild the bridge by 2024.\n", "2019-03-03"),
    ("The 2019 quake destroyed the town. A new bridge would open in Ohio in 2024, the firm said.\n", "2019-03-03"),
    # "on Tuesday" fits neither March 3 of 2024 (a Sunday, five days after) nor of 2025: unknown
    ("The firm reported its results on Tuesday. A new plant would open in 2025, it said in 2024.\n", None),
    # a year followed by a comma ends its clause and counts ("in 2022, the firm ..."); a weekday the
    # text looks ahead to ("is expected to meet ... on Wednesday") counts forward from the dateline
    ("The party won 36 percent on Sunday, up from 28 percent in 2022, results showed on Monday.\n"
     "The prime minister, in office since 2024, conceded. Its leader is expected to meet the president "
     "on Wednesday.\n", "2024-03-11"),
    ("Results on Monday showed the party won in 2024, as it did in 1995.\n", "2024-03-11"),
])
def test_a_dateline_s_year_is_inferred_only_from_what_the_text_says_of_the_past(tmp_path, body, published):
    f = tmp_path / "story.txt"
    day = 11 if "2024-03-11" == published else 3
    f.write_text(f"Lima, March {day} (AP) - " + body, encoding="utf-8")
    a = read_article(f, today=TODAY)
    assert a.published == published, (a.published, a.published_source)


def test_a_news_line_at_the_end_that_names_an_office_is_no_author_bio(tmp_path):
    """The tail's author-bio rule wants a role right after "is/was" ("Jane Doe is a senior fellow
    at ..."): "Santos is expected to meet President ..." as the last line is news and stays a
    sentence, while a real bio line still goes."""
    f = tmp_path / "vote.txt"
    f.write_text("Socialists win the vote\n\nThe Socialist Party won Sunday's election with 36 percent.\n"
                 "The party took 92 of the 230 seats in parliament.\nTurnout was 66 percent.\n"
                 "Santos is expected to meet President Marcelo Rebelo de Sousa on Wednesday.\n"
                 "Jane Doe is a senior fellow at the Lisbon Policy Institute.\n", encoding="utf-8")
    a = read_article(f, today=TODAY)
    texts = [s.text for s in split_sentences(a) if s.kind == "body"]
    assert "Santos is expected to meet President Marcelo Rebelo de Sousa on Wednesday." in texts
    assert not any(t.startswith("Jane Doe") for t in texts)


def test_a_line_about_a_person_the_news_names_is_no_author_bio_nor_one_before_more_news(tmp_path):
    """"Novak is the second member of the cabinet to resign this year." looks like a bio's opening
    ("... is the ... member"), but the news names Novak and more news follows it: it stays a
    sentence. A bio closes the article and is about someone the news does not name."""
    f = tmp_path / "resign.txt"
    f.write_text("Health minister quits as contracts scandal grows\n\nMay 7, 2025\n\n"
                 "Pavel Novak stepped down as health minister yesterday over contracts worth 2.1 billion crowns.\n"
                 "The 54-year-old had held the post since December 2021.\n"
                 "Prime Minister Petr Fiala said Deputy Minister Jana Kralova would lead the ministry for now.\n"
                 "Novak is the second member of the cabinet to resign this year.\n"
                 "Novak admitted that mistakes had been made but denied breaking the law.\n"
                 "Jane Doe is a senior fellow at the Prague Policy Institute.\n"
                 "She has written two books on Czech politics.\n", encoding="utf-8")
    texts = [s.text for s in split_sentences(read_article(f, today=TODAY)) if s.kind == "body"]
    assert "Novak is the second member of the cabinet to resign this year." in texts
    assert "Novak admitted that mistakes had been made but denied breaking the law." in texts
    assert not any(t.startswith(("Jane Doe", "She has written")) for t in texts), texts
    # ... and the same line at the very end is news too: the article names Novak
    f.write_text("Health minister quits\n\nPavel Novak stepped down as health minister yesterday.\n"
                 "Prime Minister Petr Fiala accepted the resignation on Tuesday evening.\n"
                 "Police said they had opened an investigation into the contracts.\n"
                 "Novak is the second member of the cabinet to resign this year.\n", encoding="utf-8")
    texts = [s.text for s in split_sentences(read_article(f, today=TODAY)) if s.kind == "body"]
    assert "Novak is the second member of the cabinet to resign this year." in texts
