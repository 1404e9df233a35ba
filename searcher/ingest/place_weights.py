"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 0.3); do not edit by hand.
"""

BIAS = -3.1545
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 3.3819,
    "lead": 0.2884,
    "lead_twice": -0.4667,
    "lead_cued": 1.0317,
    "opening": -0.5472,
    "sentences": 1.4707,
    "share": 1.5410,
    "most_named": -0.2149,
    "under_title_place": -0.4067,
    "admin_cue": -0.2219,
    "authority": 0.6186,
    "locating": -0.4062,
    "cues": 2.0309,
    "venue_only": -0.4937,
    "passing_share": 0.0708,
    "institution_share": 0.7106,
    "route_share": -1.7795,
    "first_position": -0.6782,
    "only_place": -0.0389,
    "places": -0.4890,
    "other_title": -0.7787,
    "national_lead": -1.1065,
    "sport": -1.8303,
    "show": -1.3189,
    "incident": 0.4281,
}
