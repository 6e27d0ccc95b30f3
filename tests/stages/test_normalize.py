"""Normalisation: entities merged across articles, titles, genders, hedged numbers, dates."""
from __future__ import annotations

import pytest

from factcheck.records import Article, Claim, stable_id
from factcheck.stages.normalize import find_acronym_defs, normalize_claims, resolve_date

from conftest import line_corpus  # a claim per line


def _corpus(*texts: tuple[str, str | None]):
    arts, claims = {}, []
    for i, (text, pub) in enumerate(texts):
        aid = f"{i:03d}_test"
        arts[aid] = Article(aid, aid, "", text, published=pub, published_source="date line")
        cid = stable_id(aid, "0", str(len(text)))
        claims.append(Claim(cid, aid, cid, 0, 0, len(text), text, text))
    return claims, arts, normalize_claims(claims, arts)


def _ents(facts, claim, surface):
    return {m.entity for m in facts[claim.id].mentions if m.text == surface}


def test_name_variants_share_one_entity_across_articles():
    claims, _, facts = _corpus(
        ("Russian Defense Minister Sergey Shoygu met Senior General Min Aung Hlaing in Moscow.", None),
        ("Defense Minister Sergei Shoigu praised Aung Hlaing, and Lavrov then met Min Aunging.", None),
        ("Russian Foreign Minister Sergei Lavrov backed the Association of Southeast Asian Nations (ASEAN).", None),
        ("Sergey Lavrov said ASEAN should lead.", None))
    a, b, c, d = claims
    assert _ents(facts, a, "Sergey Shoygu") == _ents(facts, b, "Sergei Shoigu")
    mah = _ents(facts, a, "Min Aung Hlaing")
    assert mah == _ents(facts, b, "Aung Hlaing") == _ents(facts, b, "Min Aunging")
    assert _ents(facts, c, "Sergei Lavrov") == _ents(facts, d, "Sergey Lavrov") == _ents(facts, b, "Lavrov")
    assert _ents(facts, c, "Association of Southeast Asian Nations") == _ents(facts, d, "ASEAN")


def test_a_short_acronym_takes_only_names_that_spell_it_whole():
    claims, _, facts = _corpus(
        ("The State Administration Council (SAC) met in Naypyitaw.", None),
        ("Lavrov toured Southeast Asia and met the State Administration Council.", None),
        ("The Association of Southeast Asia Nations (ASEAN) met in Jakarta.", None),
        ("ASEAN foreign ministers met in Jakarta.", None))
    sac = _ents(facts, claims[0], "SAC")
    assert sac == _ents(facts, claims[1], "State Administration Council")
    assert _ents(facts, claims[1], "Southeast Asia") and _ents(facts, claims[1], "Southeast Asia") != sac
    # (a longer one may miss a letter: "Southeast Asia" for "Southeast Asian")
    assert _ents(facts, claims[2], "Association of Southeast Asia Nations") == _ents(facts, claims[3], "ASEAN")


def test_titles_and_nationality_attach_to_people():
    claims, _, facts = _corpus(
        ("Russian Foreign Minister Sergey Lavrov met Senior General Min Aung Hlaing and Prime Minister "
         "Min Aung Hlaing again.", None),)
    ms = {(m.text, m.title) for m in facts[claims[0].id].mentions}
    assert ("Sergey Lavrov", "Foreign Minister") in ms
    assert ("Min Aung Hlaing", "Senior General") in ms and ("Min Aung Hlaing", "Prime Minister") in ms
    lav = next(m for m in facts[claims[0].id].mentions if m.text == "Sergey Lavrov")
    assert lav.nationality == "russia"


def test_a_speaker_holds_the_office_and_nation_the_words_before_the_verb_name():
    claims, _, facts = _corpus(
        ("Foreign Minister Retno Marsudi said ASEAN wants all parties to end the violence.", None),
        ("Russian Foreign Minister Sergey Lavrov said the plan should be the basis.", None),
        ("Russia's ambassador said the plan should be the basis.", None),
        ("Japan's envoy told reporters the talks were useful.", None),
        ("The Prime Minister said the talks were useful.", None),
        ("His spokesman said the talks were useful.", None),
        ("Thai Deputy Prime Minister Don Pramudwinai said the bloc should stay united.", None),
        ("Thailand's deputy prime minister said the bloc should stay united.", None))
    got = [[(sp.office, sp.nationality) for sp in facts[c.id].speakers] for c in claims]
    assert got == [[("foreign minister", None)], [("foreign minister", "russia")], [("ambassador", "russia")],
                   [("envoy", "japan")], [("prime minister", None)], [("spokesman", None)],
                   [("deputy prime minister", "thailand")], [("deputy prime minister", "thailand")]]


def test_gender_from_honorific_and_pronoun():
    claims, _, facts = _corpus(("Ms. Retno Marsudi said she would attend.", None),
                               ("Mr. Lavrov said his visit was a success.", None))
    g0 = {m.gender for m in facts[claims[0].id].mentions if m.gender}
    g1 = {m.gender for m in facts[claims[1].id].mentions if m.gender}
    assert g0 == {"f"} and g1 == {"m"}


def test_numbers_carry_their_hedges():
    claims, _, facts = _corpus(
        ("Russia trained at least 7,000 officers and thousands of soldiers; he visited twice and Russia "
         "visited several times. Russia is one of the biggest weapons suppliers and the top arms supplier.",
         None),)
    qs = facts[claims[0].id].quantities
    by = {q.text: q for q in qs}
    assert by["at least 7,000"].low == 7000 and by["at least 7,000"].high == float("inf")
    assert by["at least 7,000"].unit == "officer"
    assert (by["thousands of"].low, by["thousands of"].high) == (2000, 999_999)
    assert by["twice"].kind == "count" and by["twice"].low == 2
    assert (by["several times"].low, by["several times"].high) == (3, 9)
    ranks = [q for q in qs if q.kind == "rank"]
    assert {q.exact for q in ranks} == {True, False}  # "top" exact, "one of the biggest" hedged


