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


def test_regions_tell_apart_states_provinces_and_nations():
    """First-level regions (US states, Canada's provinces, Australia's states, the UK's nations):
    two regions of one country are two places, and so is a city of another region; a city of the
    region named is not."""
    apart = [("Texas", "Oklahoma"), ("California", "North Carolina"), ("North Hollywood", "North Carolina"),
             ("Boston", "New York"), ("London", "Scotland"), ("Sydney", "Victoria"), ("Texas", "Mexico")]
    together = [("Dallas", "Texas"), ("Tulsa", "Oklahoma"), ("Toronto", "Ontario"), ("Montreal", "Quebec"),
                ("Edinburgh", "Scotland"), ("Buffalo", "New York"), ("Melbourne", "Victoria"), ("Texas", "United States")]
    assert [places.apart(a, b) for a, b in apart] == [True] * len(apart)
    assert [places.apart(a, b) for a, b in together] == [False] * len(together)
    assert places.place("Texas").kind == "region" and places.place("Texas").country == "US"


def test_a_name_of_several_kinds_is_apart_only_from_what_every_one_is_apart_from():
    """"Washington" is a city and a state, "Georgia" a country and a state, "Ontario" a province
    and a Californian city: a place is apart from such a name only when it is apart from each."""
    assert places.place("Washington") is None and places.place("Georgia") is None
    assert not places.apart("Seattle", "Washington") and places.apart("Moscow", "Washington")
    assert not places.apart("Atlanta", "Georgia") and not places.apart("Tbilisi", "Georgia")
    assert not places.apart("Toronto", "Ontario") and not places.apart("Richmond", "Virginia")
    # of cities none of which dominates, every one must be apart (and a name is never apart from itself)
    assert places.apart("Springfield", "Paris") and not places.apart("Springfield", "Springfield")
