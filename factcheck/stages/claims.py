"""Atomic claims: Sentence records → Claim records, one checkable statement each.

In: an Article and its Sentences. Out: Claims in article order, each an exact span of its
sentence (`article.text[c.start:c.end] == c.text`) with a self-contained `standalone` rewrite
(what gets embedded and compared) and the attributed `speaker` (or None).

Rules (docs/claims.md explains them with examples):

1. Coordinated main clauses that state separate facts are split ("X met Y, and Z said W" → two
   claims). A verb conjunct that shares the subject is split only when it is finite on its own
   ("Myanmar is one of Asean's members but has failed to implement…"); its standalone gets the
   shared subject copied in. Coordinated noun phrases and bare/participle verb conjuncts are never
   split. ", while …" clauses with their own subject and ";"-joined clauses count as coordinated.
   When no split is safe the whole sentence is the claim.
2. Comma- or dash-delimited (non-restrictive) relative clauses ("X, which …") and appositives
   that carry a fact ("Russia and China, the ruling military's other major ally, …") become
   their own claim: the span is the clause, the standalone names the antecedent ("China is the
   ruling military's other major ally."). The main claim keeps its contiguous span but its
   standalone has the clause removed. Appositives that only give a name ("his colleague, Wunna
   Maung Lwin,") stay in the main claim.
3. Attribution goes to `speaker`; the standalone drops the reporting frame ("Lavrov said X",
   "X, Lavrov told reporters", "according to TASS", "X, reports AP", "Moscow said"). The speaker
   is the outermost source, reduced to its name ("local media outlet Myanmar Now" → "Myanmar
   Now"). A frame that carries its own fact (a date, a place or a person: "Rosneft said in April
   2021 it planned…") is kept in the standalone when it leads the sentence; when it trails the
   content it becomes an extra claim ("he said in a press conference in Jakarta alongside…").
4. A leading subject pronoun (he/she/it/they) is resolved to the previous sentence's subject or
   speaker when that is a named person (he/she) or a named organisation/place (it/they), and
   inside a sentence to the reporting subject ("Russia says it has…" → "Russia has…"). The
   speaker of a quote ending "he said" is the last named person. Unclear pronouns stay.
5. Captions, boilerplate spans (`Article.boilerplate`), questions, imperatives ("Follow us on
   Telegram") and fragments without a finite verb ("Last modified: 03 August", "Source link")
   yield no claims, unless a body fragment has four words or more and ends like a sentence. A headline yields claims
   only when it is a full clause (subject + finite verb, four words or more); a trailing
   " | Outlet" is left out of its span. A sentence repeated verbatim in one article counts once.
6. Every other sentence yields at least one claim, so nothing said is lost.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from factcheck.records import Article, Claim, Sentence, stable_id
from factcheck.stages.ingest import match_dateline

REPORTING = frozenset(
    "say tell report claim note announce state add write conclude insist confirm explain "
    "declare assert allege tweet reply comment stress".split()
)
SUBJ = ("nsubj", "nsubjpass", "expl", "csubj")
FINITE = ("VBD", "VBZ", "VBP", "MD")
INFORMATIVE = ("DATE", "TIME", "GPE", "LOC", "FAC", "EVENT", "PERSON")
SUBJ_PRONOUNS = {"he", "she", "it", "they"}
OPEN_Q, CLOSE_Q = "“‘", "”’"
QUOTES = "\"“”‘’'"
ROLES = {"counterpart", "minister", "spokesman", "spokeswoman", "leader", "chief", "secretary",
         "general", "president", "colleague", "envoy", "ambassador", "activist", "lawmaker",
         "commander", "official", "chairman", "adviser", "advisor", "premier"}
TITLES = {"mr", "mr.", "ms", "ms.", "mrs", "minister", "general", "spokesman", "spokeswoman",
          "president", "secretary", "ambassador", "envoy", "chief", "dr", "dr."}
NAME_PREFIXES = {"prime", "foreign", "deputy", "senior", "vice", "defense", "defence", "lieutenant"}
HEADLINE_SUFFIX = re.compile(r"\s+[|–—-]\s+[^|–—-]{1,40}$")
HEADLINE_ATTRIBUTION = re.compile(r":\s*(?P<who>[\w .’'-]{1,40}?)\s+(?:reports?|says?|said|claims?)\s*$")


def extract_claims(article: Article, sentences: Sequence[Sentence], nlp=None) -> list[Claim]:
    """Atomic claims of `sentences` (spans exact, in article order, speaker kept)."""
    if nlp is None:
        from factcheck.nlp import load_nlp

        nlp = load_nlp()
    work = [s for s in sentences if _eligible(article, s)]
    leads = [_lead(s) for s in work]
    docs = list(nlp.pipe(s.text[lead:] for s, lead in zip(work, leads)))
    persons = _person_names(docs)
    ctx = _Context()
    seen: set[str] = set()
    drafts: list[_Draft] = []
    for sentence, lead, doc in zip(work, leads, docs):
        key = " ".join(sentence.text.casefold().split())
        if key in seen or not _is_statement(sentence, doc):
            continue
        seen.add(key)
        drafts.extend(_SentenceClaims(sentence, sentence.start + lead, doc, ctx, persons).run())
    return _finish(article, drafts)


# --------------------------------------------------------------------------- filtering

def _eligible(article: Article, s: Sentence) -> bool:
    if s.kind in ("caption", "dateline") or not s.text.strip():
        return False
    return not any(b.start < s.end and s.start < b.end for b in article.boilerplate)


def _lead(s: Sentence) -> int:
    """Characters of a dateline ("Bangkok, Jul 7 (EFE).- ") that open the sentence."""
    m = match_dateline(s.text)
    return m.end() if m and m.end() < len(s.text) else 0


def _is_statement(s: Sentence, doc) -> bool:
    words = [t for t in doc if t.is_alpha]
    if not words or s.text.rstrip().rstrip(QUOTES).endswith("?"):
        return False
    finite = [t for t in doc if t.tag_ in FINITE or (t.dep_ == "ROOT" and t.tag_ == "VB" and _subject(t))]
    if not finite:
        # verbless: a date line or "Source link" is not a statement, but a garbled sentence of
        # four words or more that ends like one still says something (rule 6)
        return s.kind == "body" and len(words) >= 4 and s.text.rstrip().endswith((".", "!", ".”", "”."))
    root = next(iter(doc.sents)).root
    first = words[0]
    if root.tag_ == "VB" and not _subject(root) and first == root:
        return False                         # imperative: "Follow us on Telegram…"
    if s.kind == "headline":
        return len(words) >= 4 and any(_subject(t) for t in finite)
    return True


def _person_names(docs) -> set[str]:
    """Words of names spaCy tagged PERSON anywhere in the article ("Sergei Lavrov" → "lavrov")."""
    out: set[str] = set()
    for doc in docs:
        for e in doc.ents:
            if e.label_ == "PERSON":
                out.update(t.lower_ for t in e if t.is_alpha and t.is_title)
        for t in doc:                        # NER misses names; a role word in front is a surer sign
            if t.pos_ != "PROPN" or t.dep_ == "compound":
                continue
            names = [c for c in t.lefts if c.dep_ == "compound" and c.pos_ == "PROPN"] + [t]
            roles = [c for c in t.lefts if c.dep_ == "compound" and c.lower_ in ROLES | TITLES]
            if roles or (t.dep_ == "appos" and t.head.lower_ in ROLES) or any(
                    c.lower_ in ("mr.", "ms.", "mrs.", "mr", "ms") for c in t.lefts):
                out.update(n.lower_ for n in names if n.lower_ not in ROLES | TITLES)
    return out


# --------------------------------------------------------------------------- model

@dataclass
class _Draft:
    sentence: Sentence
    start: int
    end: int
    standalone: str
    speaker: str | None


@dataclass
class _Context:
    """What rule 4 may point back to: the previous sentence's subject and speaker."""
    subject: tuple[str, str] | None = None     # (text, kind) kind: person | thing | group
    speaker: tuple[str, str] | None = None
    last_person: str | None = None


