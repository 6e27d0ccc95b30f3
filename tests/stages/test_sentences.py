"""Sentences: exact offsets, no boilerplate, tricky punctuation, and random texts (hypothesis)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factcheck.records import Article, Span, stable_id
from factcheck.stages.ingest import article_from_text, read_article
from factcheck.stages.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLD = json.loads((ROOT / "tests" / "gold" / "seeds.gold.json").read_text(encoding="utf-8"))


def sentences_of(prefix: str):
    """(article, sentences) of the seed whose file name starts with `prefix`."""
    article = read_article(next(p for p in SEEDS if p.name.startswith(prefix)))
    return article, split_sentences(article)


def check_invariants(article: Article, sents) -> None:
    """Offsets exact and stripped, sorted, disjoint, outside boilerplate, indexed 0.., stable ids."""
    prev_end = 0
    for i, s in enumerate(sents):
        assert s.index == i and s.article_id == article.id
        assert 0 <= s.start < s.end <= len(article.text)
        assert article.text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= prev_end
        prev_end = s.end
        assert s.id == stable_id(article.id, str(s.start), str(s.end))
        assert s.kind in {"body", "headline", "caption", "dateline"}
        for b in article.boilerplate:
            assert s.end <= b.start or s.start >= b.end, (s.text, b)


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name[:3])
def test_seed_sentences_are_exact_and_outside_boilerplate(path):
    article = read_article(path)
    sents = split_sentences(article)
    assert sents
    check_invariants(article, sents)
    file_text = path.read_text(encoding="utf-8")
    assert all(file_text[s.start:s.end] == s.text for s in sents)


@pytest.mark.parametrize("item", GOLD["boilerplate"], ids=lambda g: f"{g['article']}:{g['quote'][:20]}")
def test_gold_boilerplate_is_in_no_sentence(item):
    article, sents = sentences_of(item["article"])
    q = item["quote"]
    start = article.text.find(q)
    assert start >= 0
    while start >= 0:
        assert not any(s.start < start + len(q) and start < s.end for s in sents), q
        start = article.text.find(q, start + 1)


def test_000_february_sentence_is_whole():
    _, sents = sentences_of("000")
    assert "Myanmar has been in crisis since its military overthrew Aung San Suu Kyi on February 1." in [s.text for s in sents]


def test_002_glued_asean_fragment_is_merged():
    _, sents = sentences_of("002")
    texts = [s.text for s in sents]
    lavrov = next(t for t in texts if t.startswith("Mr. Lavrov was on his way to Cambodia"))
    assert lavrov.endswith("(ASEAN).ASEAN).")
    assert not any(t.startswith("ASEAN)") for t in texts)
    assert any(t.startswith("Ms. Wunna Maung Lwin expressed") for t in texts)
    assert not any(t in {"Ms.", "Mr."} for t in texts)


def test_004_dateline_and_abbreviations():
    _, sents = sentences_of("004")
    d = next(s for s in sents if s.kind == "dateline")
    assert d.text == "Bangkok, Jul 7 (EFE).-"
    nxt = sents[d.index + 1]
    assert nxt.text.startswith("A Russian military delegation secretly visited Myanmar in June,")
    assert nxt.text.endswith("exclusive report on Wednesday.")
    assert any("between Jun. 13-19 and consisted" in s.text for s in sents)
    assert any(s.text.startswith("Russia, which has not openly condemned the Feb. 1 military coup") for s in sents)
    assert sents[0].kind == "headline"


def test_001_headline_and_body():
    _, sents = sentences_of("001")
    assert sents[0].text == "Russia’s foreign minister makes official visit to Myanmar" and sents[0].kind == "headline"
    assert not any("REUTERS/" in s.text or "TBS Report" in s.text for s in sents)
    assert sum(1 for s in sents if s.kind == "headline") == 1


def make(text: str, boilerplate: tuple[Span, ...] = ()) -> Article:
    """A hand-made article record."""
    return Article(id="t", file="t.txt", sha256="", text=text, boilerplate=boilerplate)


def test_tricky_punctuation():
    text = ("The U.S. envoy met Ms. Lee at 5 p.m. on Feb. 1. “We agreed,” she said. ‘Fine.’ He left.\n"
            "  • A bulleted point without a stop\n"
            "All rights reserved.Origin: Example Wire reported the talks.\n"
            "JAKARTA (Reuters) - Lavrov spoke on Tuesday.")
    sents = split_sentences(make(text))
    check_invariants(make(text), sents)
    texts = [s.text for s in sents]
    assert texts[0] == "The U.S. envoy met Ms. Lee at 5 p.m. on Feb. 1."
    assert "A bulleted point without a stop" in texts
    assert "All rights reserved." in texts and "Origin: Example Wire reported the talks." in texts
    assert ("JAKARTA (Reuters) -", "dateline") in [(s.text, s.kind) for s in sents]
    assert texts[-1] == "Lavrov spoke on Tuesday."


def test_boilerplate_inside_a_line_is_skipped():
    text = "date 2022-08-03 Lavrov visits Myanmar\nHe arrived. [ad] He left."
    bp = (Span(0, 15, "timestamp"), Span(text.index("[ad]"), text.index("[ad]") + 4, "ad"))
    sents = split_sentences(make(text, bp))
    check_invariants(make(text, bp), sents)
    assert [s.text for s in sents] == ["Lavrov visits Myanmar", "He arrived.", "He left."]


def test_no_letters_fragments_are_not_sentences():
    text = "Lavrov spoke. — ” ...\n***\n"
    sents = split_sentences(make(text))
    check_invariants(make(text), sents)
    assert all(any(c.isalpha() for c in s.text) for s in sents)


PIECES = st.sampled_from([
    "Lavrov", "Myanmar", "said", "the", "Ms.", "Mr.", "Dr.", "U.S.", "Feb. 1", "Jun. 13-19", "(ASEAN).", "ASEAN).",
    "reserved.Origin:", ".", ". ", "!", "?", "...", "…", ",", ";", ":", "-", "–", "—", "(", ")", "[", "]", "[ad_1]",
    "“", "”", "‘", "’", "\"", "'", "\n", "\n\n", "  • ", "# ", " ", "  ", "\t", "\r\n", "Bangkok, Jul 7 (EFE).- ",
    "2021", "3.5", "é", "İ", "ß", "ﬁ", "\u00a0", "\u200b", "Related Articles", "© Site", "By Jane Doe",
])
TEXTS = st.one_of(
    st.lists(PIECES, max_size=60).map(" ".join),
    st.lists(PIECES, max_size=60).map("".join),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_random_texts_keep_the_invariants(text):
    article = article_from_text(text, "rand", "rand.txt")
    sents = split_sentences(article)
    check_invariants(article, sents)


@settings(max_examples=60, deadline=None)
@given(TEXTS, st.lists(st.tuples(st.integers(0, 200), st.integers(1, 20)), max_size=4))
def test_random_boilerplate_spans_are_never_crossed(text, raw_spans):
    spans = sorted({(min(a, len(text)), min(a + n, len(text))) for a, n in raw_spans})
    merged: list[Span] = []
    for a, b in spans:
        if b <= a:
            continue
        if merged and a <= merged[-1].end:
            merged[-1] = Span(merged[-1].start, max(b, merged[-1].end), "x")
        else:
            merged.append(Span(a, b, "x"))
    article = make(text, tuple(merged))
    check_invariants(article, split_sentences(article))


def test_long_single_line_is_fast():
    import time

    text = "Lavrov said the talks went well. " * 3000 + "x" * 5000
    t0 = time.perf_counter()
    article = article_from_text(text, "long", "long.txt")
    sents = split_sentences(article)
    assert time.perf_counter() - t0 < 5
    check_invariants(article, sents)
    assert sum(s.text == "Lavrov said the talks went well." for s in sents) == 3000


def test_crlf_lines():
    text = "Lavrov in Jakarta\r\n\r\nLavrov spoke. He left.\r\n"
    article = article_from_text(text, "crlf", "crlf.txt")
    sents = split_sentences(article)
    check_invariants(article, sents)
    assert [s.text for s in sents] == ["Lavrov in Jakarta", "Lavrov spoke.", "He left."]
