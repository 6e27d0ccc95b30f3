"""Telling English articles from others (`factcheck.stages.language`), and ingest refusing the others."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from factcheck.errors import IngestError
from factcheck.stages.ingest import read_article
from factcheck.stages.language import detect, foreign_quotes, sentence_language

DATA = Path(__file__).resolve().parent.parent / "data" / "languages"
SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.mark.parametrize(("name", "guess"), [("es", "Spanish"), ("fr", "French"), ("de", "German"),
                                              ("id", "Indonesian or Malay"), ("tl", "Filipino")])
def test_the_same_news_in_other_languages_is_not_english(name, guess):
    v = detect((DATA / f"{name}.txt").read_text(encoding="utf-8"))
    assert not v.english and v.guess == guess, v
    assert v.share < 0.15 and guess in v.problem() and "not in English" in v.problem()


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_every_seed_is_english(path):
    assert detect(path.read_text(encoding="utf-8")).english


def test_english_with_a_long_foreign_quote_a_list_of_names_or_a_looping_translation_is_english():
    assert detect((DATA / "en_quote.txt").read_text(encoding="utf-8")).english
    names = detect((DATA / "en_table.txt").read_text(encoding="utf-8"))
    assert names.english and names.words < 12            # names are not counted: too little to tell
    loop = "The " + "diminutive " * 40 + "diminution."
    v = detect(loop)
    assert v.english and v.share < 0.15                  # no function words, but English words


def test_a_script_without_case_counts_every_word():
    # Nepali (Devanagari has no case): every word counted, none English
    text = "नेपालको राजधानी काठमाडौंमा आज ठूलो भूकम्प गएको छ र धेरै मानिसहरू घाइते भएका छन् भने सरकारले उद्धार कार्य सुरु गरेको छ ।"
    v = detect(text)
    assert not v.english and v.words >= 12


@pytest.mark.parametrize("fmt", ["txt", "md", "json", "html"])
def test_ingest_refuses_an_article_that_is_not_english_with_one_line(tmp_path, fmt):
    body = (DATA / "es.txt").read_text(encoding="utf-8")
    f = tmp_path / f"nota.{fmt}"
    if fmt == "json":
        f.write_text(json.dumps({"title": "Lavrov en Yakarta", "text": body}), encoding="utf-8")
    elif fmt == "html":
        f.write_text(f"<html><body><h1>Lavrov en Yakarta</h1><p>{body}</p></body></html>", encoding="utf-8")
    else:
        f.write_text(body, encoding="utf-8")
    with pytest.raises(IngestError) as e:
        read_article(f)
    line = str(e.value)
    assert "\n" not in line and "nota." in line and "not in English" in line and "Spanish" in line


@pytest.mark.parametrize("sentence, language", [
    ("« Nous ne céderons jamais devant la pression étrangère », a déclaré le ministre.", "French"),
    ("Der Minister sagte, die Gespräche seien gut verlaufen und man werde weiter verhandeln.", "German"),
    ("El ministro dijo que las conversaciones habían ido bien.", "Spanish"),
    ("Presidentul a spus ca guvernul va continua reformele anul viitor.", "Romanian"),
])
def test_a_sentence_in_another_language_is_named(sentence, language):
    assert sentence_language(sentence) == language


@pytest.mark.parametrize("sentence", [
    "The minister told reporters the talks had gone well.",
    # garbled English stays English: its words are English, however badly put together
    "He is a arms dealer who sell the weapon to the rebel since many year.",
    "The sukalu dearmed minister of defence of the state have visiting.",
    "Senior Lieutenant General Min Aung Hlaing met Sergei Lavrov in Naypyidaw.",
    "The crowd chanted Viva la revolución outside the ministry on Sunday night.",
    "Merci beaucoup, mon ami.",          # too short to tell
])
def test_english_garbled_english_and_short_sentences_are_not_named(sentence):
    assert sentence_language(sentence) is None


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name[:3])
def test_no_seed_sentence_reads_as_another_language(path):
    from factcheck.stages.sentences import split_sentences

    assert [s.text for s in split_sentences(read_article(path)) if sentence_language(s.text)] == []


def test_a_quotation_in_another_language_inside_an_english_sentence_is_found():
    text = ('"Kami menyambut baik kunjungan ini dan berharap kerja sama kedua negara semakin erat," '
            'Marsudi told reporters, adding that "the visit was useful for both sides."')
    (quote, language), = foreign_quotes(text)
    assert quote.startswith("Kami menyambut") and language in ("Indonesian", "Malay", "Indonesian or Malay",
                                                               "Malay or Indonesian")
    assert foreign_quotes("He said “the talks went well and will go on next week” on Friday.") == []