@dataclass
class _Frame:
    speaker: str | None
    subject: object | None                      # token heading the reporting subject
    content: object | None                      # head of the reported content, if inside
    tokens: set[int] = field(default_factory=set)
    leading: bool = False
    informative: bool = False
    keep: set[int] = field(default_factory=set)             # frame words kept in the standalone
    extra_claims: list = field(default_factory=list)        # (token ids, subject) of trailing frames


def _subject(tok):
    return next((c for c in tok.children if c.dep_ in SUBJ), None)


def _subtree_ids(tok) -> set[int]:
    return {t.i for t in tok.subtree}


class _SentenceClaims:
    """Claims of one sentence; holds the parse and the shared context while they are built."""

    def __init__(self, sentence: Sentence, base: int, doc, ctx: _Context, persons: set[str]):
        self.s, self.base, self.doc, self.ctx, self.persons = sentence, base, doc, ctx, persons

    # ------------------------------------------------------------------ main
    def run(self) -> list[_Draft]:
        out: list[_Draft] = []
        first_subject = first_speaker = None
        if self.s.kind == "headline":
            return self._headline()
        for sent in self.doc.sents:
            if not any(t.is_alpha for t in sent):
                continue
            drafts, subj, spk = self._sent(sent)
            out.extend(drafts)
            if first_subject is None and first_speaker is None:
                first_subject, first_speaker = subj, spk
        self._remember(first_subject, first_speaker)
        return out

    def _headline(self) -> list[_Draft]:
        text = self.s.text[self.base - self.s.start:].rstrip()
        end = len(text)
        m = HEADLINE_SUFFIX.search(text)
        if m and not any(t.tag_ in FINITE for t in self.doc.char_span(m.start(), m.end(), alignment_mode="expand") or []):
            end = m.start()
        body, speaker = text[:end], None
        m = HEADLINE_ATTRIBUTION.search(body)
        if m:
            speaker, body = m.group("who").strip(), body[: m.start()]
        if end <= 0:
            return []
        return [_Draft(self.s, self.base, self.base + end, _tidy(body), speaker)]

    def _remember(self, subject, speaker) -> None:
        self.ctx.subject, self.ctx.speaker = subject, speaker
        for e in self.doc.ents:
            if e.label_ == "PERSON":
                self.ctx.last_person = _strip_det(e.text)
        if subject and subject[1] == "person":
            self.ctx.last_person = subject[0]

    # ------------------------------------------------------------------ one spaCy sentence
    def _sent(self, sent):
        lo, hi = sent.start, sent.end
        extractions = self._extractions(sent)
        removed: set[int] = set()
        for ex in extractions:
            removed |= ex["remove"]
        according = self._according(sent)
        outer_speaker = None
        if according:
            outer_speaker = according[0]
            removed |= according[1]

        drafts: list[_Draft] = []
        ctx_subject = ctx_speaker = None
        pieces = self._split(sent.root, lo, hi)
        for p_index, (head, plo, phi, shared) in enumerate(pieces):
            frame = self._frame(head, plo, phi)
            speaker = outer_speaker or (frame.speaker if frame else None)
            if frame and frame.content is not None:
                sub = self._split(frame.content, plo, phi)
            else:
                sub = [(head, plo, phi, shared)]
            if p_index == 0:
                subj_tok = frame.subject if frame else _subject(head)
                ctx_subject = self._describe(subj_tok)
                ctx_speaker = None
                if frame and frame.speaker and frame.subject is not None:
                    ctx_speaker = (frame.speaker, self._kind(frame.subject) or "thing")
                if outer_speaker and not ctx_speaker:
                    ctx_speaker = (outer_speaker, "thing")
            for k, (shead, slo, shi, sshared) in enumerate(sub):
                drop = set(removed)
                if frame:
                    drop |= frame.tokens - (frame.keep if k == 0 else set())
                if shared is not None and k == 0:
                    sshared = shared
                prefix = None
                if sshared is not None:
                    prefix = self._np_text(sshared, removed, frame)
                ids = [i for i in range(slo, shi) if i not in drop]
                # separators and the conjunction before the next clause belong to neither clause
                while ids and (self.doc[ids[-1]].dep_ == "cc" or self.doc[ids[-1]].text in ",;:–—-"):
                    ids.pop()
                while ids and (self.doc[ids[0]].dep_ in ("cc", "mark") and self.doc[ids[0]].head.i == shead.i
                               and self.doc[ids[0]].lower_ in ("and", "but", "or", "while", "whereas", "so")):
                    ids.pop(0)
                text = self._render(ids, prefix, frame, shead)
                if not text:
                    continue
                drafts.append(self._draft(slo, shi, text, speaker))
            for ftoks, fsubj in (frame.extra_claims if frame else []):
                ids = sorted(i for i in ftoks if not self.doc[i].is_punct)
                if ids and ids[-1] - ids[0] + 1 == len(ids) and plo <= ids[0] and ids[-1] < phi:
                    subst = {}
                    if fsubj is not None and fsubj.lower_ in SUBJ_PRONOUNS:
                        who = self._resolve(fsubj, frame=None, speaker_role=True)
                        if who:
                            subst[fsubj.i] = who
                    text = self._join(ids, subst)
                    drafts.append(self._draft(ids[0], ids[-1] + 1, _tidy(text), outer_speaker))

        for ex in extractions:
            spk = None
            inside = next((p for p in pieces if p[1] <= ex["lo"] and ex["hi"] <= p[2]), None)
            if inside is not None:
                pframe = self._frame(inside[0], inside[1], inside[2])
                in_frame = pframe is not None and ex["lo"] in pframe.tokens
                if not in_frame:
                    spk = outer_speaker or (pframe.speaker if pframe else None)
            spk = spk or ex.get("speaker")
            drafts.append(self._draft(ex["lo"], ex["hi"], ex["text"], spk))
        return drafts, ctx_subject, ctx_speaker

    def _draft(self, lo: int, hi: int, text: str, speaker: str | None) -> _Draft:
        toks = self.doc[lo:hi]
        # the span never starts or ends on separators; quotes stay (they are part of what was said)
        while len(toks) > 1 and (toks[0].is_punct and toks[0].text not in OPEN_Q + '"' or toks[0].dep_ == "cc"):
            toks = toks[1:]
        while len(toks) > 1 and (toks[-1].text in ",;:–—-" or toks[-1].dep_ == "cc"):
            toks = toks[:-1]
        start = self.base + toks.start_char
        end = self.base + toks.end_char
        return _Draft(self.s, start, end, text, speaker)

    # ------------------------------------------------------------------ rule 1: clause splits
    def _split(self, head, lo: int, hi: int):
        """[(head, lo, hi, shared_subject)] clause pieces of the clause headed by `head`."""
        if head.pos_ not in ("VERB", "AUX"):
            return [(head, lo, hi, None)]
        subj = _subject(head)
        cuts = []
        stack = [head]
        while stack:
            h = stack.pop()
            for c in h.children:
                if not (lo <= c.left_edge.i and c.right_edge.i < hi) or c.i < head.i:
                    continue
                own = _subject(c)
                if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX"):
                    if self._trailing_frame(c):
                        continue
                    if own is not None:
                        cuts.append((c, None))
                    elif subj is not None and not any(self.doc[j].text in ":;" for j in range(h.i, c.i)) and (c.tag_ in FINITE or any(a.dep_ in ("aux", "auxpass") and a.tag_ in FINITE for a in c.children)):
                        cuts.append((c, subj))
                    else:
                        continue
                    stack.append(c)
                elif c.dep_ == "advcl" and own is not None and any(m.lower_ in ("while", "whereas") for m in c.children if m.dep_ == "mark"):
                    if c.left_edge.i > 0 and self.doc[c.left_edge.i - 1].text == ",":
                        cuts.append((c, None))
                elif c.dep_ in ("parataxis", "conj") and own is not None and c.left_edge.i > 0 and self.doc[c.left_edge.i - 1].text == ";":
                    cuts.append((c, None))
        if not cuts:
            return [(head, lo, hi, None)]
        cuts.sort(key=lambda x: x[0].left_edge.i)
        bounds = [lo] + [c.left_edge.i if sh is None else self._first_of(c) for c, sh in cuts] + [hi]
        pieces = [(head, bounds[0], bounds[1], None)]
        for (c, sh), a, b in zip(cuts, bounds[1:], bounds[2:]):
            pieces.append((c, a, b, sh))
        if any(b - a < 2 for _, a, b, _ in pieces):
            return [(head, lo, hi, None)]    # a degenerate split is not safe
        return pieces

    def _first_of(self, verb) -> int:
        """Start of a subject-less verb conjunct: its leftmost dependent (aux, adverb)."""
        return verb.left_edge.i

    # ------------------------------------------------------------------ rule 3: attribution
    def _trailing_frame(self, tok) -> bool:
        """", Lavrov told reporters." / ", reports AP." after the content it reports."""
        if not (tok.lemma_.lower() in REPORTING and tok.i > tok.head.i
                and not any(c.dep_ == "ccomp" for c in tok.children)
                and self._reporter(tok) is not None):
            return False
        first = next(t for t in tok.subtree if not t.is_punct or t == tok)
        return first.i > 0 and self.doc[first.i - 1].text in (",", "”", "’", '"')

    def _reporter(self, verb):
        subj = _subject(verb)
        if subj is None:                      # inverted: ", reports AP"
            subj = next((c for c in verb.children if c.dep_ in ("dobj", "attr") and c.pos_ == "PROPN" and c.i > verb.i), None)
        return subj

    def _frame(self, head, lo: int, hi: int) -> _Frame | None:
        """The reporting frame of a clause, if it has one (outermost source first)."""
        frames = []
        trailing = [c for c in head.children if c.dep_ in ("ccomp", "parataxis", "conj", "advcl") and self._trailing_frame(c)]
        for t in trailing:
            ids = _subtree_ids(t)
            if self.doc[min(ids) - 1].text == ",":
                ids.add(min(ids) - 1)
            frames.append(_Frame(self._speaker_name(self._reporter(t)), self._reporter(t), None, ids))
        content = head
        inner = None
        while content.lemma_.lower() in REPORTING and self._reporter(content) is not None:
            cc = [c for c in content.children if c.dep_ == "ccomp" and not self._trailing_frame(c)]
            if not cc and content.lemma_.lower() in ("say", "claim", "state"):
                # a mis-parse of "X said the plan should be…" makes the content a direct object
                cc = [c for c in content.children if c.dep_ == "dobj" and c.pos_ in ("NOUN", "PROPN")
                      and c.lower_ not in ("reporters", "journalists") and len(list(c.subtree)) > 3]
            if not cc:
                break
            inner_content = cc[0]
            toks = {i for i in range(lo, hi)} - _subtree_ids(inner_content)
            toks = {i for i in toks if i in _subtree_ids(content)}
            for f in frames:
                toks -= f.tokens
            reporter = self._reporter(content)
            inner = _Frame(self._speaker_name(reporter), reporter, inner_content, toks,
                           leading=content.i < inner_content.i)
            frames.append(inner)
            content = inner_content
        if not frames:
            return None
        outer = frames[0]
        tokens: set[int] = set()
        for f in frames:
            tokens |= f.tokens
        tokens = {i for i in tokens if lo <= i < hi}
        # marks such as "that" belong to the frame, not the content
        for i in range(lo, hi):
            t = self.doc[i]
            if t.dep_ == "mark" and t.lower_ == "that" and t.head == content:
                tokens.add(i)
        frame = _Frame(outer.speaker, outer.subject, content if inner else None, tokens,
                       leading=bool(inner and inner.leading))
        for f in frames:
            subj_ids = _subtree_ids(f.subject) if f.subject is not None else set()
            verb = {f.subject.head.i} if f.subject is not None else set()
            f.informative = any(self.doc[i].ent_type_ in INFORMATIVE for i in f.tokens - subj_ids - verb)
            if f.leading and f.informative and f is frames[-1]:
                # "Rosneft said in April 2021 it planned…": the frame holds a fact, keep it in place
                frame.keep = set(f.tokens) | {i for i in tokens if self.doc[i].dep_ == "mark"}
            elif not f.leading and f.informative:
                frame.extra_claims.append((f.tokens & tokens, f.subject))
        frame.informative = bool(frame.keep)
        if frame.subject is not None and frame.subject.lower_ in SUBJ_PRONOUNS:
            frame.speaker = self._resolve(frame.subject, frame=None, speaker_role=True) or frame.speaker
        return frame

    def _according(self, sent):
        """("TASS", token ids to drop) for an "according to X" anywhere in the sentence."""
        for t in sent:
            if t.lower_ == "according" and t.i + 1 < sent.end and self.doc[t.i + 1].lower_ == "to":
                to = self.doc[t.i + 1]
                pobj = next((c for c in to.children if c.dep_ == "pobj"), None)
                if pobj is None:
                    pobj = next((c for c in t.subtree if c.dep_ == "pobj"), None)
                if pobj is None:
                    continue
                ids = _subtree_ids(t) | _subtree_ids(to)
                lo_, hi_ = min(ids), max(ids)
                ids = set(range(lo_, hi_ + 1))
                if lo_ > sent.start and self.doc[lo_ - 1].text == ",":
                    ids.add(lo_ - 1)
                elif hi_ + 1 < sent.end and self.doc[hi_ + 1].text == ",":
                    ids.add(hi_ + 1)
                name = self._speaker_name(pobj)
                if name and name.lower() in ("the report", "report", "the statement") and self.ctx.speaker:
                    name = self.ctx.speaker[0]
                return name, ids
        return None

    def _speaker_name(self, subj) -> str | None:
        """The source's name: a PERSON entity, else its proper-noun run, else the noun phrase."""
        if subj is None:
            return None
        if subj.lower_ in SUBJ_PRONOUNS:
            return subj.text
        ids = _subtree_ids(subj)
        # "local media outlet Myanmar Now claimed": proper nouns right after the subject belong to it
        j = max(ids) + 1
        while j < len(self.doc) and self.doc[j].pos_ == "PROPN" and self.doc[j].i != subj.head.i:
            ids.add(j)
            j += 1
        ids = {i for i in ids if not self._in_clause(self.doc[i], subj, ("relcl", "acl"))}
        toks = [self.doc[i] for i in sorted(ids)]
        persons = [e for e in self.doc.ents if e.label_ == "PERSON" and all(t.i in ids for t in e)]
        if persons:
            return _strip_det(persons[-1].text.removesuffix("'s").removesuffix("’s"))
        runs, run = [], []
        for t in toks:
            if run and t.i != run[-1].i + 1:
                runs.append((run, None))
                run = []
            if t.pos_ == "PROPN" and t.text[:1].isupper():
                run.append(t)
            else:
                if run:
                    runs.append((run, t))
                run = []
        if run:
            runs.append((run, None))
        runs = [r for r, after in runs if not (after is not None and after.tag_ == "POS")]
        runs = [r for r in runs if r[-1].lower_ not in TITLES]
        if runs:
            r = runs[-1]
            while len(r) > 1 and r[0].lower_ in TITLES | ROLES | NAME_PREFIXES:
                r = r[1:]                    # "Prime Minister Min Aung Hlaing" → "Min Aung Hlaing"
            return self.doc[r[0].i:r[-1].i + 1].text
        return _strip_det(self._join(sorted(ids), {}).strip(" ,"))

    def _in_clause(self, tok, np_head, deps=("relcl", "acl", "appos")) -> bool:
        """Is `tok` inside a relative clause or appositive hanging off the noun phrase?"""
        t = tok
        while t != np_head and t.head != t:
            if t.dep_ in deps and t.head.i in _subtree_ids(np_head):
                return True
            t = t.head
        return False

    # ------------------------------------------------------------------ rule 2: relatives/appositives
    def _extractions(self, sent) -> list[dict]:
        out = []
        if sent.root.pos_ in ("VERB", "AUX") and _subject(sent.root) is None:
            return out                       # no subject: the parse is too unsure to cut clauses out
        for t in sent:
            ex = None
            if t.dep_ == "relcl":
                ex = self._relative(t, sent)
            elif t.dep_ == "appos":
                ex = self._appositive(t, sent)
            if ex:
                out.append(ex)
        # outermost only: a clause inside another extracted clause stays in it
        out.sort(key=lambda e: (e["lo"], -e["hi"]))
        kept = []
        for e in out:
            if not any(k["lo"] <= e["lo"] and e["hi"] <= k["hi"] for k in kept):
                kept.append(e)
        return kept

    def _delimited(self, tok, sent):
        """(lo, hi, removal ids) when `tok`'s subtree is set off by commas or dashes, else None."""
        lo_, hi_ = tok.left_edge.i, tok.right_edge.i + 1
        while hi_ - 1 > lo_ and self.doc[hi_ - 1].text in (",", "–", "—", "-", ";"):
            hi_ -= 1
        if lo_ <= sent.start or self.doc[lo_ - 1].text not in (",", "–", "—", "("):
            return None
        ends = (",", "–", "—", ")", ".", ";", ":", "!")
        if hi_ < sent.end and self.doc[hi_].text not in ends:
            if not (self.doc[hi_].text in CLOSE_Q + '"' and (hi_ + 1 == sent.end or self.doc[hi_ + 1].text in ends)):
                return None                  # the clause does not end where the sentence resumes
        remove = set(range(lo_ - 1, hi_))
        if hi_ < sent.end and self.doc[hi_].text in (",", "–", "—", ")"):
            remove.add(hi_)
        return lo_, hi_, remove

    def _antecedent(self, noun, cut: int) -> str:
        head = noun
        for c in noun.conjuncts:
            if c.i < cut and c.i > head.i:
                head = c
        skip: set[int] = set()
        for c in head.children:
            if c.dep_ in ("conj", "cc", "appos", "relcl", "punct") or c.i >= cut:
                skip |= _subtree_ids(c)
        ids = [i for i in sorted(_subtree_ids(head)) if i not in skip and i < cut]
        text = self._join(ids, {})
        if head.lower_ in SUBJ_PRONOUNS:
            return ""
        return re.sub(r"^(an?|An?)\s", "the ", text)

    def _relative(self, verb, sent):
        noun = verb.head
        if noun.pos_ not in ("NOUN", "PROPN"):
            return None
        d = self._delimited(verb, sent)
        if d is None:
            return None
        lo_, hi_, remove = d
        rel = self.doc[lo_]
        if rel.tag_ not in ("WDT", "WP", "WP$", "WRB") or rel.lower_ in ("when", "why", "how"):
            return None
        # the parser often hangs the clause on the last noun: "ambassador to the United Nations,
        # who…", "the parade in March 2021 – which…"; climb to the noun it describes
        while noun.dep_ == "pobj" and noun.head.head.pos_ in ("NOUN", "PROPN") and (
                (rel.lower_ in ("who", "whom") and self._kind(noun) != "person")
                or noun.ent_type_ in ("DATE", "TIME", "CARDINAL")):
            noun = noun.head.head
        if noun.ent_type_ in ("DATE", "TIME", "CARDINAL"):
            return None                      # "…in March 2021 – which coincided…": unsure what "which" is
        ante = self._antecedent(noun, lo_ - 1)
        if not ante:
            return None
        ids = [i for i in range(lo_, hi_)]
        speaker = None
        if verb.lemma_.lower() in REPORTING:            # "which Moscow said will include talks…"
            cc = next((c for c in verb.children if c.dep_ == "ccomp"), None)
            if cc is not None:
                speaker = self._speaker_name(self._reporter(verb))
                ids = sorted(({rel.i} | _subtree_ids(cc)) & set(range(lo_, hi_)))
        if rel.tag_ == "WP$":
            sub = ante + "’s" if "’" in self.s.text else ante + "'s"
        elif rel.tag_ == "WRB":
            sub = "in " + ante
        else:
            sub = ante
        text = _tidy(self._join(ids, {rel.i: sub}))
        return {"lo": lo_, "hi": hi_, "remove": remove, "text": text, "speaker": speaker}

    def _appositive(self, app, sent):
        noun = app.head
        if noun.pos_ not in ("NOUN", "PROPN") or app.i < noun.i:
            return None
        if not (app.pos_ == "NOUN" or app.lower_ == "one"):
            return None                      # a bare name identifies, it states nothing
        d = self._delimited(app, sent)
        if d is None or d[1] - d[0] < 2:
            return None
        lo_, hi_, remove = d
        ante = self._antecedent(noun, lo_ - 1)
        if not ante:
            return None
        target = noun
        for c in noun.conjuncts:
            if target.i < c.i < lo_:
                target = c
        verb = "are" if target.tag_ in ("NNS", "NNPS") else "is"
        text = _tidy(f"{ante} {verb} {self._join(range(lo_, hi_), {})}")
        return {"lo": lo_, "hi": hi_, "remove": remove, "text": text, "speaker": None}

    # ------------------------------------------------------------------ rule 4: pronouns
    def _kind(self, tok) -> str | None:
        """person | thing | group for a named subject, None when it is not a name."""
        if tok is None:
            return None
        ent = tok.ent_type_
        if tok.lower_ in SUBJ_PRONOUNS:
            return None
        if ent == "PERSON" or (tok.pos_ == "PROPN" and tok.lower_ in self.persons) or any(
                c.lower_ in TITLES for c in tok.children if c.dep_ == "compound"):
            return "person"
        if tok.conjuncts or tok.tag_ in ("NNS", "NNPS"):
            return "group" if (ent or tok.pos_ == "PROPN") else None
        if ent in ("ORG", "GPE", "NORP", "FAC") or tok.pos_ == "PROPN":
            return "thing"
        return None

    def _describe(self, tok):
        if tok is None:
            return None
        if tok.lower_ in SUBJ_PRONOUNS:
            who = self._resolve(tok, frame=None, speaker_role=False)
            if who:
                kind = "person" if tok.lower_ in ("he", "she") else ("group" if tok.lower_ == "they" else "thing")
                return (who, kind)
            return None
        kind = self._kind(tok)
        if kind is None:
            return None
        if kind == "person":
            return (self._speaker_name(tok), kind)
        return (self._np_text(tok, set(), None), kind)

    def _resolve(self, pron, frame, speaker_role: bool) -> str | None:
        p = pron.lower_
        if p == "it" and (pron.head.lemma_ in ("be", "seem", "appear", "take", "remain")
                          or pron.head.lower_ in ("’s", "'s")
                          or any(c.dep_ in ("ccomp", "csubj") for c in pron.head.children)):
            return None                      # "it's no secret that…": nothing to resolve
        want = "person" if p in ("he", "she") else ("group" if p == "they" else "thing")
        if frame is not None and frame.subject is not None and frame.subject.lower_ not in SUBJ_PRONOUNS:
            kind = self._kind(frame.subject)
            if kind == want or (kind is None and want == "thing" and frame.subject.tag_ in ("NN", "NNP")):
                return self._np_text(frame.subject, set(), None) if kind != "person" else self._speaker_name(frame.subject)
        for cand in (self.ctx.subject, self.ctx.speaker):
            if cand and cand[1] == want:
                return cand[0]
        if speaker_role and want == "person" and self.ctx.last_person:
            return self.ctx.last_person
        return None

    # ------------------------------------------------------------------ text
    def _np_text(self, tok, removed: set[int], frame) -> str:
        ids = [i for i in sorted(_subtree_ids(tok)) if i not in removed and not self._in_clause(self.doc[i], tok)]
        while ids and self.doc[ids[-1]].is_punct:
            ids.pop()
        subst = {}
        if tok.lower_ in SUBJ_PRONOUNS:
            who = self._resolve(tok, frame, speaker_role=False)
            if who:
                subst[tok.i] = who
        return self._join(ids, subst)

    def _render(self, ids: list[int], prefix: str | None, frame, head) -> str:
        subst = {}
        content_subj = _subject(head) if head is not None else None
        if prefix is None and content_subj is not None and content_subj.lower_ in SUBJ_PRONOUNS \
                and content_subj.i in ids and content_subj.i < head.i \
                and not any(self.doc[i].pos_ in ("NOUN", "PROPN", "PRON") for i in ids if i < content_subj.i):
            who = self._resolve(content_subj, frame, speaker_role=False)
            if who:
                subst[content_subj.i] = who
        if frame is not None and frame.subject is not None and frame.subject.i in ids \
                and frame.subject.lower_ in SUBJ_PRONOUNS and frame.speaker and frame.speaker != frame.subject.text:
            subst[frame.subject.i] = frame.speaker
        text = self._join(ids, subst)
        if prefix:
            text = f"{prefix} {text}"
        return _tidy(text)

    def _join(self, ids: Iterable[int], subst: dict[int, str]) -> str:
        parts, prev = [], None
        for i in ids:
            t = self.doc[i]
            if prev is not None and i != prev + 1 and parts and not parts[-1].endswith(" "):
                parts.append(" ")            # a cut-out clause leaves a gap, not glued words
            parts.append(subst.get(i, t.text) + t.whitespace_)
            prev = i
        return "".join(parts).strip()