def test_a_superlative_gives_a_rank_of_its_noun_where_it_holds():
    texts = ["HSBC is the country's second-largest bank.",
             "Mizuho, Japan's second-biggest lender by assets, said on Monday.",
             "It is the fourth-largest archdiocese in the United States.",
             "The Bank of England's largest shareholder sold.",
             # no standing rank: hedged, of a time, without a noun
             "Samsung is one of the largest companies in the world.",
             "It was the largest protest since 1989 and the deadliest attack in decades.",
             "It was the biggest ever bailout, and the largest-ever fine.",
             "It is the largest camera upgrade in Apple's history.",
             "Of the three, Lisbon is the largest."]
    claims, _, facts = _corpus(*((t, None) for t in texts))
    ranks = [[(q.text, q.low, q.unit) for q in facts[c.id].quantities if q.kind == "rank"] for c in claims]
    assert ranks[:4] == [
        [("the country's second-largest bank", 2, "largest bank in country")],
        [("Japan's second-biggest lender by assets", 2, "largest lender in Japan by assets")],
        [("the fourth-largest archdiocese in the United States", 4, "largest archdiocese in United States")],
        [("The Bank of England's largest shareholder", 1, "largest shareholder in Bank of England")]]
    assert ranks[4:] == [[], [], [], [], []]


def test_an_event_numbered_by_its_times_is_a_count_or_for_a_visit_a_marker():
    texts = ["The central bank raised rates for the fifth time this year.",
             "He stepped down for the second time.",
             "The team won the title for the first time since 2010.",
             "It's not the first time Hessler has made headlines.",
             "Min Aung Hlaing is visiting Russia for the first time.",
             "Min Aung Hlaing visited Russia for the third time.",
             "It is not the first time Min Aung Hlaing has visited Russia.",
             # no event: a copula, a time limit
             "It was the first time.", "They missed the second time limit."]
    claims, _, facts = _corpus(*((t, "2026-03-01") for t in texts))
    counts = [[(q.low, q.high, q.unit, q.window) for q in facts[c.id].quantities if q.kind == "count"]
              for c in claims]
    assert counts[0] == [(5, 5, "times raise", "in 2026")]
    assert counts[1] == [(2, 2, "times step down", None)]
    assert counts[2] == [(1, 1, "times win", "since 2010")]
    assert counts[3] == [(2, float("inf"), "times make", None)]        # at least the second
    marks = [[(m.kind, m.nth, m.event) for m in facts[c.id].markers] for c in claims]
    assert marks[4:7] == [[("first", 1, "visit")], [("previously", 3, "visit")], [("previously", None, "visit")]]
    assert counts[4:] == [[]] * 5 and marks[7:] == [[], []]


def test_relative_dates_resolve_against_publication_date():
    assert resolve_date("last month", "2021-07-07").earliest == "2021-06-01"
    assert resolve_date("Tuesday", "2021-07-07").earliest == "2021-07-06"
    # a weekday named in an article of that weekday is that day, not a week back
    assert resolve_date("Wednesday", "2022-08-03").earliest == "2022-08-03"
    feb = resolve_date("February of last year", "2022-08-03")
    assert (feb.earliest, feb.latest) == ("2021-02-01", "2021-02-28")
    assert resolve_date("next year", "2022-08-03").year == 2023
    assert resolve_date("April 2021", None).earliest == "2021-04-01"
    late = resolve_date("late July", "2022-08-03")
    assert (late.earliest, late.latest) == ("2022-07-21", "2022-07-31")
    jun = resolve_date("Jun. 13-19", "2021-07-07")
    assert (jun.earliest, jun.latest) == ("2021-06-13", "2021-06-19")
    assert resolve_date("August 2023", "2022-08-03").earliest == "2023-08-01"
    assert "relative to 2021-07-07" in resolve_date("last month", "2021-07-07").basis


def test_relative_dates_stay_unresolved_without_publication_date():
    for phrase in ("last month", "on Tuesday".split()[1], "next year", "February of last year"):
        f = resolve_date(phrase, None)
        assert not f.resolved and f.earliest is None and f.basis.startswith("unresolved")
    feb1 = resolve_date("February 1", None)
    assert feb1.earliest is None and (feb1.month, feb1.day) == (2, 1)


def test_claim_dates_have_offsets_and_basis():
    text = "Last month, Russia welcomed Min Aung Hlaing in Moscow."
    claims, arts, facts = _corpus((text, "2021-07-07"), (text, None))
    d0, d1 = facts[claims[0].id].dates[0], facts[claims[1].id].dates[0]
    assert text[d0.start:d0.end] == "Last month" and d0.earliest == "2021-06-01"
    assert d1.earliest is None and not d1.resolved


def test_acronym_definitions_per_article():
    text = ("the “Office of the State Administrative Council (SAC)” and the State Administrative "
            "Commission (SAC), the Association of Southeast Asia Nations (ASEAN).")
    defs = find_acronym_defs(text)
    assert [(d.acronym, d.expansion) for d in defs] == [
        ("SAC", "State Administrative Council"), ("SAC", "State Administrative Commission"),
        ("ASEAN", "Association of Southeast Asia Nations")]
    assert text[defs[0].start:defs[0].end] == "State Administrative Council (SAC)"


