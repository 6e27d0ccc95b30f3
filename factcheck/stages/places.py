"""Where a place is: its country, a city's position and region (`factcheck/data/places.tsv`, from
GeoNames, CC BY 4.0: every country, the first-level regions of a few countries, and every city of
15,000 people or more; made by scripts/make_places.py). Read once, when a check first asks."""
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
    kind: str                        # "country" | "region" | "city"
    country: str                     # ISO code
    lat: float | None = None
    lon: float | None = None
    region: str | None = None        # a region's code, or a city's region (GeoNames' admin1 code)


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
        name, kind, cc, lat, lon, pop, region = rows[i].split("\t")
        out.append((Place(name, kind, cc, float(lat) if lat else None, float(lon) if lon else None, region or None),
                    int(pop or 0)))
    return out


@functools.lru_cache(maxsize=4096)
def readings(name: str) -> tuple[Place, ...]:
    """The places a name may be: a country and the regions of its name, and of the cities of its
    name the one that dominates (`_DOMINANT`), else every one. "Georgia" is a country and a US
    state, "Washington" a city and a state, "Ontario" a province and a Californian city."""
    got = _rows(plain(name))
    cities = sorted(((p, n) for p, n in got if p.kind == "city"), key=lambda x: -x[1])
    if len(cities) > 1 and cities[0][1] >= _DOMINANT * cities[1][1]:
        cities = cities[:1]
    return tuple(p for p, _ in got if p.kind != "city") + tuple(p for p, _ in cities)


def place(name: str) -> Place | None:
    """The place a name is, or None: unknown, or held by several places none of which dominates
    (a country's name held by a city too is the country's)."""
    got = readings(name)
    countries = [p for p in got if p.kind == "country"]
    if countries and not any(p.kind == "region" for p in got):
        return countries[0]
    return got[0] if len(got) == 1 else None


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _apart(pa: Place, pb: Place) -> bool:
    if pa.kind == "country" or pb.kind == "country" or pa.country != pb.country:
        return pa.country != pb.country
    if pa.kind == "region" or pb.kind == "region":
        # two regions of one country, or a city of another region than the one named
        return pa.region is not None and pb.region is not None and pa.region != pb.region
    return _km(pa, pb) > NEAR_KM


def apart(a: str, b: str) -> bool:
    """Whether two place names are surely two places, whichever places they name (`readings`): two
    countries, a place outside the country named, two regions of one country, a city outside the
    region named, or two cities more than `NEAR_KM` apart. False when either is not known (a
    district, a region of a country without regions in the table) or one may hold the other."""
    ra, rb = readings(a), readings(b)
    return bool(ra and rb) and all(_apart(x, y) for x in ra for y in rb)
