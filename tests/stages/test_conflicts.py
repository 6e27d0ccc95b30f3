"""Conflicts: each kind fires on a hand-written pair and stays quiet on its compatible twin."""
from __future__ import annotations

import re

import pytest

from factcheck.records import Conflict, stable_id
from factcheck.stages.conflicts import (CompareResult, ConflictSettings, NLIScorer, compare_claims,
                                        fact_probe, find_conflicts, may_level, probe_tokens)
from factcheck.stages.normalize import normalize_claims

from conftest import line_corpus  # a claim per line

FIRES = [
    # one person's two ages
    ("number", "Pavel Novak, 52, resigned on Tuesday.", "Pavel Novak, 54, resigned on Tuesday."),
    ("number", "Russia agreed a $2bn arms deal with the junta.", "Russia agreed a $3 billion arms deal with the junta."),
    ("number", "At least 892 people have been killed in the crackdown.",
     "Only 300 people have been killed in the crackdown."),
    ("number", "Russia is Myanmar's second-largest arms supplier.", "Russia is Myanmar's top arms supplier."),
    ("count", "Min Aung Hlaing has visited Russia twice since 2013.",
     "Min Aung Hlaing has visited Russia five times since 2013."),
    ("number", "Twenty-one people were killed in the strike.", "Thirty-one people were killed in the strike."),
    ("name", "The gunman opened fire at a school in Texas.", "The gunman opened fire at a school in Oklahoma."),
    # a tally told done on both sides ("had arrested" is of a time gone by), and one so far below
    # a count done: no update explains them
    ("number", "Police had arrested three men over the attack.", "Police arrested four men over the attack."),
    ("number", "So far 1,000 people have been evacuated because of the storm.",
     "The storm forced 2,000 people to evacuate."),
    ("count", "Min Aung Hlaing has visited Russia three times since the coup.",      # (one window, two wordings)
     "Senior General Min Aung Hlaing has visited Russia twice since taking power."),
    ("date", "The military seized power on February 1, 2021.", "The military seized power on March 3, 2021."),
    ("name", "ASEAN approved a five-point consensus.", "ASEAN approved the Five-Point Alliance."),
    ("name", "He visited the State Administrative Council (SAC).",
     "He praised the State Administrative Commission (SAC)."),
    ("title", "Senior Lieutenant General Min Aung Hlaing visited Moscow.",
     "Senior General Min Aung Hlaing visited Moscow."),
    ("title", "President Dina Boluarte visited the quake zone.", "Prime Minister Dina Boluarte visited the quake zone."),
    ("gender", "Ms. Wunna Maung Lwin thanked Russia.", "Mr. Wunna Maung Lwin thanked Russia."),
    ("role", "Russia's ambassador said the ASEAN plan should be the basis for a solution.",
     "Russian Foreign Minister Sergey Lavrov said the ASEAN plan should be the basis for a solution."),
    ("negation", "Russia has not condemned the coup.", "Russia condemned the coup."),
    ("negation", "The company did not confirm the layoffs.", "The company confirmed the layoffs."),
    ("precedence", "It was Lavrov's first visit to Myanmar.", "Lavrov previously visited Naypyitaw in 2013."),
    # earlier visits worded after the verb, or counted
    ("precedence", "It was Lavrov's first visit to Myanmar.", "Lavrov had visited Myanmar twice before."),
    ("precedence", "It was Lavrov's first visit to Myanmar.", "Lavrov has been to Myanmar several times."),
    ("precedence", "It was Lavrov's first visit to Myanmar.", "It was Lavrov's second visit to Myanmar."),
    ("precedence", "It was Lavrov's third visit to the country.", "It was Lavrov's second visit to the country."),
    # a range the other number lies outside of
    ("number", "Between 40 and 50 people died in the fire.", "80 people died in the fire."),
    ("number", "The attack killed 40 to 50 people.", "The attack killed 12 people."),
    # two chief offices of a company, however written
    ("title", "Chief Executive Officer Jane Holt said the plant would open in Ohio.",
     "Chief Financial Officer Jane Holt said the plant would open in Ohio."),
    ("title", "CFO Jane Holt said the plant would open in Ohio.",
     "Chief Executive Officer Jane Holt said the plant would open in Ohio."),
    ("title", "Chief Executive Jane Holt said the plant would open in Ohio.",
     "Chief Financial Officer Jane Holt said the plant would open in Ohio."),
    # a count of people by the state they are left in, "persons" being people
    ("number", "The train derailed near Burgos on Monday evening, injuring 23 people.",
     "The train derailed near Burgos on Monday evening, leaving 32 persons injured."),
    # a title set off after the name
    ("title", "Oscar Puente, the transport minister, said an investigation had been opened.",
     "Interior Minister Oscar Puente said an investigation had been opened."),
    ("title", "Jane Holt, the company's chief executive, said the plant would open.",
     "Chief Financial Officer Jane Holt said the plant would open."),
    ("title", "Oscar Puente, Spain's interior minister, said the line would reopen.",
     "Transport Minister Oscar Puente said the line would reopen."),
    ("title", "Health Minister Ana Diaz said the hospital would reopen.",
     "Transport Minister Ana Diaz said the hospital would reopen."),
    # an office worded with "of"
    ("title", "Minister of Shipping Vasilis Kikilias said an investigation had been opened.",
     "Tourism Minister Vasilis Kikilias said an investigation had been opened."),
    # one person of two organisations
    ("title", "Professor Helen Marsh of University College London led the study.",
     "Dr. Helen Marsh of King's College London led the study."),
    # one acronym, two companies (the legal forms agree, abbreviated or not)
    ("name", "The factory, owned by Rahman Apparels Ltd (RAL), employs 2,000 people.",
     "The factory belongs to Rahman Allied Limited (RAL)."),
    # one person's office in two countries
    ("title", "Indonesian Foreign Minister Retno Marsudi met Lavrov.",
     "Malaysian Foreign Minister Retno Marsudi met Lavrov."),
    # counts swapped between two casualty verbs
    ("number", "The blast killed 12 people and wounded 30.", "The blast killed 30 people and wounded 12."),
    ("number", "Twelve people were killed and 30 injured in the blast.",
     "Thirty people were killed and 12 injured in the blast."),
    # an earthquake's magnitude, worded two ways
    ("number", "A magnitude 6.8 earthquake struck southern Peru on Sunday.",
     "A 7.1-magnitude earthquake struck southern Peru on Sunday."),
    # an age, worded two ways
    ("number", "The minister, 45, resigned on Monday.", "The 54-year-old minister resigned on Monday."),
    # times of day, and nobody against a count
    ("date", "The explosion happened at 9 a.m. local time.", "The explosion happened at 3 p.m. local time."),
    ("date", "The explosion happened at 14:30 on Monday.", "The explosion happened at 18:00 on Monday."),
    # a bound year is no year of its own: "before 1998" ends in 1997
    ("date", "Guilty Gear was first released in Japan on May 14, 1998.",
     "Guilty Gear was first released in Japan before 1998."),
    ("number", "No one was killed in the blast.", "Three people were killed in the blast."),
    # a verb saying the opposite of the other ("denied" = did not confirm)
    ("negation", "The ministry denied the report on Tuesday.", "The ministry confirmed the report on Tuesday."),
    ("negation", "Parliament rejected the budget on Friday.", "Parliament accepted the budget on Friday."),
    # a part of a stated whole: the totals agree, the parts differ
    ("number", "The party took 92 of the 230 seats in parliament.", "The party won 96 of the 230 seats."),
    ("number", "The party won 92 seats in the 230-seat parliament.", "The party won 96 of the 230 seats."),
    # the value now apart from the value before it: the agreeing earlier values hid the difference
    ("number", "The party won 36.2 percent of the vote, up from 28 percent in 2022.",
     "The party won 31 percent of the vote, up from 28 percent in 2022."),
    ("number", "Revenue rose to $3.4 billion from $3.0 billion.", "Revenue rose to $3.4 billion from $2.8 billion."),
    # bounds are what they say (no rounding allowed past them), "under" is strictly below, and a
    # counted number is exact: only a rounded figure ("1,200", "2.3 million") may be 2 % off
    ("number", "More than 141,000 people have recovered.", "Fewer than 140,000 people have recovered."),
    ("number", "The film has 71 reviews on the site.", "The film has under 71 reviews on the site."),
    ("number", "The youngest victim was younger than 35 years old.", "The youngest victim was 39 years old."),
    ("number", "The blast killed 49 people.", "The blast killed 50 people."),
    # a currency sign a space apart, and the noun a phrase counts ("COVID-19 cases" are cases)
    ("number", "The film grossed $ 28 million.", "The film grossed $30 million."),
    ("number", "There are more than 114,000 confirmed cases.", "There are under 114,000 COVID-19 cases."),
    # a match score, whichever side is written first
    ("number", "Arsenal beat Chelsea 2-1 at the Emirates Stadium on Sunday.",
     "Arsenal beat Chelsea 3-1 at the Emirates Stadium on Sunday."),
    ("number", "Chelsea lost 1-2 to Arsenal on Sunday.", "Chelsea lost 0-2 to Arsenal on Sunday."),
    # (a score ending its sentence too)
    ("number", "Arsenal beat Chelsea 2-1.", "Arsenal beat Chelsea 3-1."),
    # two spans of years of one act: overlapping is no agreement
    ("date", "He served as mayor from 2010 to 2014.", "He served as mayor from 2010 to 2016."),
    ("date", "Maria Holm was mayor between 2010 and 2014.", "Maria Holm was mayor between 2012 and 2014."),
    # a vote's tally, however written
    ("number", "The Senate passed the bill 52-48 on Tuesday.", "The Senate passed the bill 51-49 on Tuesday."),
    ("number", "The Supreme Court ruled 7-2 in favour of the company.", "The Supreme Court ruled 6-3 in favour of the company."),
    ("number", "The House approved the measure by 218 votes to 212.", "The House approved the measure 220-210."),
    # "%" and "percent" are one unit
    ("number", "The party won 36.2% of the vote.", "The party won 31.5 percent of the vote."),
    # a verdict or a plea worded with guilty / innocent, and acquitted as not convicted
    ("negation", "Price pleaded not guilty to all charges.", "Price had pleaded guilty to all charges."),
    ("negation", "Price was found guilty of bribery.", "Price was acquitted of bribery."),
    ("negation", "Price was found guilty of bribery.", "Price was found not guilty of bribery."),
    # a verdict is the defendant's, whoever gave it; cleared of a charge is acquitted of it
    ("negation", "Daniel Price was acquitted of fraud on Friday.", "A jury found Daniel Price guilty of fraud on Friday."),
    ("negation", "The jury convicted Daniel Price on three counts of fraud.", "Daniel Price was cleared of fraud."),
    # one person of two parties, however each is written
    ("title", "Senator Anna Lund, a Democrat, voted against the bill.", "Senator Anna Lund, a Republican, voted against the bill."),
    ("title", "Republican Senator Anna Lund voted against the bill.", "Sen. Anna Lund (D-Ohio) voted against the bill."),
    ("title", "Labour MP Anna Lund said the plan would fail.", "Anna Lund, a Conservative, said the plan would fail."),
    # a name the tagger missed is the subject's noun ("The Batmobile" is no entity to it)
    ("negation", "The Batmobile was stolen from a Detroit lot.", "The Batmobile was not stolen from a Detroit lot."),
    # survived it is did not die in it
    ("negation", "The pilot survived the crash.", "The pilot died in the crash."),
    # ages are exact: 58 and 56 are within the 2 % a figure may be rounded by, and differ
    ("number", "Price, 58, was found guilty on three counts of bribery.",
     "The 56-year-old was found guilty on three counts of bribery."),
    # a finishing position
    ("number", "The far-right Chega finished third with 18% of the vote.",
     "Chega, the far-right party led by Andre Ventura, came second with 18 percent."),
    # a rank a superlative gives, an event numbered by its times, a move the other way
    ("number", "HSBC is the country's second-largest bank.", "HSBC is the third-largest bank in the country."),
    ("count", "The central bank raised rates for the fifth time this year.",
     "The central bank raised rates for the fourth time this year."),
    ("negation", "Nordvik shares rose 2 percent in Copenhagen trading.", "Shares in Nordvik fell 2 percent."),
    ("negation", "The company's revenue declined sharply.", "The company's revenue rose sharply."),
    # one office numbered twice for one person
    ("title", "Donald Trump, the 45th president of the United States, said on Monday.",
     "Donald Trump, the 44th president of the United States, said on Monday."),
    # one act in two places
    ("name", "Min Aung Hlaing arrived in Moscow on Sunday for talks.", "Min Aung Hlaing arrived in Kazan on Sunday for talks."),
    ("name", "Lavrov met Wunna Maung Lwin in Phnom Penh.", "Lavrov met Wunna Maung Lwin in Jakarta."),
]

