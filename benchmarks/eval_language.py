"""How well `factcheck.stages.language.detect` tells English text from other languages, on text
we did not write: the news bodies of ../shared/bench/dev/news_clusters_fnc1.jsonl and the seeds
(English articles), the machine translations into English of mt_quality_mlqe_pe_test20.jsonl
(English, much of it garbled) and their source sentences (Estonian, Nepali, Romanian, Russian,
Sinhala).

    .venv/bin/python benchmarks/eval_language.py [--group 3]

Prints, per set, how many texts were judged English, not English or too short to tell, and the
range of the common-English-word share; texts are whole articles, or `--group` sentences of one
language pair joined (the length of a short article), and single sentences.
"""
from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from factcheck.stages.language import ENGLISH_AT, MIN_WORDS, detect  # noqa: E402

DEV = ROOT.parent / "shared" / "bench" / "dev"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", type=int, default=3, help="sentences joined into one text")
    args = ap.parse_args()
    sets: dict[str, list[str]] = collections.defaultdict(list)
    sets["seeds (en)"] = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    for line in (DEV / "news_clusters_fnc1.jsonl").open(encoding="utf-8"):
        sets["fnc1 bodies (en)"] += [a["text"] for a in json.loads(line)["articles"]]
    mt: dict[str, list[str]] = collections.defaultdict(list)
    src: dict[str, list[str]] = collections.defaultdict(list)
    for line in (DEV / "mt_quality_mlqe_pe_test20.jsonl").open(encoding="utf-8"):
        r = json.loads(line)
        mt[r["lang_pair"]].append(r["mt"])
        src[r["lang_pair"]].append(r["src"])
    g = args.group
    for lp in sorted(mt):
        sets[f"MT into en, {g} joined"] += [" ".join(mt[lp][i:i + g]) for i in range(0, len(mt[lp]) - g + 1, g)]
        sets[f"{lp.split('-')[0]} sources, {g} joined"] = [" ".join(src[lp][i:i + g])
                                                           for i in range(0, len(src[lp]) - g + 1, g)]
        sets["MT into en, single"] += mt[lp]
        sets["sources (not en), single"] += src[lp]
    print(f"English at a share >= {ENGLISH_AT}; fewer than {MIN_WORDS} lowercase words: too short to tell")
    print(f"{'set':28s} {'texts':>6s} {'english':>8s} {'not en':>7s} {'short':>6s}   share of the judged: min / median / max")
    for name, texts in sets.items():
        vs = [detect(t) for t in texts]
        judged = [v for v in vs if v.words >= MIN_WORDS]
        shares = sorted(v.share for v in judged)
        rng = (f"{shares[0]:.3f} / {statistics.median(shares):.3f} / {shares[-1]:.3f}" if shares else "-")
        print(f"{name:28s} {len(vs):6d} {sum(v.english and v.words >= MIN_WORDS for v in vs):8d} "
              f"{sum(not v.english for v in vs):7d} {len(vs) - len(judged):6d}   {rng}")
        guesses = collections.Counter(v.guess for v in vs if not v.english)
        if guesses and "sources" in name and "single" not in name:
            print(f"{'':28s} read as: " + ", ".join(f"{k or 'no guess'} {n}" for k, n in guesses.most_common(4)))


if __name__ == "__main__":
    main()