def test_negation_and_precedence_markers():
    claims, _, facts = _corpus(("Russia has not condemned the coup.", None),
                               ("Lavrov's first visit to Myanmar comes ahead of the meeting.", "2022-08-03"),
                               ("Lavrov previously visited Naypyitaw in 2013.", None))
    neg = [f for f in facts[claims[0].id].frames if f.verb == "condemn"]
    assert neg and neg[0].negated and neg[0].obj == "coup"
    first = facts[claims[1].id].markers[0]
    prev = facts[claims[2].id].markers[0]
    assert first.kind == "first" and first.year == 2022
    assert prev.kind == "previously" and prev.year == 2013 and prev.entity == first.entity


def test_a_dateline_date_is_not_a_name():
    """The tagger reads "Jul 4 (Agency" in a dateline as an organisation; it is a date, and as a
    name it would merge with every other article's "Jul 4"."""
    claims, _, facts = _corpus(
        ("Moscow, Jul 4 (Agency) - Senior General Min Aung Hlaing arrived in Moscow on Sunday.", None),
        ("Yangon, Jul 4 (Wire) - The junta chief left for Moscow.", None))
    texts = {m.text for c in claims for m in facts[c.id].mentions}
    assert "Min Aung Hlaing" in texts and "Moscow" in texts
    assert not any(t.startswith("Jul") for t in texts)


def test_merge_input_kept_by_delta_equals_the_merge_of_the_remaining_articles():
    # MergeInput takes articles away and adds them back as a delta analysis does; the merge it
    # gives must be that of the articles left, including the display spelling (first use, in
    # article order) when the article that named something first leaves or comes back changed
    import json
    import random
    from collections import Counter

    from factcheck.stages.normalize import AcronymDef, MergeInput, canonicalise

    pool = [("Sergei Lavrov", "PERSON"), ("Sergey Lavrov", "PERSON"), ("Lavrov", "PERSON"),
            ("ASEAN", "ORG"), ("Asean", "ORG"), ("Myanmar", "GPE"), ("Burma", "GPE"), ("Russian", "NORP"),
            ("Min Aung Hlaing", "PERSON"), ("Min Aung-Hlaing", "PERSON"), ("Aung Hlaing", "PERSON"),
            ("Moscow", "GPE"), ("Kremlin", "ORG"), ("kremlin", "ORG")]
    # acronyms spelled out two ways (the first spelling seen names the entity)
    acrs = [AcronymDef("ASEAN", "Association of Southeast Asian Nations", 0, 10),
            AcronymDef("ASEAN", "Association of South-East Asian Nations", 5, 40),
            AcronymDef("MRC", "Mekong River Commission", 12, 30),
            AcronymDef("MRC", "Mekong River Committee", 3, 20)]
    rng = random.Random(7)

    def article() -> tuple:
        uses = [rng.choice(pool) for _ in range(rng.randint(1, 6))]
        return uses, [rng.choice(acrs) for _ in range(rng.randint(0, 2))] if rng.random() < 0.4 else []

    names = {f"a{i:02d}": article() for i in range(12)}
    merge = MergeInput.build(names)
    rebuilt = 0
    for step in range(300):
        leaving = rng.sample(sorted(names), rng.randint(0, min(3, len(names))))
        joining = {f"a{rng.randint(0, 25):02d}": article() for _ in range(rng.randint(0, 3))}
        changed = {a: v for a, v in joining.items() if a in names}
        for a in leaving + [a for a in changed if a not in leaving]:
            merge.remove(a, *names.pop(a))
        for a, v in joining.items():
            if a in names:                               # joined twice in this step: keep one
                continue
            names[a] = v
            merge.add(a, *v)
        if not merge.complete:          # where a name is first used is unknown: built again
            rebuilt += 1
            merge = MergeInput.build(names)
        assert merge.canonicalise() == canonicalise(names), step
        # the definitions in the order a full pass first meets them (articles by id), with their counts
        met = Counter((d.acronym, d.expansion) for a in sorted(names) for d in names[a][1])
        assert list(merge.defs.counts().items()) == list(met.items())
        merge = MergeInput.from_json(json.loads(json.dumps(merge.to_json())))
        # the input holds each distinct name and definition once, however many articles repeat it
        assert len(merge.to_json()["uses"]) == len({u for v in names.values() for u in v[0]})
        assert len(merge.to_json()["defs"]) == len({(d.acronym, d.expansion) for v in names.values() for d in v[1]})
    assert 0 < rebuilt < 150       # mostly kept by the delta; rebuilt only when the order is unknown


def test_every_article_spelling_out_an_acronym_counts_towards_its_entity_label():
    # the merge takes each (acronym, expansion) once, but every article that defines it still
    # counts as one naming of an organisation: three definitions outweigh two place mentions
    from factcheck.stages.normalize import AcronymDef, canonicalise

    mrc = AcronymDef("MRC", "Mekong River Commission", 0, 23)
    names = {"a1": ([("Mekong River Commission", "GPE")], [mrc]),
             "a2": ([("Mekong River Commission", "GPE")], [mrc]),
             "a3": ([("Lao", "NORP")], [AcronymDef("MRC", "Mekong River Commission", 40, 63)])}
    merged = canonicalise(names)
    assert merged["mekong river commission"] == merged["acr:MRC"]
    assert merged["mekong river commission"][3] == "ORG"
    # one definition alone is outweighed by the two place mentions
    assert canonicalise({**names, "a2": (names["a2"][0], []), "a3": (names["a3"][0], [])})[
        "mekong river commission"][3] == "GPE"