def _strip_det(text: str) -> str:
    return re.sub(r"^(the|a|an)\s+", "", text.strip(), flags=re.I)


def _tidy(text: str) -> str:
    """Standalone form: balanced quotes, no dangling separators, capitalised, full stop."""
    t = " ".join(text.split())
    t = re.sub(r"\s+([,.;:!?”’)])", r"\1", t)
    t = re.sub(r"([“‘(])\s+", r"\1", t)
    t = re.sub(r",\s*,", ",", t)
    for _ in range(3):
        t = t.strip(" ,;:–—-")
        if not t:
            break
        if t[:1] in OPEN_Q + '"' and t.count(t[0]) > t.count({"“": "”", "‘": "’"}.get(t[0], t[0])) - (t[0] == '"'):
            t = t[1:]
        if t and t[-1:] in CLOSE_Q + '"' and t.count(t[-1]) > t.count({"”": "“", "’": "‘"}.get(t[-1], t[-1])) - (t[-1] == '"'):
            if not (t[-1] == "’" and re.search(r"\w’$", t)):
                t = t[:-1]
        t = t.rstrip(" ,;:–—-")
    t = re.sub(r"^(and|but|or)\s+", "", t, flags=re.I)
    if not t or not any(ch.isalpha() for ch in t):
        return ""
    t = t[0].upper() + t[1:]
    if t[-1] not in ".!?”’\"":
        t += "."
    elif t[-1] in "”’\"" and t[-2:-1] not in ".!?":
        t += "."
    return t


def _finish(article: Article, drafts: list[_Draft]) -> list[Claim]:
    drafts.sort(key=lambda d: (d.start, -d.end))
    out: list[Claim] = []
    seen: set[tuple[int, int]] = set()
    for d in drafts:
        if (d.start, d.end) in seen or d.end <= d.start or not d.standalone:
            continue
        seen.add((d.start, d.end))
        text = article.text[d.start:d.end]
        out.append(Claim(id=stable_id(article.id, str(d.start), str(d.end)), article_id=article.id,
                         sentence_id=d.sentence.id, index=len(out), start=d.start, end=d.end,
                         text=text, standalone=d.standalone, speaker=d.speaker))
    return out
