"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(905 articles, 1908 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -3.2596
THRESHOLD = 0.38
WEIGHTS = {
    "headline": 1.4561,
    "lead": 0.5856,
    "lead_twice": 0.0936,
    "lead_cued": 0.7471,
    "opening": 0.4406,
    "sentences": 1.4622,
    "share": 0.6600,
    "most_named": 0.0840,
    "under_title_place": -0.4264,
    "admin_cue": 0.4570,
    "authority": 0.3602,
    "locating": 0.0888,
    "cues": 1.2177,
    "venue_only": -0.5499,
    "passing_share": 0.5461,
    "institution_share": -0.2029,
    "route_share": -0.4079,
    "first_position": -0.7240,
    "only_place": 0.1208,
    "places": -0.1084,
    "other_title": -0.0789,
    "national_lead": -0.2840,
    "sport": -1.3231,
    "show": -0.1841,
    "incident": 0.5444,
    "subdivisions": 0.5957,
    "by_subdivision_only": -0.2954,
}
