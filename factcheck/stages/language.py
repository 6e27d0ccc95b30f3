"""Language: whether an article's text is English, the only language the claim, fluency and
conflict rules read.

In: the text an article keeps after its boilerplate. Out: `LanguageVerdict` (English, not
English with a guess at the language, or too little text to tell). Offline: the guess uses the
word lists wordfreq ships (its `small_*` lists), read only for a text that is not English.

The measure is the share of the text's lowercase words that are among the most common English
words (`_COMMON`): names, acronyms and numbers are left out, so a results table or a list of
names is not counted against English, and a text under `MIN_WORDS` such words is not judged. A
text below `ENGLISH_AT` is still English when most of its lowercase words are words English uses
commonly (`KNOWN_AT`: a looping machine translation, a string of headline words). On the
development data (`benchmarks/eval_language.py`): English news bodies 0.38-0.63 and machine
translations into English, three sentences at a time, 0.21-0.70; the translations' source
sentences three at a time (Estonian, Nepali, Romanian, Russian, Sinhala) 0.00-0.17.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_COMMON = frozenset("""the of and to a in is was that for on with as by at from it he she his her they
their be been has have had are were said not this which who will would an or but its after also more
than about we i you there over into can could up out all one new what when if no so them him our last
other some two year years told people""".split())
ENGLISH_AT = 0.15        # share of common English words at or above which a text is English
KNOWN_AT = 0.75         # ... or at or above which share of commonly used English words
MIN_WORDS = 12           # fewer lowercase words than this: too little to tell (taken as English)
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
# the languages a guess is made among (wordfreq's small lists), with their names
_NAMES = {"ar": "Arabic", "bg": "Bulgarian", "bn": "Bengali", "ca": "Catalan", "cs": "Czech",
          "da": "Danish", "de": "German", "el": "Greek", "es": "Spanish", "fa": "Persian",
          "fi": "Finnish", "fil": "Filipino", "fr": "French", "he": "Hebrew", "hi": "Hindi",
          "hu": "Hungarian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
          "ko": "Korean", "lt": "Lithuanian", "lv": "Latvian", "mk": "Macedonian", "ms": "Malay",
          "nb": "Norwegian", "nl": "Dutch", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian",
          "ru": "Russian", "sh": "Serbo-Croatian", "sk": "Slovak", "sl": "Slovenian", "sv": "Swedish",
          "ta": "Tamil", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "vi": "Vietnamese",
          "zh": "Chinese"}
_TOP = 300               # the most common words of each list a guess compares with


@dataclass(frozen=True)
class LanguageVerdict:
    english: bool
    share: float         # of the lowercase words, those among the most common English words
    words: int           # lowercase words counted
    guess: str | None = None     # the language it reads as, when not English and one stands out

    def problem(self) -> str:
        """One line on why an article that is not English is not read."""
        reads = f"it reads as {self.guess}" if self.guess else "its language is not one factcheck knows"
        return (f"not in English ({self.share:.0%} of its {self.words} lowercase words are common English "
                f"words, where English text has over 20%; {reads}); factcheck reads English articles only")


def lowercase_words(text: str) -> list[str]:
    """The words written in lowercase (names, acronyms and numbers left out), case-folded. A
    script without case (Chinese, Arabic, Hindi...) has every word counted."""
    return [w.casefold() for w in _WORD.findall(text) if w == w.lower()]


def _judge(words: list[str], min_words: int, known_at: float, guess_at: float) -> LanguageVerdict:
    """English unless there are `min_words` lowercase words or more, fewer than `ENGLISH_AT` of them
    among the commonest English words and fewer than `known_at` commonly used English words; the
    guess of another language wants its commonest words to cover `guess_at` of them."""
    if len(words) < min_words:
        return LanguageVerdict(True, 1.0, len(words))
    share = sum(w in _COMMON for w in words) / len(words)
    if share >= ENGLISH_AT or _known_english(words) >= known_at:
        return LanguageVerdict(True, share, len(words))
    return LanguageVerdict(False, share, len(words), _guess(words, guess_at))


def detect(text: str) -> LanguageVerdict:
    """Whether `text` is English (see the module's docstring)."""
    return _judge(lowercase_words(text), MIN_WORDS, KNOWN_AT, 0.25)


SENTENCE_MIN_WORDS = 6   # a sentence with fewer lowercase words is not judged for its language
SENTENCE_KNOWN_BELOW = 0.5   # ... nor one where this share or more of them are commonly used English words
SENTENCE_COVER_AT = 0.4  # ... it reads as another language when that language's commonest words are this share


def sentence_language(text: str) -> str | None:
    """The language one sentence of an English article is written in, when it plainly is another
    one (a quotation in its original language); None for English, garbled English (a machine
    translation that left words untranslated still has most of its words English) and a
    sentence too short to tell. Stricter than `detect`: fewer than `ENGLISH_AT` of its lowercase
    words are among the commonest English words, fewer than `SENTENCE_KNOWN_BELOW` are commonly
    used English words, and one language's commonest words make up `SENTENCE_COVER_AT` of them."""
    v = _judge(lowercase_words(text), SENTENCE_MIN_WORDS, SENTENCE_KNOWN_BELOW, SENTENCE_COVER_AT)
    return None if v.english else v.guess


# quoted spans: "...", “...”, «...», „...“ (the text between the marks)
_QUOTED = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d|\u00ab([^\u00bb]+)\u00bb|\u201e([^\u201c\u201d]+)[\u201c\u201d]')


def foreign_quotes(text: str) -> list[tuple[str, str]]:
    """The quotations in a sentence written in another language (`sentence_language` of the
    quoted text alone), each with that language: '"Kami menyambut baik kunjungan ini ...," Marsudi
    said' quotes Indonesian in an English sentence."""
    out = []
    for m in _QUOTED.finditer(text):
        quoted = next(g for g in m.groups() if g is not None)
        if (lang := sentence_language(quoted)) is not None:
            out.append((quoted, lang))
    return out


def _known_english(words: list[str]) -> float:
    """The share of `words` that English uses commonly (wordfreq Zipf >= 3): English whose function
    words went missing (a headline list, a looping machine translation) still has most of them."""
    from factcheck.nlp import zipf

    return sum(zipf(w) >= 3.0 for w in words) / len(words)


def _guess(words: list[str], at: float = 0.25) -> str | None:
    """The language whose most common words cover the most of `words`, when it covers at least
    `at` of them; with the next one when that comes close (Indonesian and Malay share most of
    theirs); None otherwise (or without word lists)."""
    cover = sorted(((sum(w in top for w in words) / len(words), code)
                    for code in _NAMES if (top := _top_words(code))), reverse=True)
    if not cover or cover[0][0] < at:
        return None
    if len(cover) > 1 and cover[0][0] < 1.2 * cover[1][0]:
        return f"{_NAMES[cover[0][1]]} or {_NAMES[cover[1][1]]}"
    return _NAMES[cover[0][1]]


@functools.cache
def _top_words(code: str) -> frozenset[str]:
    """The `_TOP` most common words of wordfreq's small list for a language (empty when the list
    or its reader is missing)."""
    from factcheck.nlp import wordfreq_buckets

    out: list[str] = []
    for bucket in wordfreq_buckets(f"small_{code}") or ():
        out.extend(w for w in bucket if isinstance(w, str))
        if len(out) >= _TOP:
            break
    return frozenset(out[:_TOP])