QUIET = [
    # a city and its country, a borough and its city, a region the table does not know, what a
    # speaker said somewhere, a claim naming both places
    ("a numbered office and the office", "Donald Trump, the 45th president of the United States, said on Monday.",
     "Donald Trump, the president of the United States, said on Monday."),
    ("two people's numbered offices", "Joe Biden, the 46th president, spoke.", "Donald Trump, the 45th president, spoke."),
    ("a city in its country", "Min Aung Hlaing arrived in Moscow on Sunday.", "Min Aung Hlaing arrived in Russia on Sunday."),
    ("a borough in its city", "The fire broke out in Brooklyn on Monday.", "The fire broke out in New York City on Monday."),
    ("a region", "The quake struck in Hatay on Monday.", "The quake struck in Antakya on Monday."),
    ("said somewhere", "Lavrov said in Moscow that talks went well.", "Lavrov said in Jakarta that talks went well."),
    ("both places named", "Lavrov arrived in Jakarta from Moscow.", "Lavrov arrived in Moscow."),
    ("one office worded with 'of'", "Minister of Shipping Vasilis Kikilias said an investigation had been opened.",
     "Shipping Minister Vasilis Kikilias said an investigation had been opened."),
    ("a birthday between two ages", "Pavel Novak, 52, resigned on Tuesday.", "Pavel Novak, 53, resigned on Tuesday."),
    ("two people's ages", "Pavel Novak, 52, resigned on Tuesday.", "Jana Kralova, 54, resigned on Tuesday."),
    ("hedged vs exact", "Russia is Myanmar's top arms supplier.",
     "Russia is one of the biggest weapons suppliers to Myanmar."),
    ("range", "Russia has provided training to at least 7,000 Myanmar officers.",
     "Russia has provided training to thousands of Myanmar officers."),
    ("different times", "In 2021, Russia trained 500 officers.", "In 2022, Russia trained 900 officers."),
    ("different trips", "Min Aung Hlaing visited Moscow in June 2021.",
     "Min Aung Hlaing visited Moscow in July 2022."),
    ("count windows", "Min Aung Hlaing has visited Russia twice since taking power.",
     "Min Aung Hlaing has visited Russia several times since 2013."),
    ("synonyms", "ASEAN approved a five-point consensus.", "Lavrov backed the Five-Point Agreement."),
    ("spelling", "the Association of Southeast Asia Nations (ASEAN) met.",
     "the Association of Southeast Asian Nations (ASEAN) met."),
    ("transliteration", "Russian Defense Minister Sergey Shoygu met him.", "Defense Minister Sergei Shoigu met him."),
    ("two titles", "Prime Minister Min Aung Hlaing visited Moscow.", "Senior General Min Aung Hlaing visited Moscow."),
    ("another office", "Former President Vladimir Putin met him.", "Prime Minister Vladimir Putin met him."),
    ("a portfolio of then", "Former Foreign Minister Sergei Shoigu met him.", "Defense Minister Sergei Shoigu met him."),
    ("a deputy", "Deputy Prime Minister Dina Boluarte met him.", "President Dina Boluarte met him."),
    ("different objects", "Russia has spoken out against the violence.", "Russia has not condemned the coup."),
    ("different subjects", "The ministry did not confirm the layoffs.", "The company confirmed the layoffs."),
    ("arrived vs left", "Lavrov arrived in Myanmar on Wednesday.",
     "Mr. Lavrov was on his way to Cambodia on Wednesday afternoon."),
    ("same speaker", "Russian Foreign Minister Sergey Lavrov said ASEAN should lead.",
     "Foreign Minister Lavrov said ASEAN should lead."),
    ("hedged count", "At least 892 people have been killed.", "More than 800 people have been killed."),
    ("number words", "Thirty-seven per cent of the officers were trained in Russia.",
     "37 per cent of the officers were trained in Russia."),
    ("hyphenated scale", "Russia agreed a $70-million arms deal with the junta.",
     "Russia agreed a $70 million arms deal with the junta."),
    ("abbreviated scale", "Russia agreed a $2bn arms deal with the junta.",
     "Russia agreed a $2 billion arms deal with the junta."),
    ("inside a range", "Between 40 and 50 people died in the fire.", "45 people died in the fire."),
    ("inside a range worded with to", "The attack killed 40 to 50 people.", "The attack killed 45 people."),
    ("inside a scaled range", "The deal is worth between 3 and 5 million dollars.",
     "The deal is worth 4 million dollars."),
    ("one chief office two ways", "CEO Jane Holt said the plant would open in Ohio.",
     "Chief Executive Officer Jane Holt said the plant would open in Ohio."),
    ("one chief office three ways", "Chief Executive Jane Holt said the plant would open in Ohio.",
     "CEO Jane Holt said the plant would open in Ohio."),
    ("a legal form abbreviated", "The factory, owned by Rahman Apparels Ltd (RAL), employs 2,000 people.",
     "The factory belongs to Rahman Apparels Limited (RAL)."),
    ("left in two states", "The blast left 12 people dead and 30 injured.",
     "The blast killed 12 people and injured 30."),
    ("a former office set off after the name", "Oscar Puente, the former interior minister, said the line would reopen.",
     "Transport Minister Oscar Puente said the line would reopen."),
    ("an office of someone else after the name", "Oscar Puente, the minister's spokesman, said the line would reopen.",
     "Transport Minister Oscar Puente said the line would reopen."),
    ("an office with no portfolio", "Oscar Puente, a minister in the government, said the line would reopen.",
     "Transport Minister Oscar Puente said the line would reopen."),
    ("one office before and after the name", "Jane Holt, the mayor of Burgos, said the plant would open.",
     "Mayor Jane Holt said the plant would open."),
    ("one university two ways", "Professor Helen Marsh of the University of Oxford led the study.",
     "Dr. Helen Marsh of Oxford University led the study."),
    ("a person's city is no affiliation", "Helen Marsh of London led the study.", "Helen Marsh of Paris led the study."),
    ("one company, its legal form two ways", "Jane Holt from Acme Corp said the plant would open.",
     "Jane Holt of Acme Corporation said the plant would open."),
    ("one nationality stated", "Indonesian Foreign Minister Retno Marsudi met Lavrov.",
     "Foreign Minister Retno Marsudi met Lavrov."),
    ("a former office in another country", "Indonesian Foreign Minister Retno Marsudi met Lavrov.",
     "Former Malaysian Foreign Minister Retno Marsudi met Lavrov."),
    ("first within a window of time", "It was Boluarte's first visit to Arequipa since taking office in December.",
     "Boluarte had visited Arequipa twice before as a minister."),
    ("one magnitude two ways", "A magnitude 6.8 earthquake struck southern Peru on Sunday.",
     "A 6.8-magnitude earthquake struck southern Peru on Sunday."),
    ("one toll two ways", "The blast killed 12 people and wounded 30.",
     "Twelve people were killed and 30 were injured in the blast."),
    ("the other casualty count alone", "The blast killed 12 people and wounded 30.", "The blast wounded 30 people."),
    ("one age two ways", "The 45-year-old minister resigned on Monday.", "The minister, 45, resigned on Monday."),
    ("one time two ways", "The explosion happened at 9 a.m. local time.",
     "The explosion happened at 09:00 local time."),
    ("about a time", "The explosion happened at about 9 a.m.", "The explosion happened at 9:20 a.m."),
    ("times in two zones", "The explosion happened at 9 a.m. local time.", "The explosion happened at 2 a.m. GMT."),
    ("before a time", "The explosion happened before 9 a.m.", "The explosion happened at 8:15 a.m."),
    ("nobody of another kind", "No one was killed in the blast.", "Three soldiers were killed in the blast."),
    ("visited before an event", "It was Lavrov's first visit to Myanmar.",
     "Lavrov visited Myanmar before the summit in Jakarta."),
    ("did not deny", "Russia did not deny the accusations.", "Russia confirmed the accusations."),
    ("two people's visits", "It was Lavrov's second visit to Myanmar.", "It was Shoigu's third visit to Myanmar."),
    ("one visit counted alike", "It was Lavrov's second visit to Myanmar.", "Lavrov had visited Myanmar once before."),
    ("a part and its whole", "The party took 92 of the 230 seats.", "The party won 92 seats in the 230-seat parliament."),
    ("one share two ways", "The party won 36.2 percent of the vote, up from 28 percent in 2022.",
     "The party won 36.2% of the vote, compared with 28% in 2022."),
    ("a lone compound is no total", "Parliament has 230 seats.", "It is a 230-seat parliament."),
    ("one place two ways", "Chega came third.", "Chega finished in third place."),
    ("first elected is no place", "He was first elected in 2015.", "He came second in 2015."),
    ("a change and its end", "Revenue rose 12% to $3.4 billion.", "Revenue rose to $3.4 billion from $3.0 billion."),
    ("a rounded figure", "The deal is worth 1,200 dollars.", "The deal is worth 1,180 dollars."),
    ("one score either way round", "Arsenal beat Chelsea 2-1 on Sunday.", "Chelsea lost 1-2 to Arsenal on Sunday."),
    ("a range is no score", "Between 40-50 people died in the fire.", "The fire killed 45 people."),
    ("different months", "In June 2021, floods killed 12 people in the region.",
     "In July 2021, floods killed 15 people in the region."),
    ("after a year", "The game was released after 1998.", "The game was released on May 14, 1999."),
    ("a rounded share", "The party won 36 percent of the vote.", "The party won 36.2 percent of the vote."),
    ("over years is during them", "The firm will cut 5,500 jobs over four years.",
     "The firm will cut 5,500 jobs in four years."),
    ("a bound at the figure", "At least 71 people died.", "71 people died."),
    ("a scaled figure rounded", "The deal is worth $2.3 million.", "The deal is worth $2,310,000."),
    ("one verdict two ways", "Price was found guilty of bribery.", "Price was convicted of bribery."),
    ("one party two ways", "Republican Senator Anna Lund voted against the bill.",
     "Anna Lund, a Republican from Ohio, voted against the bill."),
    ("a former party", "Former Republican Anna Lund voted against the bill.", "Anna Lund, a Democrat, voted against the bill."),
    ("one span of years two ways", "He served as mayor from 2010-14.", "He served as mayor between 2010 and 2014."),
    ("a year within the span", "He served as mayor from 2010 to 2014.", "He was mayor in 2012."),
    ("one tally two ways", "The House approved the measure by 218 votes to 212.", "The House approved the measure 218-212."),
    ("one plea two ways", "Price pleaded not guilty.", "Price pleaded innocent."),
    ("one verdict by two courts' words", "The jury acquitted Daniel Price of fraud.", "Daniel Price was cleared of fraud."),
    ("two defendants", "The court convicted Anna Berg of fraud.", "The court acquitted Daniel Price of fraud."),
    ("two charges", "Daniel Price was convicted of fraud but acquitted of bribery.", "Daniel Price was acquitted of bribery."),
    ("two people", "The pilot survived the crash.", "The co-pilot died in the crash."),
    ("a city in the state named", "The shooting took place in Tulsa.", "The shooting took place in Oklahoma."),
    ("a city in a state named like a far city", "Lavrov arrived in Seattle.", "Lavrov arrived in Washington."),
]