def test_stored_facts_decode_to_the_records_they_were_made_from():
    """A delta reads the facts of the claims it checks from their stored JSON with
    `pipeline.decode_facts` (slots set directly): every kind of fact comes back equal, spans as
    tuples, with the same hash, as through `facts_from_dict`."""
    import dataclasses
    import json

    from factcheck.pipeline import decode_facts
    from factcheck.stages.normalize import Mention, facts_from_dict

    claims, _, facts = _corpus(
        ("Russian Foreign Minister Sergei Lavrov said at least 1,500 people were killed in 2021.", "2022-08-03"),
        ("Ms. Aung San Suu Kyi, 77, was not released, the ambassador said on Tuesday.", "2022-08-03"),
        ("Lavrov's first visit to Myanmar comes ahead of the five-point consensus meeting of the "
         "Association of Southeast Asian Nations (ASEAN).", "2022-08-03"),
        ("Lavrov previously visited Naypyitaw in 2013, the ministry's spokesperson said.", None))
    from factcheck.records import to_plain
    kinds = set()
    for f in facts.values():
        assert to_plain(type(f))(f) == dataclasses.asdict(f)           # (what a new row is made from)
        plain = json.loads(json.dumps(dataclasses.asdict(f)))
        got = decode_facts(plain)
        assert got == f == facts_from_dict(plain) and hash(got) == hash(f)
        assert all(type(a.title_span) is type(b.title_span) and type(a.gender_span) is type(b.gender_span)
                   and type(a.age_span) is type(b.age_span) for a, b in zip(got.mentions, f.mentions))
        kinds |= {k for k in ("quantities", "dates", "markers", "frames", "acronyms", "plans", "speakers")
                  if getattr(f, k)}
        kinds |= {k for m in f.mentions for k in ("title", "gender", "age") if getattr(m, k)}
    assert kinds == {"quantities", "dates", "markers", "frames", "acronyms", "plans", "speakers", "title", "gender",
                     "age"}
    # a stored mention without a field that has a default decodes with that default
    m = next(m for f in facts.values() for m in f.mentions)
    plain = dataclasses.asdict(m)
    del plain["gender_span"]
    assert decode_facts({**json.loads(json.dumps(dataclasses.asdict(next(iter(facts.values()))))),
                         "mentions": [plain]}).mentions == (dataclasses.replace(m, gender_span=None),)
    assert isinstance(m, Mention)


def _facts_under(text: str, others: tuple[str, ...]):
    """The plain facts of one article's single claim under the merge of it and `others`, and the
    merge's entries (`CanonSigner.entries`), and the article's name texts."""
    import json
    from dataclasses import asdict

    from factcheck.stages import normalize as norm
    texts = (text, *others)
    docs = norm.parse_articles(list(texts))
    names = {f"{i:03d}": norm.article_names(d, t) for i, (d, t) in enumerate(zip(docs, texts))}
    canon = norm.canonicalise({a: (norm.name_uses(r), defs) for a, (r, defs) in names.items()})
    art = Article("000", "000", "", text, published="2023-07-04", published_source="date line")
    claim = Claim("c0", "000", "c0", 0, 0, len(text), text, text)
    raws, defs = names["000"]
    facts = norm.claims_facts([claim], art, docs[0], raws, defs, canon)
    plain = {cid: json.loads(json.dumps(asdict(f))) for cid, f in facts.items()}
    return plain, norm.CanonSigner(canon).entries, [r.text for r in raws]


def test_facts_whose_entity_moved_are_rewritten_as_a_parse_would_make_them():
    """Another article names "Retno Marsudi": the entity of "Marsudi" takes that id and name.
    The facts of then, rewritten, are those made afresh under the new merge: mentions, the
    pronoun's person, the speaker, the frame's subject, the marker's person."""
    from factcheck.stages.normalize import remap_facts
    text = ("Foreign Minister Marsudi said on Tuesday that she made her first visit to Moscow "
            "and that Marsudi met Lavrov there.")
    then, before, names = _facts_under(text, ("Sergei Lavrov arrived in Jakarta.",))
    now, after, _ = _facts_under(text, ("Sergei Lavrov arrived in Jakarta.",
                                        "Indonesian Foreign Minister Retno Marsudi spoke on Monday."))
    assert then != now                                   # (the entity did move)
    f = now["c0"]
    assert {m["text"] for m in f["mentions"] if m["entity"] == "e:retno-marsudi"} == {"Marsudi", "she", "her"}
    assert [x["entity"] for x in f["speakers"]] == [x["entity"] for x in f["markers"]] == ["e:retno-marsudi"]
    assert {x["subject"] for x in f["frames"]} == {"e:retno-marsudi"}
    assert remap_facts(then, names, before, after) == now


