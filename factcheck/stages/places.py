"""Where a place is: its country, and a city's position (`factcheck/data/places.tsv`, from
GeoNames, CC BY 4.0: every country, and every city of 15,000 people or more; made by
scripts/make_places.py). Read once, when a check first asks."""
from __future__ import annotations

import bisect
import functools
import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "places.tsv"
# a name several places hold is the most populous one's when it has this many times the people
# of the next ("Moscow" is Russia's, not Idaho's); otherwise it is not told which it is
_DOMINANT = 10
# two cities at most this far apart may be one place as reports name it (a borough and its city,
# a town and the city next to it)
NEAR_KM = 50.0


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    kind: str                        # "country" | "city"
    country: str                     # ISO code
    lat: float | None = None
    lon: float | None = None


def plain(name: str) -> str:
    """A name as the table keys it: lowercase, accents dropped, "Saint"/"St." as "st", no leading "the"."""
    s = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().strip()
    s = s.replace("’", "'").replace("saint ", "st ").replace("st. ", "st ")
    s = " ".join(s.split())
    return s[4:] if s.startswith("the ") else s


@functools.lru_cache(maxsize=1)
def _table() -> tuple[list[str], list[str]]:
    """The rows' names and the rows, in name order (a name's rows are found by binary search and
    read when asked for: the table is read in a few milliseconds)."""
    rows = [r for r in DATA.read_text(encoding="utf-8").split("\n") if r and not r.startswith("#")]
    return [r[:r.index("\t")] for r in rows], rows


def _rows(key: str) -> list[tuple[Place, int]]:
    names, rows = _table()
    out = []
    for i in range(bisect.bisect_left(names, key), bisect.bisect_right(names, key)):
        name, kind, cc, lat, lon, pop = rows[i].split("\t")
        out.append((Place(name, kind, cc, float(lat) if lat else None, float(lon) if lon else None), int(pop or 0)))
    return out


@functools.lru_cache(maxsize=4096)
def place(name: str) -> Place | None:
    """The place a name is, or None: unknown, or held by several places none of which dominates."""
    got = _rows(plain(name))
    if not got:
        return None
    countries = [p for p, _ in got if p.kind == "country"]
    if countries:
        return countries[0]
    ranked = sorted(got, key=lambda x: -x[1])
    if len(ranked) > 1 and ranked[0][1] < _DOMINANT * ranked[1][1]:
        return None
    return ranked[0][0]


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def apart(a: str, b: str) -> bool:
    """Whether two place names are surely two places: two countries, a city outside the country
    named, or two cities more than `NEAR_KM` apart. False when either is not known (a region, a
    district, a name several places hold) or one may hold the other."""
    pa, pb = place(a), place(b)
    if pa is None or pb is None:
        return False
    if pa.kind == "country" or pb.kind == "country":
        return pa.country != pb.country
    return _km(pa, pb) > NEAR_KM