@pytest.mark.parametrize("kind,a,b", FIRES, ids=[f"{k}-{i}" for i, (k, _, _) in enumerate(FIRES)])
def test_kind_fires_and_quotes_both_sides(kind, a, b):
    res = compare_claims(a, b, published_a="2022-08-03", published_b="2022-08-03")
    assert res.conflict and res.kind == kind, res
    assert 0 < res.severity <= 1
    quoted = [q for q in res.explanation.split("'")[1::2]]
    assert len(quoted) >= 2 and any(q in a for q in quoted) and any(q in b for q in quoted), res.explanation


@pytest.mark.parametrize("why,a,b", QUIET, ids=[w for w, _, _ in QUIET])
def test_compatible_twin_stays_quiet(why, a, b):
    res = compare_claims(a, b, published_a="2022-08-03", published_b="2022-08-03")
    assert res == CompareResult(False), res


def _corpus(*texts):
    return line_corpus(texts)


def _checked(*texts):
    """The claims, articles, facts and conflicts (no clusters: every pair) of a made-up corpus."""
    claims, arts = _corpus(*texts)
    facts = normalize_claims(claims, arts)
    return claims, arts, facts, find_conflicts(claims, facts, None, arts, ConflictSettings())


def test_find_conflicts_ids_spans_and_within_article():
    claims, arts, facts, got = _checked(
        ("001_a", "Lavrov's first visit to Myanmar comes ahead of the meeting.\n"
                  "Senior General Min Aung Hlaing has visited Russia twice since taking power.", "2022-08-03"),
        ("002_b", "Lavrov previously visited Naypyitaw in 2013.\n"
                  "Lavrov met the Office of the State Administrative Council (SAC).\n"
                  "He wished the State Administrative Commission (SAC) success.\n"
                  "Senior Lieutenant General Min Aung Hlaing visited Moscow.", "2022-08"))
    kinds = sorted(c.kind for c in got)
    assert kinds == ["name", "precedence", "title"], [c.explanation for c in got]
    for c in got:
        assert isinstance(c, Conflict) and c.id == "x" + stable_id(c.a, c.b, c.kind)
        ca = next(x for x in claims if x.id == c.a)
        cb = next(x for x in claims if x.id == c.b)
        qa = arts[ca.article_id].text[c.a_span[0]:c.a_span[1]]
        qb = arts[cb.article_id].text[c.b_span[0]:c.b_span[1]]
        assert f"'{qa}'" in c.explanation and f"'{qb}'" in c.explanation
    name = next(c for c in got if c.kind == "name")
    assert "Council" in name.explanation and "Commission" in name.explanation  # same article
    title = next(c for c in got if c.kind == "title")
    assert "'Senior Lieutenant General'" in title.explanation and "'Senior General'" in title.explanation
    # the same inputs give the same ids
    assert [c.id for c in find_conflicts(claims, facts, None, arts)] == [c.id for c in got]


def test_role_reads_the_nationality_the_corpus_states_for_a_named_speaker():
    """"Marsudi said" names no office and no nation; elsewhere the corpus calls her Indonesian
    Foreign Minister Retno Marsudi. She is then not "Russia's ambassador" who said something about
    ASEAN too (officials of two nations), while "Lavrov said", whom the corpus calls Russian, is."""
    claims, _, _, got = _checked(
        ("001_a", "Russia's ambassador said the ASEAN plan should be the basis for a solution.", "2022-08-03"),
        ("002_b", "Russian Foreign Minister Sergei Lavrov arrived in Jakarta for talks with "
                  "Indonesian Foreign Minister Retno Marsudi.\n"
                  "Marsudi said ASEAN wants all parties to end the violence.\n"
                  "Lavrov said the ASEAN plan should be the basis for a solution.", "2022-08-03"))
    roles = [c for c in got if c.kind == "role"]
    texts = {c.id: c.text for c in claims}
    assert [(texts[c.a][:6], texts[c.b][:6]) for c in roles] in ([("Russia", "Lavrov")], [("Lavrov", "Russia")]), \
        [c.explanation for c in got]
    # without the sentence that states her nation, nothing tells her from the ambassador
    _, _, _, got = _checked(
        ("001_a", "Russia's ambassador said the ASEAN plan should be the basis for a solution.", "2022-08-03"),
        ("002_b", "Foreign Minister Retno Marsudi arrived in Jakarta.\n"
                  "Marsudi said ASEAN wants all parties to end the violence.", "2022-08-03"))
    assert [c.kind for c in got] == ["role"], [c.explanation for c in got]


def test_one_quotation_given_to_two_people_is_a_role_conflict():
    """The same direct quotation said by Lavrov in one report and by Shoigu in another: who said
    it is in conflict (role), quoting both speakers. Not when one person says it in both, when one
    claim names both speakers, when the quotation is short, differs, or is not quoted."""
    quote = '"The talks were constructive and frank," {} told reporters after the meeting.'
    claims, _, _, got = _checked(("001_a", quote.format("Lavrov"), "2022-08-03"),
                                 ("002_b", quote.format("Shoigu"), "2022-08-03"))
    roles = [c for c in got if c.kind == "role"]
    assert len(roles) == 1 and "who said" in roles[0].explanation, [c.explanation for c in got]
    assert {"'Lavrov'", "'Shoigu'"} <= set(re.findall(r"'[A-Z][a-z]+'", roles[0].explanation)), roles[0].explanation
    assert roles[0].severity == ConflictSettings().sev_attribution
    for a, b in ((quote.format("Lavrov"), quote.format("Sergei Lavrov")),
                 (quote.format("Lavrov"), '"The talks were constructive and frank," Lavrov and Shoigu told reporters.'),
                 ('"The talks were good," Lavrov said.', '"The talks were good," Shoigu said.'),
                 (quote.format("Lavrov"), '"The talks were long and very difficult," Shoigu told reporters.'),
                 ("Lavrov said the talks were constructive and frank.", "Shoigu said the talks were constructive and frank.")):
        _, _, _, got = _checked(("001_a", a, "2022-08-03"), ("002_b", b, "2022-08-03"))
        assert not [c for c in got if c.kind == "role"], (a, b, [c.explanation for c in got])
    # in one pair of claims, as `compare` sees them
    res = compare_claims(quote.format("Lavrov"), quote.format("Shoigu"))
    assert res.conflict and res.kind == "role" and "who said" in res.explanation, res


def test_a_deputy_prime_minister_is_not_the_prime_minister():
    """"Thailand's deputy prime minister said" and "Thailand's prime minister said" the same
    thing about ASEAN: two officials of one nation are said to have made it (a role conflict);
    before, both held the office "prime minister"."""
    from factcheck.records import Cluster
    claims, arts = _corpus(
        ("001_a", "Thailand's deputy prime minister said the ASEAN plan should be the basis for a solution.",
         "2022-08-03"),
        ("002_b", "Thailand's prime minister said the ASEAN plan should be the basis for a solution.", "2022-08-03"))
    facts = normalize_claims(claims, arts)
    one = [Cluster("k1", tuple(c.id for c in claims), tuple(c.article_id for c in claims), independent_sources=2)]
    got = find_conflicts(claims, facts, one, arts, ConflictSettings())
    roles = [c for c in got if c.kind == "role"]
    assert len(roles) == 1 and "deputy prime minister" in roles[0].explanation, [c.explanation for c in got]


def test_near_claims_outside_a_cluster_are_one_event_for_numbers_and_dates():
    """The matcher keeps two reports whose numbers clash apart; when their wording is this close
    (`near_cosine`), the number and date checks still compare them. Without cosines, or below
    the bar, a pair outside a cluster that shares no subject and verb is not compared."""
    claims, arts = _corpus(
        ("001_a", "A magnitude 6.8 earthquake struck southern Peru on Sunday.\n"
                  "The quake destroyed 300 homes in Arequipa.", "2024-03-03"),
        ("002_b", "A magnitude 7.4 earthquake struck southern Peru on Sunday.\n"
                  "Rescuers found 40 survivors in Arequipa.", "2024-03-03"))
    facts = normalize_claims(claims, arts)
    quake_a, homes, quake_b, survivors = (c.id for c in claims)
    asked: list = []

    def cosines(value):
        def of(pairs):
            asked.extend(pairs)
            return [value if {a, b} == {quake_a, quake_b} else 0.5 for a, b in pairs]
        return of
    assert find_conflicts(claims, facts, [], arts) == []
    assert find_conflicts(claims, facts, [], arts, cosines=cosines(0.79)) == []
    got = find_conflicts(claims, facts, [], arts, cosines=cosines(0.9))
    assert [(c.kind, {c.a, c.b}) for c in got] == [("number", {quake_a, quake_b})]
    assert "'6.8'" in got[0].explanation and "'7.4'" in got[0].explanation
    assert {quake_a, quake_b} in [set(p) for p in asked]
    assert find_conflicts(claims, facts, [], arts, ConflictSettings(near_cosine=0.95), cosines=cosines(0.9)) == []
    # below the bar, a pair the matcher calls "same story, different fact" is one event too; it
    # is asked only of pairs from `story_cosine` up in which the number or date check finds
    # something (here every pair is at 0.7; only the two magnitudes clash)
    told: list = []

    def same_story(pairs, cos):
        told.extend(zip(pairs, cos))
        return [True] * len(pairs)
    got = find_conflicts(claims, facts, [], arts, cosines=lambda pairs: [0.7] * len(pairs), same_story=same_story)
    assert [(c.kind, {c.a, c.b}) for c in got] == [("number", {quake_a, quake_b})]
    assert [(set(p), c) for p, c in told] == [({quake_a, quake_b}, 0.7)]
    told.clear()
    assert find_conflicts(claims, facts, [], arts, cosines=cosines(0.55), same_story=same_story) == []
    assert told == []
    assert find_conflicts(claims, facts, [], arts, cosines=cosines(0.7),
                          same_story=lambda pairs, cos: [False] * len(pairs)) == []


def test_two_sentences_of_one_article_the_matcher_calls_one_story_are_two_facts_not_one_event():
    """Below the near cosine, "same story, different fact" makes a pair of two articles one event
    for the number check (one count told two ways); two sentences of one article of that kind are
    two facts the article tells, whose counts differ by design: no conflict. Near enough to restate
    one another, an article's own two counts still conflict."""
    a = "CBO believes that 4 million people will drop out of the system after the repeal."
    b = "Another 23.5 million uninsured people will drop out of the system after the repeal."
    one = line_corpus([("001_a", f"{a}\n{b}", "2017-03-14")])
    two = line_corpus([("001_a", a, "2017-03-14"), ("002_b", b, "2017-03-14")])
    yes = dict(same_story=lambda pairs, cos: [True] * len(pairs))
    for (claims, arts), cosine, found in ((two, 0.7, True), (one, 0.7, False), (one, 0.9, True)):
        facts = normalize_claims(claims, arts)
        got = find_conflicts(claims, facts, [], arts, cosines=lambda pairs: [cosine] * len(pairs), **yes)
        assert [c.kind for c in got] == (["number"] if found else []), (cosine, got)