def test_facts_are_not_rewritten_when_a_move_is_more_than_a_new_id():
    """Two entities of an article that become one, an entity that splits, or a name that stops
    being a person: its facts would differ beyond the ids (pronouns, persons), so they are made
    again (None)."""
    import json

    from factcheck.stages.normalize import remap_facts
    f = {"c0": {"mentions": [{"entity": "e:a", "name": "A"}, {"entity": "e:b", "name": "B"}],
                "markers": [], "frames": [], "speakers": []}}
    before = {"a": json.dumps(["e:a", "A", True, "PERSON"]), "b": json.dumps(["e:b", "B", True, "PERSON"])}
    same = {"a": json.dumps(["e:ab", "A B", True, "PERSON"]), "b": json.dumps(["e:b", "B", True, "PERSON"])}
    assert remap_facts(f, ["a", "b"], before, same)["c0"]["mentions"][0] == {"entity": "e:ab", "name": "A B"}
    # an affiliation and a frame's place are entity ids too
    g = {"c0": {"mentions": [{"entity": "e:b", "name": "B", "affiliation": "e:a"}], "markers": [], "speakers": [],
                "frames": [{"subject": "e:b", "obj": None, "place": "e:a"}]}}
    got = remap_facts(g, ["a", "b"], before, same)["c0"]
    assert got["mentions"][0]["affiliation"] == got["frames"][0]["place"] == "e:ab"
    merged = {"a": json.dumps(["e:b", "B", True, "PERSON"]), "b": json.dumps(["e:b", "B", True, "PERSON"])}
    assert remap_facts(f, ["a", "b"], before, merged) is None
    split = {"a": json.dumps(["e:x", "X", True, "PERSON"]), "a2": json.dumps(["e:y", "Y", True, "PERSON"])}
    assert remap_facts(f, ["a", "a2"], {"a": before["a"], "a2": before["a"]}, split) is None
    place = {**before, "a": json.dumps(["e:a", "A", False, "GPE"])}
    assert remap_facts(f, ["a", "b"], before, place) is None
    assert remap_facts(f, ["a", "b"], before, {"b": before["b"]}) is None


@pytest.mark.parametrize("text, nation", [
    ("Singaporean Prime Minister Lee Hsien Loong met the delegation.", "singapore"),
    ("Vietnamese Foreign Minister Bui Thanh Son met the delegation.", "vietnam"),
    ("Filipino Foreign Secretary Enrique Manalo met the delegation.", "philippines"),
    ("Kenyan President William Ruto met the delegation.", "kenya"),
])
def test_an_office_s_nationality_comes_from_the_world_s_demonyms(text, nation):
    claims, _, facts = _corpus((text, None))
    titled = [m for m in facts[claims[0].id].mentions if m.person and m.title]
    assert titled and titled[0].nationality == nation, facts[claims[0].id].mentions


def test_an_outlet_s_credit_is_no_entity_but_an_acronym_in_the_story_is():
    """A wire credit in a dateline ("(AFP) -"), a byline of initials ("XYZ Report") and a news
    agency's acronym name who sent the story: no mention, so two articles from one agency are not
    joined by it. An acronym of the story (NATO) stays."""
    claims, _, facts = _corpus(
        ("PARIS, May 2 (AFP) - NATO ministers met in Paris on Tuesday.", None),
        ("XYZ Report\nNATO ministers met in Paris, the DPA agency said.", None))
    texts = {m.text for c in claims for m in facts[c.id].mentions}
    assert "NATO" in texts
    assert not texts & {"AFP", "XYZ", "DPA"}, texts


def test_a_frame_s_subject_is_the_name_it_describes_not_a_name_in_its_description():
    """"Chega, the party led by Andre Ventura, came second": Chega came second. A name inside an
    apposition or relative clause of the subject does not stand for it (it made Ventura the one
    who came second, and paired the claim with his other claims)."""
    claims, _, facts = _corpus(
        ("Chega, the far-right party led by Andre Ventura, came second with 18 percent.", None),
        ("Andre Ventura, who founded Chega, praised the result.", None))
    came = [f for f in facts[claims[0].id].frames if f.verb == "come"]
    assert came and came[0].subject != "e:andre-ventura"
    praised = [f for f in facts[claims[1].id].frames if f.verb == "praise"]
    assert praised and praised[0].subject == "e:andre-ventura"


def test_a_weekday_a_claim_looks_ahead_to_is_the_next_one():
    """Dated Monday 2024-03-11: "met ... on Wednesday" is March 6, "will meet ... on Wednesday" and
    "is expected to meet ... on Wednesday" March 13."""
    claims, _, facts = _corpus(("Santos met the president on Wednesday.", "2024-03-11"),
                               ("Santos will meet the president on Wednesday.", "2024-03-11"),
                               ("Santos is expected to meet the president on Wednesday.", "2024-03-11"))
    days = [[d.earliest for d in facts[c.id].dates] for c in claims]
    assert days == [["2024-03-06"], ["2024-03-13"], ["2024-03-13"]]


def test_a_weekday_told_in_the_past_tense_is_the_last_one_whatever_words_came_before():
    """Dated Wednesday 2026-11-25: a word that seems to look ahead ("plan to", "expected", "will")
    does not move a weekday the parse puts on a verb in the past tense to the next week: "presented
    the plan to staff on Monday" (not "a plan to staff on Monday"), "the expected rise came on
    Monday", "after the plan was announced on Monday", "announced a plan to cut jobs on Monday"
    (news writing dates the announcement). A modal, an infinitive of the verb's own, or a verb that
    looks ahead itself keeps it ahead."""
    past = ("The bank presented the plan to staff on Monday.",
            "The expected rise came on Monday.",
            "Shares fell after the plan for cuts was announced on Monday.",
            "The bank announced a plan to cut jobs on Monday.",
            "The minister, who will visit Paris next, arrived in Berlin on Monday.",
            "He spoke about the plan to cut jobs on Monday.")
    ahead = ("The bank plans to cut 2,000 jobs on Monday.",
             "The bank said it will cut jobs on Monday.",
             "The vote, scheduled for Monday, was postponed.",
             "The vote had been scheduled for Monday.",
             "The strike planned for Monday was called off.",
             "The talks are due to resume on Monday.",
             "The plan to cut 2,000 jobs on Monday was announced.")
    claims, _, facts = _corpus(*((t, "2026-11-25") for t in past + ahead))
    days = [[d.earliest for d in facts[c.id].dates] for c in claims]
    assert days == [["2026-11-23"]] * len(past) + [["2026-11-30"]] * len(ahead)


