"""Pair features, match_pair and the embedder (the real model only under @pytest.mark.model)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import FakeEmbedder  # the suite's bag-of-words stand-in for the model

from factcheck.stages.matching import (FEATURES, Match, MatchSettings, compare_texts, match_pair, names_in,
                                       numbers_in, pair_features)


def test_numbers_years_and_months_are_extracted():
    assert numbers_in("At least 892 people were killed in 2021") == {"892 people", "2021"}
    assert numbers_in("It rose 1.1 percent to $2.9 million in July") == {"1.1%", "2.9e+06", "month:7"}
    assert "month:5" not in numbers_in("Officials may resign")
    assert numbers_in("one of the biggest suppliers") == frozenset()


def test_abbreviated_scales_are_the_numbers_they_stand_for():
    # glued or spaced; "m", "k" and "b" after a currency sign only ("a 5m wall" is metres)
    assert numbers_in("worth $2bn") == numbers_in("worth $2 billion") == {"2e+09"}
    assert numbers_in("a $1.5m fine") == numbers_in("a $1.5 million fine") == {"1.5e+06 fine"}
    assert numbers_in("2.5mln tonnes") == numbers_in("2.5 million tonnes") == {"2.5e+06 tonnes"}
    assert numbers_in("a £300k bonus") == {"300000 bonus"}
    assert numbers_in("a 5m wall") == {"5 m"} and numbers_in("a 10k run") == {"10 k"}


def test_numbers_clash_only_with_numbers_of_their_kind_and_unit():
    from factcheck.stages.matching import _numbers_clash as clash
    n = numbers_in
    assert clash(n("theft of 1,200 pounds of a chemical"), n("theft of 1,100 pounds of a chemical"))
    assert clash(n("he visited in 2013"), n("he visited in 2014"))             # years are exact
    assert not clash(n("ties between the two nations"), n("7,000 Myanmar officers since 2001"))
    assert not clash(n("a $70 million program"), n("a $70-million program"))
    assert not clash(n("up 2.95 million"), n("up 2.9 million"))                # within 2 %


def test_one_more_of_a_kind_is_another_fact_than_the_count_before_it():
    """"A fourth man was arrested" tells one more than "three men were arrested": two facts (a
    number clash), while two reports of the fourth man agree; a fraction ("a third of"), a
    comparison ("a third less likely") and a compound ("a sixth-grader") tell no one more."""
    from factcheck.stages.matching import _numbers_clash as clash
    n = numbers_in
    assert n("A fourth man was arrested on Tuesday.") == {"nth:4 man"}
    assert clash(n("Police arrested three men over the attack."), n("A fourth man was arrested over the attack."))
    assert clash(n("A fourth man was arrested."), n("A fifth man was arrested."))
    assert not clash(n("A fourth man was arrested over the attack."), n("Police said a fourth man was arrested."))
    # one more of another kind than the one counted, or nothing counted on the other side
    assert not clash(n("Police arrested three men."), n("A second car was found near the site."))
    assert not clash(n("Lavrov visited Myanmar for a second time in 2022."), n("Lavrov visited Myanmar in 2022."))
    for text in ("It is about a third of what I owe.", "They were a third less likely to fall ill.",
                 "Jodie Singer, a sixth-grader from Washington, spoke."):
        assert not any(x.startswith("nth:") for x in n(text)), text


def test_names_skip_titles_and_sentence_starts():
    assert names_in("Russian Foreign Minister Sergey Lavrov arrived in Myanmar") >= {"sergey", "lavrov", "myanmar"}
    assert "the" not in names_in("The minister spoke")


def test_features_are_symmetric():
    a, b = "Lavrov arrived in Myanmar on Wednesday.", "On Wednesday Lavrov flew into Myanmar for talks."
    assert pair_features(a, b, 0.8) == pair_features(b, a, 0.8)
    assert set(pair_features(a, b, 0.8)) == set(FEATURES)


def test_settings_are_frozen_and_weights_match_features():
    s = MatchSettings()
    assert len(s.weights) == len(FEATURES)
    with pytest.raises(AttributeError):
        s.same_threshold = 0.1  # type: ignore[misc]


def test_identical_claims_are_same():
    e = FakeEmbedder()
    m = compare_texts("Russia is Myanmar's top arms supplier.", "Russia is Myanmar's top arms supplier.", e)
    assert isinstance(m, Match) and m.relation == "same" and m.similarity > 0.9


def test_different_numbers_are_never_same_even_when_words_match():
    e = FakeEmbedder()
    a = "At least 892 people have been killed by the security forces since the coup."
    b = "At least 920 people have been killed by the security forces since the coup."
    va, vb = e.embed([a, b])
    m = match_pair(a, b, va, vb, MatchSettings())
    assert m.relation == "related"
    assert any("numbers/dates differ" in r for r in m.reasons)
    loose = match_pair(a, b, va, vb, MatchSettings(veto_numbers=False))
    assert loose.relation == "same"


def test_close_numbers_do_not_clash():
    f = pair_features("BayStar will own about 2.95 million shares", "BayStar gets more than 2.9 million shares", 0.9)
    assert f["number_clash"] == 0.0


def test_disjoint_names_veto():
    a, b = "Lavrov met Wunna Maung Lwin in Naypyitaw.", "Blinken met Retno Marsudi in Jakarta."
    va = vb = np.ones(384, dtype=np.float32) / np.sqrt(384)       # force cosine 1: only names decide
    m = match_pair(a, b, va, vb, MatchSettings())
    assert m.relation != "same" and any("no shared names" in r for r in m.reasons)


def test_unrelated_texts():
    e = FakeEmbedder()
    m = compare_texts("The central bank cut rates by half a point.", "A typhoon hit the coast of Korea.", e)
    assert m.relation == "unrelated"


def test_different_speakers_lower_the_score():
    e = FakeEmbedder()
    a = b = "The plan should be the basis for resolving the crisis."
    va, vb = e.embed([a, b])
    same = match_pair(a, b, va, vb)
    other = match_pair(a, b, va, vb, speaker_a="Sergey Lavrov", speaker_b="Retno Marsudi")
    assert other.similarity < same.similarity
    assert any("different speakers" in r for r in other.reasons)


def test_embeddings_module_imports_no_torch():
    import importlib

    sys.modules.pop("factcheck.stages.embeddings", None)
    had_torch = "torch" in sys.modules
    mod = importlib.import_module("factcheck.stages.embeddings")
    assert mod.get_embedder("minilm.v1", backend="fp32").name == "st:all-MiniLM-L6-v2:fp32"
    if not had_torch:
        assert "torch" not in sys.modules


def test_unknown_embedder_is_a_user_error():
    from factcheck.errors import FactcheckError
    from factcheck.stages.embeddings import get_embedder

    with pytest.raises(FactcheckError):
        get_embedder("nope")
    with pytest.raises(FactcheckError):
        get_embedder(backend="int3")


@pytest.fixture(scope="module")
def real_embedder():
    from factcheck.stages.embeddings import get_embedder

    return get_embedder("minilm.v1")


@pytest.mark.model
def test_real_model_vectors_are_normalised_and_bf16_close_to_fp32(real_embedder):
    from factcheck.stages.embeddings import get_embedder

    texts = ["Russian Foreign Minister Sergey Lavrov arrived in Myanmar on Wednesday.", "Moscow denied it."]
    v = real_embedder.embed(texts)
    assert v.shape == (2, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert real_embedder.embed([]).shape == (0, 384)
    exact = get_embedder(backend="fp32").embed(texts)
    assert float(np.einsum("ij,ij->i", v, exact).mean()) >= 0.999


@pytest.mark.model
@pytest.mark.parametrize("backend", ["fp32", "bf16"])
def test_embedder_gives_the_sentence_transformers_vectors_bit_for_bit(backend):
    """The embedder runs the model without sentence-transformers (a quicker start); its vectors
    must be exactly those of `SentenceTransformer.encode`, or the vectors stores cached under the
    same embedder name would mix with different ones. Texts of every length (one past the 256
    tokens kept), more than a batch of them (so batches pad differently), empty, spaces,
    non-Latin scripts, markup-like tokens, repeated texts."""
    import torch
    from factcheck.stages.embeddings import MiniLMEmbedder, normalise_rows

    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    rng = np.random.default_rng(3)
    words = ("minister visited Beijing talks Monday 42 people killed typhoon the a of said officials "
             "Lavrov Myanmar agreement signed first visit since 2013 Путин встретился 習近平 émigré").split()
    texts = [" ".join(rng.choice(words, size=int(rng.integers(1, 40)))) for _ in range(70)]
    texts += ["", " ", "\n\t", "a", "[CLS] [SEP] [PAD] [MASK]", "word " * 400, "Moscow denied it.", "Moscow denied it."]
    ours = MiniLMEmbedder(backend=backend)
    got = ours.embed(texts)
    model = SentenceTransformer(ours.model_path, device="cpu")
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=backend == "bf16"):
        ref = model.encode(texts, batch_size=32, convert_to_tensor=True, show_progress_bar=False)
    ref = normalise_rows(ref.float().numpy())
    assert got.shape == ref.shape == (len(texts), 384)
    assert np.array_equal(got, ref), np.abs(got - ref).max()


def test_a_model_folder_the_encoder_does_not_run_is_refused_by_name(tmp_path):
    """Another pooling (or a folder that is no model) must not give silently different vectors."""
    import json
    import shutil

    from factcheck.errors import FactcheckError
    from factcheck.stages.embeddings import MiniLMEmbedder

    real = Path(MiniLMEmbedder().model_path)
    folder = tmp_path / "cls-pooled"
    shutil.copytree(real, folder, ignore=shutil.ignore_patterns("*.safetensors", "*.bin", "*.onnx"))
    pooling = json.loads((folder / "1_Pooling" / "config.json").read_text())
    (folder / "1_Pooling" / "config.json").write_text(json.dumps(
        {**pooling, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    with pytest.raises(FactcheckError, match="cls-pooled: not a BERT model with mean pooling"):
        MiniLMEmbedder(model_path=str(folder)).embed(["Lavrov arrived."])
    with pytest.raises(FactcheckError, match="nowhere: not a readable sentence-transformers model folder"):
        MiniLMEmbedder(model_path=str(tmp_path / "nowhere")).embed(["Lavrov arrived."])


@pytest.mark.model
def test_embedding_loads_neither_sentence_transformers_nor_transformers():
    """What keeps `factcheck ci` quick to start: the model runs on torch alone."""
    code = ("import sys; from factcheck.stages.embeddings import get_embedder; "
            "v = get_embedder().embed(['Lavrov arrived in Myanmar.']); "
            "print(v.shape, sorted(m for m in ('sentence_transformers', 'transformers') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"}).stdout
    assert out.strip() == "(1, 384) []"


@pytest.mark.model
@pytest.mark.parametrize("a,b,relation", [
    ("Russian Foreign Minister Sergey Lavrov arrived in Myanmar on Wednesday for an official visit.",
     "On Wednesday, Russia's foreign minister Sergey Lavrov arrived in Myanmar for an official visit.", "same"),
    # same story, different number: not the same fact
    ("A typhoon hit South Korea, killing at least 42 people, authorities said.",
     "A typhoon hit South Korea, killing at least 48 people, authorities said.", "related"),
    # one more of a kind than those counted: not the same fact
    ("Police arrested three men over the attack.", "A fourth man was arrested over the attack.", "related"),
], ids=["paraphrase-is-same", "different-number-is-related", "one-more-is-related"])
def test_real_model_relation(real_embedder, a, b, relation):
    m = compare_texts(a, b, real_embedder)
    assert m.relation == relation, m


def test_same_story_is_a_pair_that_would_match_but_for_a_number():
    from factcheck.stages import matching
    """`same_story`: the matcher would call the pair the same claim but for a number or date that
    differs; a pair without such a difference, or far apart, is not."""
    a = "Price, 58, was found guilty on three counts of bribery and one count of money laundering."
    b = "The 56-year-old was found guilty of three counts of bribery and one count of money laundering."
    assert matching.same_story(a, b, 0.79)
    assert not matching.same_story(a, "Turnout was 66 percent, the highest since 1995.", 0.2)
    assert not matching.same_story(a, "Price, 58, was found guilty on three counts of bribery.", 0.85)