def test_a_shared_saying_or_view_is_no_shared_act_for_the_numbers():
    """Two claims of two articles outside one event whose only shared predicate is what one source
    says or believes ("CBO believes ...", "The CBO said ...") tell two things it holds: their counts
    of people are not compared. Near enough to tell one event, the same counts conflict."""
    def run(a, b, cosine=None):
        claims, arts = line_corpus([("001_a", a, "2017-03-14"), ("002_b", b, "2017-03-14")])
        facts = normalize_claims(claims, arts)
        near = {} if cosine is None else dict(cosines=lambda pairs: [cosine] * len(pairs))
        return [c.kind for c in find_conflicts(claims, facts, [], arts, **near)]
    assert run("CBO believes that 4 million people will drop out of the system.",
               "CBO believes that another 23.5 million uninsured people paid the tax.") == []
    assert run("The CBO said 4 million people would lose coverage.", "The CBO said 23.5 million people paid the tax.") == []
    leave = "CBO believes the repeal will leave {} people uninsured."
    assert run(leave.format("4 million"), leave.format("23.5 million")) == []
    assert run(leave.format("4 million"), leave.format("23.5 million"), cosine=0.9) == ["number"]


def test_a_rank_by_a_superlative_conflicts_only_where_it_holds_and_by_one_measure():
    res = compare_claims("HSBC is the country's second-largest bank.", "HSBC is the third-largest bank in the country.")
    assert res.kind == "number" and "(rank 2)" in res.explanation and "(rank 3)" in res.explanation
    assert "largest bank in country" in res.explanation
    assert compare_claims("Gothenburg is Sweden's second-largest city.", "Gothenburg is Sweden's largest city.").conflict
    res = compare_claims("Nordea is the country's largest mortgage lender.", "Nordea is the second-largest mortgage lender in the country.")
    assert res.kind == "number" and "(largest mortgage lender in country)" in res.explanation, res
    for a, b in [
            # the same rank said two ways
            ("HSBC is the country's second-largest bank.", "HSBC is the second-biggest bank in the country."),
            # other scopes, other measures
            ("Gothenburg is Sweden's second-largest city.", "Gothenburg is the second-largest city in Europe."),
            ("Gothenburg is Sweden's second-largest city.", "Gothenburg is the largest city in Europe."),
            ("Mizuho, Japan's second-biggest lender by assets, said.", "Mizuho, Japan's third-largest lender by market value, said."),
            # a rank among fewer: both may hold
            ("Nordea is the country's largest mortgage lender.", "Nordea is the country's second-largest lender."),
            ("Amazon is the world's largest online retailer.", "Amazon is the world's third-largest retailer."),
            # a rank of a time
            ("It is the largest protest since 1989.", "It is the second-largest protest."),
            # hedged
            ("Samsung is one of the largest companies in the world.", "Samsung is the world's second-largest company.")]:
        assert not compare_claims(a, b).conflict, (a, b)


def test_one_more_of_a_kind_is_an_event_on_a_day_of_its_own():
    """"A fourth man was arrested on Tuesday" tells one more arrest than "police arrested three men
    on Monday" did (the matcher may put them in one cluster): no date conflict; nor "for a second
    day on Tuesday" against Monday's march. Two claims of the same one more ("a fourth man" both)
    are one event again."""
    days = dict(published_a="2026-03-04", published_b="2026-03-05")
    assert not compare_claims("Police arrested three men on Monday over a break-in at the Drammen plant.",
                              "A fourth man was arrested on Tuesday in connection with the break-in at the Drammen "
                              "plant, police said.", **days).conflict
    assert not compare_claims("Protesters marched on Monday in Oslo.",
                              "Protesters marched for a second day on Tuesday in Oslo.", **days).conflict
    res = compare_claims("A fourth man was arrested on Monday over the break-in.",
                         "A fourth man was arrested on Tuesday over the break-in.", **days)
    assert res.conflict and res.kind == "date", res


def test_a_rank_in_the_country_meets_one_in_the_country_a_report_names():
    """"The country's largest bank" and "the second-largest bank in Denmark" rank one thing in one
    country (the reports of one story name one country): they conflict, the reason naming the
    country. A city, a region or another measure is not "the country"."""
    res = compare_claims("Danske Bank is the country's largest bank.", "Danske Bank is the second-largest bank in Denmark.")
    assert res.kind == "number" and "(largest bank in Denmark)" in res.explanation, res
    res = compare_claims("Danske Bank is Denmark's third-largest bank by assets.", "Danske Bank is the nation's largest bank by assets.")
    assert res.kind == "number" and "(largest bank in Denmark by assets)" in res.explanation, res
    for b in ("Danske Bank is the largest bank in Denmark.",                 # the same rank
              "Danske Bank is the second-largest bank in Copenhagen.",      # a city
              "Danske Bank is the second-largest bank in Europe.",          # a continent
              "Danske Bank is Denmark's third-largest bank by deposits."):  # another measure
        assert not compare_claims("Danske Bank is the country's largest bank by assets." if "by" in b
                                  else "Danske Bank is the country's largest bank.", b).conflict, b


def test_an_event_numbered_two_ways_conflicts_within_one_window():
    res = compare_claims("The central bank raised rates for the fifth time this year.",
                         "The central bank raised rates for the fourth time this year.",
                         published_a="2026-03-01", published_b="2026-03-01")
    assert res.kind == "count" and "(times raise)" in res.explanation
    res = compare_claims("It's not the first time Hessler has made headlines.", "Hessler made headlines for the first time.")
    assert res.kind == "count" and "(≥2)" in res.explanation
    # a visit numbered "for the first time" against one made before: the precedence conflict
    res = compare_claims("Min Aung Hlaing is visiting Russia for the first time.", "Min Aung Hlaing had visited Russia before.",
                         published_a="2026-03-01")
    assert res.kind == "precedence"
    res = compare_claims("It is not the first time Min Aung Hlaing has visited Russia.",
                         "Min Aung Hlaing is visiting Russia for the first time.", published_b="2026-03-01")
    assert res.kind == "precedence"
    for a, b in [
            # a first within a window, a count within another
            ("The team won the title for the first time since 2010.", "The team won the title for the second time."),
            ("The team won the title for the first time in a decade.", "The team won the title for the first time."),
            ("The bank raised rates for the third time this year.", "The bank raised rates for the fifth time since 2024."),
            ("It's not the first time Hessler has made headlines.", "Hessler made headlines for the third time.")]:
        assert not compare_claims(a, b, published_a="2026-03-01", published_b="2026-03-01").conflict, (a, b)


def test_one_thing_moved_both_ways_is_a_negation_of_its_direction():
    res = compare_claims("Nordvik shares rose 2 percent in Copenhagen trading.", "Shares in Nordvik fell 2 percent.")
    assert res.kind == "negation" and "direction of Nordvik share" in res.explanation
    assert "'rose 2 percent' (up)" in res.explanation and "'fell 2 percent' (down)" in res.explanation
    for a, b in [("Net profit fell 12 percent to 4.1 billion crowns.", "Net profit rose 12 percent to 4.1 billion crowns."),
                 ("The central bank raised its key rate by 25 basis points.", "The central bank cut its key rate by 25 basis points."),
                 ("The index gained 1.5 percent.", "The index lost 1.5 percent."),
                 ("Exports to China grew 4 percent while imports fell 2 percent.", "Exports to China fell 4 percent.")]:
        assert compare_claims(a, b).kind == "negation", (a, b)
    for a, b in [
            # two things: a company's profit and its shares
            ("Halvorsen's profit rose 5 percent on Monday.", "Halvorsen shares fell 5 percent on Monday."),
            # what fell is not named: the same shares, later that day
            ("Nordvik shares rose 2 percent in early trading before falling 1 percent.", "Nordvik shares fell 1 percent."),
            # two days
            ("Nordvik shares rose 2 percent on Monday.", "Nordvik shares fell 2 percent on Tuesday."),
            # a loss that is no amount, a gain that is none
            ("The party lost the election.", "The party gained 5 seats."),
            ("The party gained ground.", "The party lost 5 seats."),
            ("Sales did not rise in March.", "Sales fell in March.")]:
        res = compare_claims(a, b, published_a="2026-03-04", published_b="2026-03-04")
        assert "direction" not in res.explanation, (a, b, res.explanation)


def test_one_act_in_two_places_is_a_name_conflict_quoting_both_places():
    res = compare_claims("Min Aung Hlaing arrived in Moscow on Sunday for talks.",
                         "Min Aung Hlaing arrived in St Petersburg on Sunday for talks.")
    assert res.kind == "name" and "'Moscow'" in res.explanation and "'St Petersburg'" in res.explanation
    assert "(place of " in res.explanation and ": arrive)" in res.explanation
    # two days: two arrivals (the dates' conflict, not the places')
    res = compare_claims("Lavrov arrived in Moscow on Monday.", "Lavrov arrived in Jakarta on Thursday.",
                         published_a="2022-08-03", published_b="2022-08-03")
    assert res.kind == "date"


def test_date_explanation_carries_resolution_basis():
    a, b = "The military seized power in February of last year.", "The military seized power in February 2021."
    assert not compare_claims(a, b, published_a="2022-08-03").conflict
    res = compare_claims(a, b, published_a="2023-05-03")
    assert res.kind == "date" and "2022-02-01" in res.explanation and "relative to 2023-05-03" in res.explanation
    # without a publication date "last year" stays unresolved: no conflict claimed
    assert not compare_claims(a, b).conflict