def test_one_more_of_a_kind_is_marked_with_its_number_and_noun():
    claims, _, facts = _corpus(("A fourth man was arrested on Tuesday.", "2026-03-05"),
                               ("Rescuers found a 2nd body near the bridge.", None),
                               ("Lavrov made a second visit to Myanmar.", None),
                               ("Police arrested three men on Monday.", "2026-03-04"),
                               # a fraction, a comparison, a compound: no one more
                               ("A third of the officers were trained in Russia.", None),
                               ("Smokers were a third less likely to answer on Monday.", None),
                               ("A sixth-grader asked the first question on Monday.", None))
    marks = [[(m.kind, m.nth, m.event, m.text) for m in facts[c.id].markers if m.kind == "another"] for c in claims]
    # (a visit numbered is the visit markers' ("previously", nth 2), not one more of a kind)
    assert marks == [[("another", 4, "man", "A fourth man")], [("another", 2, "body", "a 2nd body")], [], [], [], [], []]


def test_a_passive_with_its_agent_is_framed_as_the_active_it_restates():
    """"Trump was defeated by Biden" states what "Biden defeated Trump" does: subject Biden, object
    Trump (it had Trump as the subject, so the two never compared as one predicate). A passive
    without its agent keeps its subject."""
    claims, _, facts = _corpus(("Biden defeated Trump in the 2020 election.", None),
                               ("Trump was defeated by Biden in the 2020 election.", None),
                               ("Trump was defeated in the 2020 election.", None))
    active, passive, bare = ([f for f in facts[c.id].frames if f.verb == "defeat"] for c in claims)
    assert (active[0].subject, active[0].obj) == ("e:biden", "e:trump")
    assert (passive[0].subject, passive[0].obj) == ("e:biden", "e:trump")
    assert bare[0].subject == "e:trump"


@pytest.mark.parametrize("phrase,published,ahead,day", [
    ("November 1", "2025-09-16", True, "2025-11-01"),    # "will take office on November 1"
    ("November 1", "2025-09-16", False, "2024-11-01"),   # "took office on November 1"
    ("January 5", "2025-12-10", True, "2026-01-05"),
    ("March 3", "2025-03-10", True, "2025-03-03"),       # "said he would visit on March 3": the nearer
    ("December", "2025-09-16", True, "2025-12-01"),
])
def test_a_month_without_its_year_the_text_looks_ahead_to_is_the_nearer_of_the_last_and_the_next(
        phrase, published, ahead, day):
    assert resolve_date(phrase, published, "date line", ahead=ahead).earliest == day


def test_a_relative_clause_s_subject_is_the_name_it_is_about():
    """"Holm, who became chief executive in 2021, said ...": Holm became chief executive (the
    clause's "who" named no one, so its frame had no subject and was compared with nothing)."""
    claims, _, facts = _corpus(("Maria Holm, who became chief executive in 2021, said demand would recover.", None))
    became = [f for f in facts[claims[0].id].frames if f.verb == "become"]
    assert became and became[0].subject == "e:maria-holm"


def test_a_company_named_with_its_legal_form_abbreviated_or_not_is_one_entity():
    claims, _, facts = _corpus(("The factory is owned by Rahman Apparels Ltd, a Dhaka company.", None),
                               ("Rahman Apparels Limited employs about 2,000 workers.", None))
    ents = [{m.entity for m in facts[c.id].mentions if "rahman" in m.entity} for c in claims]
    assert ents[0] == ents[1] and len(ents[0]) == 1, ents


def test_an_event_s_place_in_a_run_is_a_count_over_the_run_s_window():
    """"its eighth consecutive increase since March 2022": eight increases since 2022-03, the
    window a date however worded ("since March of last year" in January 2023, "since March of
    2022"); "the fifth loss in a row" and the calque "the eighth increase consecutive" too."""
    claims, _, facts = _corpus(
        ("It was the bank's eighth consecutive increase since March 2022.", "2023-01-25"),
        ("The bank lifted its rate yesterday, its seventh straight increase since March of last year.", "2023-01-26"),
        ("It is the eighth increase consecutive of the bank since March of 2022.", "2023-01-25"),
        ("The club suffered its fifth loss in a row on Saturday.", "2023-01-25"),
        ("It was Ajax's fifth straight league win.", "2024-10-20"),
        ("The win was Ajax's fourth consecutive victory in the league.", "2024-10-21"))
    got = [[(q.low, q.unit, q.kind, q.window) for q in facts[c.id].quantities if q.kind == "count"] for c in claims]
    assert got == [[(8, "increase", "count", "since 2022-03")], [(7, "increase", "count", "since 2022-03")],
                   [(8, "increase", "count", "since 2022-03")], [(5, "loss", "count", None)],
                   [(5, "win", "count", None)], [(4, "win", "count", None)]]


def test_a_month_of_a_year_is_that_month():
    got = resolve_date("March of 2022", "2023-01-25", "date line")
    assert (got.earliest, got.latest, got.basis) == ("2022-03-01", "2022-03-31", "absolute")
    claims, _, facts = _corpus(("Prices rose in March of 2022.", "2023-01-25"),)
    assert [(d.text, d.month) for d in facts[claims[0].id].dates] == [("March of 2022", 3)]


