"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 601 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.8860
THRESHOLD = 0.40
WEIGHTS = {
    "headline": 1.9643,
    "lead": 0.4435,
    "lead_twice": -0.4744,
    "lead_cued": 0.6587,
    "opening": -0.0113,
    "sentences": 1.3692,
    "share": 0.4863,
    "most_named": 0.0427,
    "under_title_place": -0.4982,
    "admin_cue": 0.3486,
    "authority": 0.4833,
    "locating": 0.1125,
    "cues": 1.1339,
    "venue_only": -0.3981,
    "passing_share": -0.0719,
    "institution_share": 0.2790,
    "route_share": -0.2756,
    "first_position": -0.5450,
    "only_place": 0.2311,
    "places": -0.3708,
    "other_title": -0.0308,
    "national_lead": -0.5505,
    "sport": -0.8102,
    "show": -0.2707,
    "incident": 0.4232,
    "subdivisions": 0.7335,
    "by_subdivision_only": -0.3279,
}