def _tiny_nli(tmp_path, id2label):
    """A randomly initialised 2-layer BERT cross-encoder saved to disk: no download."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "russia", "lavrov", "visited", "myanmar", "the",
             "coup", "condemned", "not", "has", ".", "a", "in"]
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("\n".join(words) + "\n")
    kw = {"id2label": id2label, "label2id": {v: k for k, v in id2label.items()}} if id2label else {}
    config = BertConfig(vocab_size=len(words), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=37, max_position_embeddings=64, num_labels=3, **kw)
    model_dir = tmp_path / "nli"
    BertForSequenceClassification(config).save_pretrained(model_dir)
    BertTokenizer(str(vocab)).save_pretrained(model_dir)
    return str(model_dir)


def test_nli_tiny_model_loads_and_is_wired(tmp_path):
    path = _tiny_nli(tmp_path, {0: "entailment", 1: "neutral", 2: "contradiction"})
    scorer = NLIScorer(path)
    assert scorer.contradiction_index == 2 and not scorer.label_map_assumed
    p = scorer.contradiction("Russia has not condemned the coup.", "Russia condemned the coup.")
    assert 0.0 <= p <= 1.0
    # no rule fires on these; with threshold 0 the NLI signal decides, with threshold > 1 it never does
    a, b = "Lavrov visited Myanmar.", "Russia visited the coup."
    res = compare_claims(a, b, settings=ConflictSettings(nli_threshold=0.0), nli=scorer)
    assert res.conflict and res.kind == "nli"
    assert not compare_claims(a, b, settings=ConflictSettings(nli_threshold=1.01), nli=scorer).conflict


def test_nli_without_label_map_assumes_order(tmp_path):
    scorer = NLIScorer(_tiny_nli(tmp_path, None))
    assert scorer.label_map_assumed and scorer.contradiction_index == 0


def test_fact_index_reads_the_members_of_small_keys_only(monkeypatch):
    from factcheck.stages import conflicts as cf
    monkeypatch.setattr(cf, "_KEY_CAP", 5)
    rows = [("big", f"c{i}", f"a{i}") for i in range(10)] + [("small", "c0", "a0"), ("small", "c1", "a1")]
    asked = []

    def members(keys):
        asked.extend(keys)
        return [r for r in rows if r[0] in keys]

    fresh = {"n1": (["big", "small", "fresh"], [])}      # one new claim, in a new article
    index = cf.FactIndex(fresh, {"an"}, lambda arts: ([], []), members,
                         lambda claims: [], lambda ents: [], {"big": 10, "small": 2}, {})
    assert "big" not in asked and index.size("big") == 11
    assert index.by_key["small"] == {"c0", "c1", "n1"} and index.by_key["fresh"] == {"n1"}
    assert "big" not in index.by_key
    assert index.state()["key_sizes"] == {"big": 11, "small": 3, "fresh": 1}
    # an article leaves: its rows come off the sizes without reading the key
    gone = cf.FactIndex({}, {"a0"}, lambda arts: ([("c0", "big"), ("c0", "small")], []), members,
                        lambda claims: [], lambda ents: [], {"big": 10, "small": 2}, {})
    assert gone.size("big") == 9 and gone.by_key["small"] == {"c1"}
    assert gone.state()["key_sizes"] == {"big": 9, "small": 1}


def test_fact_index_finds_the_claims_holding_a_key_of_any_size(monkeypatch):
    """When an entity's offices move, the claims where it may speak are those holding it as a
    key, found through the index (a key over the cap too), not by going through every claim."""
    from factcheck.stages import conflicts as cf
    monkeypatch.setattr(cf, "_KEY_CAP", 2)
    rows = [("e:lavrov", f"c{i}", f"a{i}") for i in range(5)] + [("e:shoigu", "c9", "a9")]
    index = cf.FactIndex({"n1": (["e:lavrov"], [])}, {"a3"}, lambda arts: ([], []),
                         lambda keys: [r for r in rows if r[0] in keys], lambda claims: [], lambda ents: [],
                         {"e:lavrov": 5, "e:shoigu": 1}, {})
    assert index.holding({"e:lavrov"}) == ["c0", "c1", "c2", "c4", "n1"]      # (a3 is leaving)
    assert index.holding({"e:nobody"}) == []


def test_a_pair_the_probes_rule_out_has_no_conflict():
    """`may_conflict` on the two claims' stored `fact_probe` tokens leaves a pair out of a delta's
    checks only when no check finds a conflict in it: over every pair of the lines of the seed
    articles and of the hand-written pairs above, in both orders, in one cluster or not. (Most
    pairs are ruled out: the probes spare a delta reading their facts.)"""
    from pathlib import Path

    from factcheck.stages.conflicts import _Checker, fact_probe, may_conflict, probe_tokens

    texts = [(f"p{i}", f"{a}\n{b}", "2022-08-03") for i, (_, a, b) in enumerate(FIRES + QUIET)]
    for f in sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt")):
        lines = [x for x in f.read_text(encoding="utf-8").splitlines() if x.strip()]
        texts.append((f.stem, "\n".join(lines), "2022-08-03"))
    claims, arts = _corpus(*texts)
    facts = normalize_claims(claims, arts)
    checker = _Checker(facts, arts, {c.id: c for c in claims}, ConflictSettings())
    probes = {c: probe_tokens(fact_probe(f)) for c, f in facts.items()}
    ids = sorted(facts)
    hits = ruled_out = 0
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            for same in (False, True):
                possible = may_conflict(probes[a], probes[b], same)
                assert possible == may_conflict(probes[b], probes[a], same)
                found = checker.pair(facts[a], facts[b], same) or checker.pair(facts[b], facts[a], same)
                assert possible or not found, (claims_of(claims, a, b), found)
                hits += bool(found)
                ruled_out += not possible
    assert hits > 20 and ruled_out > len(ids) ** 2 / 2


def test_in_one_cluster_the_probes_rule_out_numbers_of_other_units_and_dates_the_check_cannot_compare():
    """A delta checks the pairs of a large cluster that a new claim joins. Two of its claims that
    count different things ("40 homes" / "12 people"), or of which one names a date the date
    check cannot compare ("next week" in an undated article), are left out without reading their
    facts: the probes name each quantity's kind and unit, and only dates that are resolved or
    name a month. Two counts of one thing are still checked (and conflict)."""
    from factcheck.stages.conflicts import _Checker, fact_probe, may_conflict, probe_tokens

    claims, arts = _corpus(("a", "Talks on the border will resume next week.", None),
                           ("b", "The agreement was signed in Jakarta on August 2.", "2022-08-03"),
                           ("c", "The storm destroyed 40 homes.", None), ("d", "Police arrested 12 people.", None),
                           ("e", "Police arrested 15 people.", None))
    facts = normalize_claims(claims, arts)
    checker = _Checker(facts, arts, {c.id: c for c in claims}, ConflictSettings())
    of = {c.article_id: c.id for c in claims}
    probes = {a: probe_tokens(fact_probe(facts[c])) for a, c in of.items()}
    for x, y, possible in (("a", "b", False), ("c", "d", False), ("d", "e", True)):
        assert may_conflict(probes[x], probes[y], same_event=True) == possible, (x, y, probes[x], probes[y])
        assert bool(checker.pair(facts[of[x]], facts[of[y]], True)) == possible


def test_in_one_cluster_the_probes_rule_out_counts_of_one_thing_whose_only_values_agree():
    """Most pairs of a large cluster that a new claim joins repeat its count ("thousands of
    officers" / "more than 8,000 officers"; "12 people" / "12 people"): when each side holds one
    quantity of that kind and unit and their ranges meet, no number can differ, and the pair is
    left out without reading its facts. Counts that differ, or a side with two counts of the same
    unit, are still checked; the first conflicts."""
    from factcheck.stages.conflicts import _Checker, fact_probe, may_conflict, probe_tokens

    claims, arts = _corpus(("a", "The army has thousands of officers.", None),
                           ("b", "The force counts more than 8,000 officers.", None),
                           ("c", "Officers detained 12 people.", None), ("d", "Police questioned 12 people.", None),
                           ("e", "Soldiers held 30 people.", None),
                           ("f", "Guards held 12 people at dawn and 30 people at noon.", None))
    facts = normalize_claims(claims, arts)
    checker = _Checker(facts, arts, {c.id: c for c in claims}, ConflictSettings())
    of = {c.article_id: c.id for c in claims}
    probes = {a: probe_tokens(fact_probe(facts[c])) for a, c in of.items()}
    for x, y, possible, found in (("a", "b", False, False), ("c", "d", False, False), ("c", "e", True, True),
                                  ("c", "f", True, False)):
        assert may_conflict(probes[x], probes[y], same_event=True) == possible, (x, y, probes[x], probes[y])
        assert bool(checker.pair(facts[of[x]], facts[of[y]], True)) == found, (x, y)
    # (a negative tolerance, which could part two equal counts, is refused by the settings; a
    # delta does not use the probes with one)
    assert ConflictSettings().number_tolerance >= 0


def claims_of(claims, *ids):
    return [c.text for c in claims if c.id in ids]


def test_an_amount_of_money_counts_its_currency_not_the_next_noun():
    res = compare_claims("The company lost $3 million last year.", "The company lost $3 billion last year.",
                         published_a="2022-08-03", published_b="2022-08-03")
    assert res.conflict and res.kind == "number" and "(dollar)" in res.explanation, res
    # two currencies: the amounts are not compared
    assert not compare_claims("The fine was £400 million.", "The fine was €900 million.").conflict


def test_weekdays_are_compared_by_name_when_an_article_s_date_is_unknown():
    """With no article date a weekday stays a name: two claims of one event naming other weekdays
    conflict, with the weight of a date resolved from the page date and the reason given; the same
    weekday, or the weekday a dated article looks ahead to, agrees."""
    a = "Santos is expected to meet President Marcelo Rebelo de Sousa on Wednesday."
    b = "Santos will meet President Marcelo Rebelo de Sousa on Tuesday to discuss forming a government."
    for pub_a in (None, "2024-03-11"):
        res = compare_claims(a, b, published_a=pub_a)
        assert res.conflict and res.kind == "date", res
        assert "'Wednesday'" in res.explanation and "'Tuesday'" in res.explanation
        assert "weekday names" in res.explanation
        assert res.severity == ConflictSettings().sev_date * ConflictSettings().relative_date_discount
    assert not compare_claims(a, b.replace("Tuesday", "Wednesday")).conflict
    # one act on both sides: not two sayings (two articles of two days), not two people's meetings
    assert not compare_claims("The ministry said on Wednesday that 12 people died.",
                              "The ministry said on Thursday that the floods had ended.").conflict
    assert not compare_claims(a, b.replace("Santos", "Montenegro")).conflict
    # dated on a Monday, "will meet ... on Wednesday" is the Wednesday after, not the one before:
    # it agrees with "met ... on March 13" written that week
    assert not compare_claims(a, "Santos met President Marcelo Rebelo de Sousa on March 13, 2024.",
                              published_a="2024-03-11", published_b="2024-03-14").conflict
    res = compare_claims(a, "Santos met President Marcelo Rebelo de Sousa on March 6, 2024.",
                         published_a="2024-03-11", published_b="2024-03-14")
    assert res.conflict and res.kind == "date" and "2024-03-13" in res.explanation, res


def test_a_date_told_in_the_past_is_not_taken_for_one_ahead():
    """Two reports of one day's announcement, one with a word that seems to look ahead ("the plan
    to staff", "after the plan for cuts was announced"): the same Monday, no date conflict. An
    announcement one report says is to come and the other says came is still one."""
    day = dict(published_a="2026-11-25", published_b="2026-11-25")
    assert not compare_claims("Chief executive Anna Berg presented the plan to staff on Monday.",
                              "Chief executive Anna Berg told staff about the plan on Monday.", **day).conflict
    assert not compare_claims("Shares fell after the plan for cuts was announced on Monday.",
                              "The bank announced the cuts on Monday.", **day).conflict
    res = compare_claims("The bank will announce the cuts on Monday.", "The bank announced the cuts on Monday.", **day)
    assert res.conflict and res.kind == "date" and "2026-11-30" in res.explanation, res


def test_a_delta_reads_the_stored_conflicts_of_a_cluster_that_only_gained_a_claim_only_when_clusters_merged():
    """A cluster that only gained a changed claim keeps its members' same-event pairs as they were:
    the delta does not read their stored conflicts (a new article joining a cluster of hundreds of
    claims). Two clusters merged into one change their pairs across: those conflicts are read (so
    that one the check no longer finds goes), and a conflict of the new claim is found."""
    from factcheck.records import Cluster
    from factcheck.stages.conflicts import Previous
    claims, arts = _corpus(
        ("001_a", "The blast killed 12 people in the market.\nThe fire destroyed 40 homes.", "2024-03-03"),
        ("002_b", "The blast killed 12 people in the market.\nThe fire destroyed 40 homes.", "2024-03-03"),
        ("003_c", "The blast killed 15 people in the market.", "2024-03-03"))
    facts = normalize_claims(claims, arts)
    a1, a2, b1, b2, n = (c.id for c in claims)

    def run(then: list[tuple[str, ...]], now: list[tuple[str, ...]]):
        asked: list = []

        def stored(ids):
            asked.append(set(ids) if ids is not None else None)
            return []
        prev = Previous(changed={n}, clusters=[Cluster("k" + "".join(m), m, (), 1) for m in then],
                        key_sizes={}, offices={}, conflicts=stored)
        got = find_conflicts(claims, facts, [Cluster("k" + "".join(m), m, (), 1) for m in now], arts,
                             previous=prev)
        return asked, got
    # the blast cluster gains the new claim: only the new claim's stored conflicts are read
    asked, got = run([(a1, b1), (a2, b2)], [(a1, b1, n), (a2, b2)])
    assert asked == [{n}], asked
    assert {(c.kind, frozenset((c.a, c.b))) for c in got} >= {("number", frozenset((a1, n))),
                                                                ("number", frozenset((b1, n)))}
    # the two clusters merge with it: the pairs across were not one event, now are; read them
    asked, got = run([(a1, b1), (a2, b2)], [(a1, b1, a2, b2, n)])
    assert asked and asked[0] is not None and {a1, b1, a2, b2} <= asked[0], asked


def test_an_active_and_a_passive_report_of_one_act_conflict_on_its_date_outside_one_cluster():
    """Not clustered together, two claims compare dates when they share a predicate: "The mayor
    opened the bridge on May 3" and "The bridge was opened by the mayor on May 5" do once the
    passive is read as the active; the same act with its agent on one side only does not."""
    got = _checked(("001_a", "Mayor Anna Lindqvist opened the Harbour Bridge on May 3.", "2023-05-10"),
                   ("002_b", "The Harbour Bridge was opened by Mayor Anna Lindqvist on May 5.", "2023-05-10"))[3]
    assert [c.kind for c in got] == ["date"], [c.explanation for c in got]
    assert "'May 3'" in got[0].explanation and "'May 5'" in got[0].explanation
    quiet = _checked(("001_a", "Mayor Anna Lindqvist opened the Harbour Bridge on May 3.", "2023-05-10"),
                     ("002_b", "The Harbour Bridge was opened on May 5.", "2023-05-10"))[3]
    assert not [c for c in quiet if c.kind == "date"], [c.explanation for c in quiet]


def _one_cluster(a, b, published="2024-05-06"):
    """The conflicts of two claims of two articles in one cluster, and the claims' probe tokens."""
    from factcheck.records import Cluster

    claims, arts = _corpus(("001_a", a, published), ("002_b", b, published))
    facts = normalize_claims(claims, arts)
    one = [Cluster("k1", tuple(c.id for c in claims), ("001_a", "002_b"), independent_sources=2)]
    probes = [probe_tokens(fact_probe(facts[c.id])) for c in claims]
    return find_conflicts(claims, facts, one, arts, ConflictSettings()), probes


def test_a_contest_whose_winner_and_loser_are_swapped_is_a_conflict_of_one_event_only():
    """"Mayor Anna Lindqvist defeated Erik Berg in the runoff" against "Erik Berg defeated Mayor Anna
    Lindqvist", "... was defeated by Erik Berg" or "Lindqvist lost to Berg": who won differs, in one
    cluster. The same result worded otherwise agrees, and two claims that are not one event (two
    matches) are not compared; nor is a symmetric act ("met")."""
    one_cluster = _one_cluster
    won = "Mayor Anna Lindqvist defeated Erik Berg in the runoff."
    for other in ("Erik Berg defeated Mayor Anna Lindqvist in the runoff.",
                  "Mayor Anna Lindqvist was defeated by Erik Berg in the runoff.",
                  "Mayor Anna Lindqvist lost to Erik Berg in the runoff."):
        got, probes = one_cluster(won, other)
        assert [c.kind for c in got] == ["negation"], (other, [c.explanation for c in got])
        assert "Anna Lindqvist won" in got[0].explanation and "Erik Berg won" in got[0].explanation
        assert may_level(*probes) >= 1          # (a delta checks the pair again)
    for same in ("Erik Berg was defeated by Mayor Anna Lindqvist in the runoff.",
                 "Erik Berg lost to Mayor Anna Lindqvist in the runoff."):
        assert one_cluster(won, same)[0] == [], same
    assert one_cluster("Mayor Anna Lindqvist met Erik Berg in the runoff.",
                       "Erik Berg met Mayor Anna Lindqvist in the runoff.")[0] == []
    # outside one cluster (no cosines: not near), the two results may be two contests
    assert not [c for c in _checked(("001_a", won, "2024-05-06"),
                                    ("002_b", "Erik Berg defeated Mayor Anna Lindqvist in the runoff.",
                                     "2024-05-06"))[3] if c.kind == "negation"]


def test_taking_up_one_office_in_two_years_is_a_date_conflict_outside_one_cluster():
    """"Maria Holm, who became chief executive in 2021" against "Maria Holm became chief executive
    in 2019": a person takes up an office once, so two years are two accounts of one act, not two
    acts (as two visits in two years are)."""
    got = _checked(("001_a", "Maria Holm, who became chief executive in 2021, said demand would recover.", "2025-10-23"),
                   ("002_b", "Maria Holm became chief executive in 2019.", "2025-10-24"))[3]
    assert [c.kind for c in got] == ["date"], [c.explanation for c in got]
    assert "'in 2021'" in got[0].explanation and "'in 2019'" in got[0].explanation
    visits = _checked(("001_a", "Maria Holm visited the plant in 2021.", "2025-10-23"),
                      ("002_b", "Maria Holm visited the plant in 2019.", "2025-10-24"))[3]
    assert visits == [], [c.explanation for c in visits]


def test_a_swapped_winner_outside_one_cluster_is_compared_when_near_and_in_the_band_when_confirmed():
    """Outside one cluster, who won is compared as the numbers and dates are: when the pair is
    near (cosine from `near_cosine`), or in the band below it when the matcher calls it "same
    story, different fact"; unconfirmed, the band pair is taken apart."""
    claims, arts = _corpus(("001_a", "Mayor Anna Lindqvist defeated Erik Berg in the runoff.", "2024-05-06"),
                           ("002_b", "Erik Berg defeated Mayor Anna Lindqvist in the runoff.", "2024-05-06"))
    facts = normalize_claims(claims, arts)

    def won(cos, confirm):
        got = find_conflicts(claims, facts, [], arts, cosines=lambda pairs: [cos] * len(pairs),
                             same_story=lambda pairs, c: [confirm] * len(pairs))
        return [c.kind for c in got if "(who won)" in c.explanation]
    assert won(0.9, False) == ["negation"]
    assert won(0.7, True) == ["negation"]
    assert won(0.7, False) == []
    assert won(0.5, True) == []


def test_two_counts_of_one_thing_by_one_verb_conflict_outside_one_cluster():
    """"Nordvik will cut 1,500 jobs" against "the company would cut 1,200 jobs": worded apart (no
    cluster, no near cosine), but the same verb counts the same noun, by subjects that may be one,
    so the two numbers are two reports of one count; a casualty verb counts its people alike."""
    jobs = _checked(("001_a", "Nordvik Motors will cut 1,500 jobs after its operating profit dropped.", "2025-10-23"),
                    ("002_b", "Chief Executive Maria Holm said the company would cut 1,200 jobs by the end of 2026.",
                     "2025-10-23"))[3]
    assert [c.kind for c in jobs] == ["number"], [c.explanation for c in jobs]
    assert "'1,500'" in jobs[0].explanation and "'1,200'" in jobs[0].explanation
    hurt = _checked(("001_a", "Twenty-three people were injured when a train derailed near Burgos on Monday.",
                     "2025-02-11"),
                    ("002_b", "A train derailed near Burgos on Monday, leaving 32 persons injured.", "2025-02-11"))[3]
    assert [c.kind for c in hurt] == ["number"], [c.explanation for c in hurt]


@pytest.mark.parametrize("why, a, b", [
    ("two places", "The floods killed 12 people in Lima.", "The floods killed 15 people in Cusco."),
    ("a part of the count", "The fire killed 14 workers.", "Two injured workers later died in hospital."),
    ("two subjects", "The earthquake killed 12 people.", "The aftershock killed 15 people."),
    ("two days", "Police arrested 12 protesters on Monday.", "Police arrested 15 protesters on Tuesday."),
    ("a vague verb", "The company has 1,200 employees at the plant.", "The company has 1,500 employees."),
    ("a baseline", "Earnings were 64 cents a share, compared to 25 cents a share a year earlier.",
     "Earnings were 59 cents a share, compared with 15 cents a share a year earlier."),
])
def test_two_counts_that_may_be_of_two_things_stay_quiet_outside_one_cluster(why, a, b):
    got = _checked(("001_a", a, "2025-02-11"), ("002_b", b, "2025-02-11"))[3]
    assert got == [], (why, [c.explanation for c in got])


def test_a_claim_naming_the_winner_or_the_loser_alone_conflicts_with_the_result_it_reverses():
    """"Anna Lindqvist won the runoff" or "Erik Berg conceded" against "Erik Berg defeated Anna
    Lindqvist": in one cluster, one side is the winner in one claim and the loser in the other.
    The result it agrees with, and two winners named one by each claim (maybe of two rounds), are
    quiet; so are the same claims outside one cluster."""
    def one_cluster(a, b):
        return _one_cluster(a, b, "2025-09-16")
    reversed_ = "Erik Berg defeated Anna Lindqvist in the runoff for mayor."
    for one_side, said in (("Anna Lindqvist won the mayoral runoff.", "Anna Lindqvist won"),
                           ("Erik Berg conceded defeat.", "Erik Berg lost")):
        got, probes = one_cluster(one_side, reversed_)
        assert [c.kind for c in got] == ["negation"], (one_side, [c.explanation for c in got])
        assert said in got[0].explanation and "Erik Berg won" in got[0].explanation
        assert "(who won)" in got[0].explanation
        assert may_level(*probes) >= 1          # (a delta checks the pair again)
        assert not _checked(("001_a", one_side, "2025-09-16"), ("002_b", reversed_, "2025-09-16"))[3]
    assert one_cluster("Anna Lindqvist won the mayoral runoff.",
                       "Anna Lindqvist defeated Erik Berg in the runoff.")[0] == []
    assert one_cluster("Anna Lindqvist won the mayoral runoff.", "Erik Berg won the first round.")[0] == []
    # the loser won a share of the vote, not the runoff
    assert one_cluster("Erik Berg won 46 percent of the vote.",
                       "Anna Lindqvist defeated Erik Berg in the runoff.")[0] == []
    # one side named by each, the winner in one and the loser in the other, in other words
    got = one_cluster("Anna Lindqvist won the mayoral runoff.", "Anna Lindqvist lost the election.")[0]
    assert [c.kind for c in got] == ["negation"], [c.explanation for c in got]


def _one_negation_in_one_cluster(a: str, b: str, reason: str, told: str) -> None:
    """Two claims in one cluster give one negation conflict whose explanation holds `reason` and
    `told`, and whose probes let a delta check the pair again."""
    got, probes = _one_cluster(a, b, "2025-09-16")
    assert [c.kind for c in got] == ["negation"], (a, b, [c.explanation for c in got])
    assert reason in got[0].explanation and told in got[0].explanation, got[0].explanation
    assert may_level(*probes) >= 1


def test_two_winners_of_one_contest_conflict_and_sides_the_tagger_misses_count():
    """In one cluster, two sides each named the winner of one contest named by one noun ("won the
    runoff") conflict (who won); a seat, an award, a share of the vote or two contests do not. A
    side the entity tagger misses (a lone surname opening the sentence, a club before its score)
    is still a side: "Porto beat Benfica 2-1" against "Benfica beat Porto 2-1"."""
    def one_cluster(a, b):
        return _one_cluster(a, b, "2025-09-16")
    for a, b, said in (("Anna Lindqvist won the mayoral runoff.", "Erik Berg won the mayoral runoff.", "Erik Berg won"),
                       ("Lindqvist won the runoff on Sunday.", "Berg won the runoff on Sunday.", "Berg won"),
                       ("Porto beat Benfica 2-1 in the derby.", "Benfica beat Porto 2-1 in the derby.", "Benfica won"),
                       ("Manchester United beat Chelsea 2-1 on Sunday.", "Chelsea beat Manchester United 2-1 on Sunday.",
                        "Chelsea won")):
        _one_negation_in_one_cluster(a, b, "(who won)", said)
    for a, b in (("Anna Lindqvist won a seat on the council.", "Erik Berg won a seat on the council."),
                 ("Anna Lindqvist won the award for best actress.", "Erik Berg won the award for best actress."),
                 ("Anna Lindqvist won the mayoral runoff.", "Erik Berg won the party's nomination."),
                 ("Porto beat Benfica 2-1 in the derby.", "Porto beat Benfica in the derby.")):
        assert one_cluster(a, b)[0] == [], (a, b)


def test_one_act_between_two_named_ones_told_the_other_way_round_conflicts():
    """"Halvorsen Foods agreed to buy Baltic Dairy" against "Baltic Dairy agreed to buy Halvorsen
    Foods" (or the passive "was bought by"): who did it to whom differs, in one cluster. Not for
    an act alike both ways ("met"), a claim telling both ways ("sued each other"), or two acts at
    two times."""
    def one_cluster(a, b):
        return _one_cluster(a, b, "2025-09-16")
    for a, b, told in (("Halvorsen Foods agreed to buy Baltic Dairy for $2.3 billion.",
                        "Baltic Dairy agreed to buy Halvorsen Foods for $2.3 billion.", "Baltic Dairy buy Halvorsen Foods"),
                       ("Halvorsen Foods was bought by Baltic Dairy.", "Halvorsen Foods bought Baltic Dairy.",
                        "Halvorsen Foods buy Baltic Dairy"),
                       ("Maria Holm replaced Erik Berg as chief executive.",
                        "Erik Berg replaced Maria Holm as chief executive.", "Erik Berg replace Maria Holm")):
        _one_negation_in_one_cluster(a, b, "who did it to whom", told)
    for a, b in (("Lavrov met Marsudi in Jakarta.", "Marsudi met Lavrov in Jakarta."),
                 ("Nordvik and Halvorsen Foods sued each other over the patent.", "Halvorsen Foods sued Nordvik over the patent."),
                 ("Nordvik sued Halvorsen Foods on March 3, 2019.", "Halvorsen Foods sued Nordvik on June 5, 2021.")):
        assert not [c for c in one_cluster(a, b)[0] if "to whom" in c.explanation], (a, b)


def test_two_people_made_one_office_of_one_holder_conflict():
    """In one cluster, two named people each made chief executive of Nordvik (or president of the
    club) conflict (role: who was made it). A deputy office, an interim one against a permanent one,
    a seat on a board, a claim naming both, or one person made it in two wordings do not."""
    def one_cluster(a, b):
        return _one_cluster(a, b, "2025-09-16")
    for a, b in (("Maria Holm was named chief executive of Nordvik on Monday.",
                  "Nordvik appointed Erik Berg as chief executive."),
                 ("Anna Lund was elected president of the club.", "Erik Holm was elected president of the club.")):
        got, probes = one_cluster(a, b)
        assert [c.kind for c in got] == ["role"] and "who was made" in got[0].explanation, (a, b, got)
        assert may_level(*probes) >= 1          # (a delta checks the pair again)
    for a, b in (("Maria Holm was named interim chief executive of Nordvik.", "Erik Berg was named chief executive of Nordvik."),
                 ("Maria Holm was appointed deputy chairman of Nordvik.", "Erik Berg was appointed deputy chairman of Nordvik."),
                 ("Maria Holm was appointed to the board of Nordvik.", "Erik Berg was appointed to the board of Nordvik."),
                 ("Maria Holm was named chief executive of Nordvik, replacing Erik Berg.",
                  "Erik Berg was named chief executive of Nordvik."),
                 ("Maria Holm was named chief executive of Nordvik on Monday.",
                  "Nordvik appointed Maria Holm as chief executive.")):
        assert not [c for c in one_cluster(a, b)[0] if c.kind == "role"], (a, b)


def test_two_places_in_one_run_of_events_conflict_outside_one_cluster():
    """"the bank's eighth consecutive increase since March 2022" against "its seventh straight
    increase since March of last year": one run over one window, worded apart; a run over another
    window is another run."""
    got = _checked(("001_a", "It was the bank's eighth consecutive increase since March 2022.", "2023-01-25"),
                   ("002_b", "The Bank of Canada lifted its rate by a quarter point yesterday, its seventh straight "
                             "increase since March of last year.", "2023-01-26"))[3]
    assert [c.kind for c in got] == ["count"], [c.explanation for c in got]
    assert "'eighth consecutive increase' (8)" in got[0].explanation and "(7)" in got[0].explanation
    other = _checked(("001_a", "It was the bank's eighth consecutive increase since March 2022.", "2023-01-25"),
                     ("002_b", "It was the third straight increase since October.", "2023-01-26"))[3]
    assert other == [], [c.explanation for c in other]
    # a run without a window is one run of one named side: a win and a victory are one event
    wins = _checked(("001_a", "It was Ajax's fifth straight league win.", "2024-10-20"),
                    ("002_b", "The win was Ajax's fourth consecutive victory in the league.", "2024-10-21"))[3]
    assert [c.kind for c in wins] == ["count"], [c.explanation for c in wins]
    two = _checked(("001_a", "It was Ajax's fifth straight league win.", "2024-10-20"),
                   ("002_b", "It was Feyenoord's fourth consecutive victory in the league.", "2024-10-21"))[3]
    assert two == [], [c.explanation for c in two]
    # a person's place among those who did one thing, of one named person
    third = "Novak is the third minister to leave Fiala's cabinet this year."
    left = _checked(("001_a", third, "2025-05-06"),
                    ("002_b", "Novak is the second member of the cabinet to resign this year.", "2025-05-07"))[3]
    assert [c.kind for c in left] == ["count"], [c.explanation for c in left]
    other = _checked(("001_a", third, "2025-05-06"),
                     ("002_b", "Kralova is the second member of the cabinet to resign this year.", "2025-05-07"))[3]
    assert other == [], [c.explanation for c in other]


def test_two_sizes_of_one_change_in_a_rate_conflict_outside_one_cluster():
    """"raised its key rate by 25 basis points" against "lifted its benchmark rate by half a
    percentage point": one act by one verb class, 0.25 against 0.5 percentage points. A change of
    another thing (a forecast), or the other way (a cut), is another act."""
    hike = "The Bank of Canada raised its key overnight interest rate by 25 basis points to 4.5% on Wednesday."
    got = _checked(("001_a", hike, "2023-01-25"),
                   ("002_b", "The Bank of Canada lifted its benchmark rate by half a percentage point to 4.5 per "
                             "cent yesterday.", "2023-01-26"))[3]
    assert [c.kind for c in got] == ["number"], [c.explanation for c in got]
    assert "(0.25)" in got[0].explanation and "(0.5)" in got[0].explanation
    for other in ("The Bank of Canada raised its growth forecast by half a percentage point on Wednesday.",
                  "The Bank of Canada cut its key rate by half a percentage point on Wednesday."):
        quiet = _checked(("001_a", hike, "2023-01-25"), ("002_b", other, "2023-01-25"))[3]
        assert not [c for c in quiet if c.kind == "number"], (other, [c.explanation for c in quiet])


def test_one_person_s_two_ages_conflict_wherever_the_claims_are():
    """"Novak, 52," against "The 54-year-old had held the post" (the sentence after the one naming
    him): one person's age, compared whatever the two claims say; a year apart is a birthday, and
    one more per year between the articles' dates."""
    got = _checked(("001_a", "Health Minister Pavel Novak resigned on Tuesday.\nNovak, 52, had been minister since 2021.",
                    "2025-05-06"),
                   ("002_b", "Pavel Novak stepped down as health minister yesterday.\nThe 54-year-old had held the post "
                    "since December 2021.", "2025-05-07"))[3]
    ages = [c for c in got if "(age of Pavel Novak)" in c.explanation]
    assert [c.kind for c in ages] == ["number"], [c.explanation for c in got]
    # (quoting each name with its age)
    assert "'Novak, 52'" in ages[0].explanation and "'The 54-year-old'" in ages[0].explanation
    # a birthday between the reports
    near = _checked(("001_a", "Novak, 52, resigned on Tuesday.", "2025-05-06"),
                    ("002_b", "The 53-year-old Pavel Novak stepped down.", "2025-05-07"))[3]
    assert not [c for c in near if "(age" in c.explanation], [c.explanation for c in near]
    # two years between the reports
    later = _checked(("001_a", "Novak, 52, resigned on Tuesday.", "2025-05-06"),
                     ("002_b", "Pavel Novak, 54, returned to politics.", "2027-06-01"))[3]
    assert not [c for c in later if "(age" in c.explanation], [c.explanation for c in later]


@pytest.mark.parametrize("why, b", [
    ("another the sentence before is about", "Jana Kralova met Pavel Novak.\nThe 54-year-old had held the post since 2021."),
    ("nobody named before it", "The minister resigned.\nThe 54-year-old had held the post since 2021."),
    ("another person's age", "Jana Kralova, 54, will run the ministry."),
])
def test_an_age_of_nobody_or_of_another_is_not_the_person_s(why, b):
    got = _checked(("001_a", "Pavel Novak, 52, resigned on Tuesday.", "2025-05-06"), ("002_b", b, "2025-05-06"))[3]
    assert not [c for c in got if "(age" in c.explanation], (why, [c.explanation for c in got])


def test_a_noun_s_act_said_either_way_is_a_negation_conflict_outside_one_cluster():
    """"Police said they had opened an investigation" (they: the police, who said it) against
    "Police have not opened an investigation": far apart in wording, but one noun's one act on
    one thing; not when the denial is of a time up to the report ("yet", "in nearly a decade"),
    nor with a verb that says little."""
    got = _checked(("001_a", "Police said they had opened an investigation into the contracts.", "2025-05-06"),
                   ("002_b", "Police have not opened an investigation, a police spokesman said.", "2025-05-06"))[3]
    assert [c.kind for c in got] == ["negation"], [c.explanation for c in got]
    assert "'not opened'" in got[0].explanation and "'opened'" in got[0].explanation
    for denial in ("Police have not yet opened an investigation.",
                   "Police have not opened an investigation in nearly a decade.",
                   "Police have not opened an investigation so far."):
        quiet = _checked(("001_a", "Police said they had opened an investigation.", "2025-05-06"),
                         ("002_b", denial, "2025-05-06"))[3]
        assert quiet == [], (denial, [c.explanation for c in quiet])
    vague = _checked(("001_a", "The ministry gave details of the plan.", "2025-05-06"),
                     ("002_b", "The ministry did not give details of the plan.", "2025-05-06"))[3]
    assert vague == [], [c.explanation for c in vague]


def test_what_a_vehicle_carries_and_what_a_study_follows_are_counts_of_one_verb():
    """"was carrying 187 passengers", "was transporting 187 passengers" and "with 178 passengers on
    board" count what the train carries; "The study followed 87,500 adults" and "The researchers
    followed 78,500 adults": a study and its researchers are one doer (a company and its bank are
    not)."""
    for a in ("The train was carrying 187 passengers from Madrid to Bilbao.",
              "The train was transporting 187 passengers of Madrid to Bilbao."):
        got = _checked(("001_a", a, "2025-02-11"),
                       ("002_b", "The train, with 178 passengers on board, was travelling from Madrid.", "2025-02-11"))[3]
        assert [c.kind for c in got] == ["number"] and "(passenger)" in got[0].explanation, (a, [c.explanation for c in got])
    got = _checked(("001_a", "The study followed 87,500 adults over nine years.", "2025-10-01"),
                   ("002_b", "The researchers followed 78,500 adults aged 40 to 79.", "2025-10-01"))[3]
    assert [c.kind for c in got] == ["number"] and "(adult)" in got[0].explanation, [c.explanation for c in got]
    # the counted noun as the subject, the doer unnamed
    cut = _checked(("001_a", "The companies said 300 jobs would be cut over two years.", "2025-10-14"),
                   ("002_b", "The companies said 450 jobs would be cut as part of the merger.", "2025-10-15"))[3]
    assert [c.kind for c in cut] == ["number"] and "(job)" in cut[0].explanation, [c.explanation for c in cut]
    two = _checked(("001_a", "The company cut 1,500 jobs.", "2025-10-01"),
                   ("002_b", "The union cut 1,200 jobs.", "2025-10-01"))[3]
    assert two == [], [c.explanation for c in two]


def test_a_newspaper_named_for_its_day_is_no_date():
    claims, arts = _corpus(("001_a", "The Independent reported in September 2014 that the video was real.", "2014-09-02"),
                           ("002_b", "Kashmira Gander writes for the Independent and Independent on Sunday.", "2014-09-02"))
    facts = normalize_claims(claims, arts)
    assert [d.text for f in facts.values() for d in f.dates] == ["September 2014"]
    day = normalize_claims(*_corpus(("003_c", "The Washington Post on Sunday reported the video was real.", "2014-09-02")))
    assert [d.text for f in day.values() for d in f.dates] == ["Sunday"]


def test_a_percentage_difference_is_compared_only_with_one_of_the_same_comparison():
    """In one cluster, "25% heavier than" and "32% higher" are differences of two comparisons, not
    two reports of one share; "12 percent higher" and "15 percent higher" are."""
    from factcheck.records import Cluster

    def in_one_cluster(a, b):
        claims, arts = _corpus(("001_a", a, "2014-09-02"), ("002_b", b, "2014-09-02"))
        one = [Cluster("k1", tuple(c.id for c in claims), ("001_a", "002_b"), independent_sources=2)]
        return find_conflicts(claims, normalize_claims(claims, arts), one, arts, ConflictSettings())
    got = in_one_cluster("GM-fed pigs had a rate of stomach inflammation 32% higher than other pigs.",
                         "GM-fed pigs had uteri that were 25% heavier than other pigs.")
    assert not [c for c in got if c.kind == "number"], [c.explanation for c in got]
    same = in_one_cluster("Sales were 12 percent higher than a year earlier.", "Sales were 15 percent higher than a year earlier.")
    assert [c.kind for c in same] == ["number"] and "(percent higher)" in same[0].explanation, same


@pytest.mark.parametrize("a,b,update", [
    # the later article counts more: maybe an update of a tally
    (("The earthquake killed 35 people in the region.", "2024-05-06"),
     ("The earthquake killed 41 people in the region.", "2024-05-07"), True),
    (("Police arrested three men on Monday over the attack.", "2024-05-06"),
     ("Police arrested four men over the attack.", "2024-05-08"), True),
    # the articles' days not known apart: the higher count told up to its report, the lower done
    (("Police arrested three men over the attack.", "2024-05-06"),
     ("Police have arrested four men over the attack.", "2024-05-06"), True),
    (("The quake killed 35 people.", None), ("Officials said 41 people have been killed so far in the quake.", None), True),
    (("The storm forced 2,000 people to evacuate.", None),
     ("So far 3,000 people have been evacuated because of the storm.", None), True),
    # a tally by its noun, whatever the verb ("confirmed ... cases")
    (("Health officials confirmed 95 cases.", "2024-05-06"),
     ("Health officials have confirmed 120 cases.", "2024-05-07"), True),
    (("Health officials confirmed 95 cases.", None), ("Health officials have confirmed 120 cases.", None), True),
    (("Health officials have confirmed 120 cases.", "2024-05-06"),
     ("Health officials confirmed 95 cases.", "2024-05-07"), False),
    # the later article counts fewer, running or not; two counts told done on one day
    (("The earthquake killed 41 people in the region.", "2024-05-06"),
     ("The earthquake killed 35 people in the region.", "2024-05-07"), False),
    (("Police arrested four men over the attack.", "2024-05-06"),
     ("Police have arrested three men over the attack.", "2024-05-07"), False),
    (("The fire killed 12 people.", "2024-05-06"), ("The fire killed 15 people.", "2024-05-06"), False),
    # what a vehicle carried does not grow
    (("The bus was carrying 40 passengers.", "2024-05-06"), ("The bus was carrying 52 passengers.", "2024-05-07"), False),
    # a toll counts the dead (or injured) up to its report: against a count told done, an update;
    # the final toll is done
    (("The death toll from the earthquake rose to 41 on Saturday.", None),
     ("The earthquake killed 35 people.", None), True),
    (("The number of injured rose to 230 on Sunday.", "2024-05-06"),
     ("About 150 people were injured in the blast.", "2024-05-05"), True),
    (("The number of dead in the building collapse reached 17.", "2024-05-06"),
     ("Twenty people died in the building collapse.", "2024-05-07"), True),
    (("The final death toll from the fire was 12.", None), ("The fire killed 15 people.", None), False),
])
def test_a_later_report_of_a_tally_may_count_more(a, b, update):
    """The dead, the injured, the arrested ... are counted again as a story develops: a later
    article's higher count (or a higher count told up to its report against one told done) may be
    an update, so it is a conflict of less weight that says so (either order of the pair); a later
    article's lower count is a conflict of full weight."""
    for (ta, pa), (tb, pb) in ((a, b), (b, a)):
        res = compare_claims(ta, tb, published_a=pa, published_b=pb)
        assert res.conflict and res.kind == "number", (ta, tb, res)
        assert ("running tally" in res.explanation) is update, res
        assert res.severity == pytest.approx(ConflictSettings().sev_number * (0.5 if update else 1.0)), res


def test_dates_of_one_event_with_the_same_count_conflict_and_sayings_days_do_not():
    """Dates that scope two counts ("in 2021, 500 ..." / "in 2022, 700 ...") are two times; the same
    count on both sides tells one event dated two ways. The days two reports say a thing on are
    two reports, not a clash; the day of an announcement of a thing is the event's."""
    day = dict(published_a="2025-03-10", published_b="2025-03-10")
    res = compare_claims("The plant will open in March with 500 workers.", "The plant will open in April with 500 workers.", **day)
    assert res.conflict and res.kind == "date" and "'March'" in res.explanation and "'April'" in res.explanation, res
    res = compare_claims("The quake that killed 12 people struck on Monday.",
                         "The quake that killed 12 people struck on Tuesday.", **day)
    assert res.conflict and res.kind == "date", res
    assert not compare_claims("In 2021, 500 people were arrested.", "In 2022, 700 people were arrested.", **day).conflict
    assert not compare_claims("Nordvik said on March 3 it will cut 1,500 jobs.",
                              "Nordvik said on March 5 it will cut 1,500 jobs.", **day).conflict
    assert not compare_claims("Lavrov said on Monday that the talks went well.",
                              "Lavrov said on Tuesday that the talks went well.", **day).conflict
    res = compare_claims("The bank announced the cuts on March 3.", "The bank announced the cuts on March 5.", **day)
    assert res.conflict and res.kind == "date", res


def test_a_claim_called_untrue_conflicts_with_the_claim_that_tells_it():
    """A report that calls what is told a hoax, fake or false, or denies the reports, against a
    report that tells it: a negation quoting the call and the claim. Not when both call it untrue,
    nor when the other claim says no; nor a fake thing ("fake passports") or a question ("real or
    hoax?")."""
    res = compare_claims("Willie Nelson died on Sunday.", "Willie Nelson dead? Viral hoax fools internet.")
    assert res.conflict and res.kind == "negation" and "'hoax' (called untrue)" in res.explanation, res
    res = compare_claims("Maria Holm resigned on Monday.", "Nordvik denied reports that Maria Holm had resigned.")
    assert res.conflict and "'denied reports' (called untrue)" in res.explanation, res
    assert compare_claims("The photo of the minister is fake.", "The minister posed for the photo.").conflict
    for a, b in [("Reports of Willie Nelson's death are a hoax, his agent said.", "Willie Nelson dead? Viral hoax fools internet."),
                 ("Willie Nelson is not dead.", "Willie Nelson dead? Viral hoax fools internet."),
                 ("Police seized 300 passports.", "Police seized fake passports."),
                 ("A Florida woman got a third breast.", "Woman with three breasts: real or hoax?"),
                 ("The temple has stood for 12 centuries.", "The temple is made up of two shrines.")]:
        assert not compare_claims(a, b).conflict, (a, b)


def test_in_a_corpus_the_call_of_untrue_must_be_about_the_act_told():
    """In a corpus the two claims must name one thing and the act nearest the call must be the one
    the other claim tells: "officers denied rumours they fired rubber bullets" does not dispute
    "police used tear gas", though both name Hong Kong."""
    from factcheck.records import Cluster
    claims, arts = _corpus(
        ("001_a", "Reports that Maria Holm resigned are false, the company said.\n"
                  "Officers in Hong Kong used tear gas, though officers denied rumours they had fired rubber bullets.",
         "2025-03-10"),
        ("002_b", "Maria Holm resigned on Monday.\nHong Kong police used tear gas against demonstrators.", "2025-03-10"))
    facts = normalize_claims(claims, arts)
    # (each pair one event: in one cluster)
    one = [Cluster(f"k{i}", (claims[i].id, claims[i + 2].id), ("001_a", "002_b"), independent_sources=2) for i in (0, 1)]
    got = find_conflicts(claims, facts, one, arts, ConflictSettings())
    calls = [c for c in got if "called untrue" in c.explanation]
    assert len(calls) == 1 and "'are false'" in calls[0].explanation and "Maria Holm resigned on Monday." in calls[0].explanation, \
        [c.explanation for c in got]


def test_an_act_without_an_object_told_and_denied_conflicts():
    """"Maria Holm resigned on Monday" against "Maria Holm did not resign": one subject's act
    without an object (the parse's date taken for one is none), told and denied. Not a denial up
    to the report ("has not resigned yet"), nor a verb that says little alone ("did not go far
    enough" / "should have gone further")."""
    day = dict(published_a="2025-03-10", published_b="2025-03-10")
    res = compare_claims("Maria Holm did not resign.", "Maria Holm resigned on Monday.", **day)
    assert res.conflict and res.kind == "negation" and "(not resign)" in res.explanation, res
    res = compare_claims("Macaulay Culkin died.", "Macaulay Culkin has not died.", **day)
    assert res.conflict and res.kind == "negation", res
    assert not compare_claims("Maria Holm has not resigned yet.", "Maria Holm resigned on Monday.", **day).conflict
    assert not compare_claims("The rebels did not go far enough.", "The rebels should have gone further.", **day).conflict


def test_a_named_one_told_dead_or_alive_is_told_to_have_died_or_not():
    """"Willie Nelson is dead" against "Willie Nelson has not died", "Hugh Hefner is alive" (or
    "is not dead") against "Hugh Hefner died on Sunday": a negation; "is dead" and "died" agree."""
    day = dict(published_a="2025-03-10", published_b="2025-03-10")
    for a, b in [("Willie Nelson is dead.", "Willie Nelson has not died, his agent said."),
                 ("Hugh Hefner is alive.", "Hugh Hefner died on Sunday."),
                 ("Hugh Hefner is not dead.", "Hugh Hefner died on Sunday.")]:
        res = compare_claims(a, b, **day)
        assert res.conflict and res.kind == "negation" and "(not die)" in res.explanation, (a, b, res)
    assert not compare_claims("Hugh Hefner is dead.", "Hugh Hefner died on Sunday.", **day).conflict
    # a nationality the parse gives for subject names no one: two fighters, not one
    assert not compare_claims("The female Kurdish fighter is actually alive and well.",
                              "Three Kurdish fighters died fighting in Kobane.", **day).conflict
    assert not compare_claims("Kurdish fighters did not retreat.", "Kurdish fighters retreated on Monday.", **day).conflict
