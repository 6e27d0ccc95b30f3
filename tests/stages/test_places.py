"""Where a place is (the GeoNames table the place check reads)."""
from __future__ import annotations

from factcheck.stages import places


def test_names_resolve_to_the_place_news_means():
    moscow = places.place("Moscow")
    assert moscow.kind == "city" and moscow.country == "RU"          # not Moscow, Idaho
    assert places.place("St. Petersburg").country == "RU"
    assert places.place("Bogotá") == places.place("Bogota")
    assert places.place("Burma").country == places.place("Myanmar").country == "MM"
    assert places.place("the United States").kind == "country"
    # unknown, or held by places none of which dominates
    assert places.place("Hatay province") is None and places.place("Springfield") is None


def test_two_places_are_apart_only_when_surely_two():
    apart = [("Moscow", "Kazan"), ("Moscow", "Indonesia"), ("Russia", "Myanmar"), ("Phnom Penh", "Jakarta")]
    together = [("Moscow", "Russia"), ("Brooklyn", "New York City"), ("Burma", "Myanmar"),
                ("Hatay province", "Antakya"), ("Antakya", "Hatay")]
    assert [places.apart(a, b) for a, b in apart] == [True] * len(apart)
    assert [places.apart(a, b) for a, b in together] == [False] * len(together)