def test_a_change_in_a_rate_is_in_percentage_points_however_worded():
    claims, _, facts = _corpus(
        ("The bank raised its rate by 25 basis points and then by 50 bps.", None),
        ("It lifted its rate by half a percentage point, after a quarter-point move.", None),
        ("Unemployment rose 0.3 percentage points to 5.1%.", None))
    got = [sorted((q.low, q.unit) for q in facts[c.id].quantities) for c in claims]
    assert got == [[(0.25, "percentage point"), (0.5, "percentage point")],
                   [(0.25, "percentage point"), (0.5, "percentage point")],
                   [(0.3, "percentage point"), (5.1, "percent")]]


def test_a_person_s_place_among_those_who_did_one_thing_is_a_count():
    """"the third minister to leave Fiala's cabinet this year": three who left, in 2025; resigning
    and leaving are one act. "the first visit to Moscow" is no such place ("to" is no verb there)."""
    claims, _, facts = _corpus(
        ("Novak is the third minister to leave Fiala's cabinet this year.", "2025-05-06"),
        ("Novak is the second member of the cabinet to resign this year.", "2025-05-07"),
        ("Anna Lindqvist is the first woman to lead the city.", "2025-09-16"),
        ("The first visit to Moscow was in 2021.", "2025-09-16"))
    got = [[(q.low, q.unit, q.window) for q in facts[c.id].quantities if q.kind == "count"] for c in claims]
    assert got == [[(3, "to leave", "in 2025")], [(2, "to leave", "in 2025")], [(1, "to lead", None)], []]


def _lines(*texts: tuple[str, str | None]):
    """Like `_corpus`, a claim (and sentence) per line."""
    claims, arts = line_corpus([(f"{i:03d}_test", text, pub) for i, (text, pub) in enumerate(texts)])
    return claims, arts, normalize_claims(claims, arts)


def test_an_age_is_its_person_s_however_written():
    claims, _, facts = _lines(
        ("Daniel Price, 58, was convicted on three counts of bribery.\n"
         "The court heard that 32-year-old Fan Lung sent the emails.\n"
         "Maria Holm, a 51-year-old engineer, said she would stay.", None),
        ("Daniel Price, the former mayor of Manchester, was jailed on Friday.\n"
         "The 56-year-old was found guilty of bribery.", None))
    aged = sorted((m.name, m.age) for f in facts.values() for m in f.mentions if m.age is not None)
    assert aged == [("Daniel Price", 56), ("Daniel Price", 58), ("Fan Lung", 32), ("Maria Holm", 51)], aged
    # (the age's span is the number's, in the article)
    f = next(f for f in facts.values() if any(m.text == "The 56-year-old" for m in f.mentions))
    m = next(m for m in f.mentions if m.age)
    assert m.age_span is not None and f.claim_id and m.age_span[1] - m.age_span[0] == 2
    # an age of something else before the name
    _, _, other = _lines(("The 40-year-old law under which Daniel Price was charged is rarely used.", None))
    assert not [m for f in other.values() for m in f.mentions if m.age is not None], other
    # two people named in the sentence before: the one it is about, its main verb's subject
    _, _, about = _lines(("Chief executive Ingrid Solberg said the deal would make Maria Holm the head of sales.\n"
                          "The 49-year-old has led the company since 2019.", None))
    assert [(m.name, m.age) for f in about.values() for m in f.mentions if m.age] == [("Ingrid Solberg", 49)], about
    # "mayor of Manchester": a place, whatever the tagger says
    assert not any(m.person for f in facts.values() for m in f.mentions if m.name == "Manchester")


def test_a_surname_two_people_share_is_neither_of_them():
    claims, _, facts = _lines(
        ("Fan Lung, 32, used his wife's phone.\nFeng Lung, 30, found the emails.\nMr. Lung later apologised.", None),
        ("Sergey Lavrov arrived on Tuesday.\nSergei Lavrov met the general.\nLavrov left on Friday.", None))
    ent = {m.text: m.entity for f in facts.values() for m in f.mentions if m.person}
    assert len({ent["Fan Lung"], ent["Feng Lung"], ent["Lung"]}) == 3, ent
    assert ent["Sergey Lavrov"] == ent["Sergei Lavrov"] == ent["Lavrov"], ent


def test_a_pronoun_gives_a_gender_only_where_its_article_agrees():
    claims, _, facts = _lines(
        ("Fan Lung used his wife's phone to write to his mistress.\nFan Lung said her messages were private.\n"
         "Jasmine Tridevil said her surgery cost $20,000.\nJasmine Tridevil said she would appear on television.\n"
         "Steven Sotloff said his family was safe.", None))
    genders = {(m.name, m.gender) for f in facts.values() for m in f.mentions if m.gender}
    # one person given both genders; two pronouns that agree; only one pronoun
    assert genders == {("Jasmine Tridevil", "f")}, genders
    # a quotation speaks of others: its pronouns are not the speaker's
    claims, _, facts = _lines(
        ("Local man Teo Goh, 56, said: ‘We realised he was targeting windows, so we taught him a lesson.’", None),
        ('Teo Goh said: "My wife found one of her bras missing when she woke up."', None))
    assert not [m for f in facts.values() for m in f.mentions if m.gender], facts


def test_a_name_ending_in_a_company_word_is_a_company():
    _, _, facts = _lines(("Halvorsen Foods will pay $2.3bn for Baltic Dairy, the company announced.", None))
    kinds = {m.name: m.person for f in facts.values() for m in f.mentions}
    # (the tagger calls it a person)
    assert kinds.get("Halvorsen Foods") is False, kinds


