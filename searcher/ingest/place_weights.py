"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 0.3); do not edit by hand.
"""

BIAS = -2.9520
THRESHOLD = 0.42
WEIGHTS = {
    "headline": 3.3656,
    "lead": 0.2373,
    "lead_twice": -0.4836,
    "lead_cued": 1.0822,
    "opening": -0.5850,
    "sentences": 1.4507,
    "share": 1.5255,
    "most_named": -0.2494,
    "under_title_place": -0.3606,
    "admin_cue": -0.1756,
    "authority": 0.6851,
    "locating": -0.3286,
    "cues": 1.9579,
    "venue_only": -0.5283,
    "passing_share": 0.0888,
    "institution_share": 0.6951,
    "route_share": -1.7882,
    "first_position": -0.8251,
    "only_place": -0.0417,
    "places": -0.5013,
    "other_title": -0.8321,
    "national_lead": -1.2031,
    "sport": -1.8506,
    "show": -1.6670,
    "incident": 0.1771,
}