@pytest.mark.parametrize("text,running", [
    ("Police have arrested four men in connection with the attack.", True),
    ("So far 3,000 people have been evacuated because of the storm.", True),
    ("At least 41 people have died, officials said.", True),
    ("To date, 300 people were rescued from the rubble.", True),
    ("Police arrested three men on Monday.", False),
    ("Police had arrested three men by Monday.", False),
    ("The quake killed 35 people in the region.", False),
    # what a vehicle carried is no tally that grows
    ("The bus has carried 52 passengers.", False),
])
def test_a_tally_told_up_to_the_report_is_running(text, running):
    """A count of the dead, injured, arrested ... in the present perfect or with "so far", "to
    date" is a running tally (window RUNNING): a later report may count more."""
    from factcheck.stages.normalize import RUNNING
    claims, _, facts = _corpus((text, None))
    counted = [q for q in facts[claims[0].id].quantities if q.kind == "number" and q.verb]
    assert counted, facts[claims[0].id].quantities
    assert (counted[0].window == RUNNING) is running, counted


@pytest.mark.parametrize("text,frame", [
    ("A jury found Daniel Price guilty of fraud on Friday.", ("e:daniel-price", "convict", "fraud", False)),
    ("The jury acquitted Daniel Price of fraud.", ("e:daniel-price", "convict", "fraud", True)),
    ("Daniel Price was cleared of fraud.", ("e:daniel-price", "convict", "fraud", True)),
    ("The jury convicted Daniel Price on three counts of fraud.", ("e:daniel-price", "convict", "fraud", False)),
    # a place cleared is no verdict; a man survived by his wife is no survival of hers
    ("Police cleared the area on Monday.", (None, "clear", "area", False)),
    ("The pilot survived the crash.", (None, "die", "crash", True)),
    ("He is survived by his wife.", (None, "survive", "he", False)),
    # one made to hold an office is the subject, whoever made them; the office and its body the object
    ("Maria Holm was named chief executive of Nordvik on Monday.", ("e:maria-holm", "appoint", "chief executive@e:nordvik", False)),
    ("Nordvik appointed Maria Holm as chief executive.", ("e:maria-holm", "appoint", "chief executive@e:nordvik", False)),
    ("The council appointed a new committee.", (None, "appoint", "committee", False)),
])
def test_a_verdict_is_the_defendants_and_survival_is_not_dying(text, frame):
    """A verdict's frame has the defendant as subject, whoever gave it, and the charge as object;
    "cleared of" a charge is acquitted of it; "survived" an event is "did not die" in it; an
    appointment's subject is the one appointed, its object the office and the body it is of."""
    claims, _, facts = _corpus((text, None))
    got = [(x.subject, x.verb, x.obj, x.negated) for x in facts[claims[0].id].frames]
    assert frame in got, got


@pytest.mark.parametrize("text,number,counted", [
    ("The death toll from the earthquake in western Nepal rose to 41 on Saturday.", "41", ("people", "kill", True)),
    ("The death toll has climbed to at least 120, officials said.", "at least 120", ("people", "kill", True)),
    ("The number of dead in the building collapse reached 17 on Tuesday.", "17", ("people", "kill", True)),
    ("Rescuers found two more bodies, bringing the toll to 43.", "43", ("people", "kill", True)),
    ("The number of injured stands at 230.", "230", ("people", "injure", True)),
    ("The number of confirmed cases rose to 95.", "95", ("case", None, True)),
    ("The final death toll from the fire was 12.", "12", ("people", "kill", False)),
    # no toll: a noun after "dead" counts something else; a toll in dollars keeps its currency
    ("The number of dead fish rose to 400.", "400", None),
    ("The bridge toll rose to $5.", "5", ("dollar", None, False)),
    ("The toll was expected to rise to 50.", "50", None),
])
def test_a_toll_counts_the_dead_or_injured_up_to_the_report(text, number, counted):
    """A number a toll states ("the death toll rose to 41", "the number of injured stands at 230",
    "bringing the toll to 43") counts people killed or injured, as "41 people were killed" does,
    told up to its report (a running tally) unless it is the final one."""
    from factcheck.stages.normalize import RUNNING
    claims, _, facts = _corpus((text, None))
    q = next(q for q in facts[claims[0].id].quantities if q.text == number)
    got = (q.unit, q.verb, q.window == RUNNING) if q.unit else None
    assert got == counted, q


@pytest.mark.parametrize("text,call", [
    ("Willie Nelson dead? Viral hoax fools internet.", "hoax"),
    ("The report that the minister resigned is false.", "is false"),
    ("Nordvik denied the reports that Holm had resigned.", "denied the reports"),
    ("The claims are categorically false, the ministry said.", "categorically false"),
    ("Rumours of his death are greatly exaggerated.", "Rumours of his death are greatly exaggerated"),
    ("Police seized fake passports.", None),
    ("The temple is made up of two shrines.", None),
    ("Woman with three breasts: real or hoax?", None),
    ("The satirical magazine was attacked in Paris.", None),
    ("Russia did not deny the accusations.", None),
    ("The video is not a hoax, police said.", None),
])
def test_a_call_of_untrue_is_a_debunk_marker(text, call):
    claims, _, facts = _corpus((text, None))
    got = [m.text for m in facts[claims[0].id].markers if m.kind == "debunk"]
    assert got == ([call] if call else []), got


@pytest.mark.parametrize("plural,one", [("men", "man"), ("people", "person"), ("casualties", "casualty"),
                                        ("increases", "increase"), ("wins", "win"), ("series", "series"),
                                        ("press", "press"), ("ties", "tie"), ("man", "man")])
def test_a_plural_is_made_singular_by_its_spelling(plural, one):
    from factcheck.stages.normalize import singular
    assert singular(plural) == one
