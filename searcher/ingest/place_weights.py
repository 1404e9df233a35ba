"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 602 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.7648
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 1.9825,
    "lead": 0.3910,
    "lead_twice": -0.4601,
    "lead_cued": 0.6583,
    "opening": -0.0847,
    "sentences": 1.3729,
    "share": 0.4559,
    "most_named": 0.0439,
    "under_title_place": -0.5106,
    "admin_cue": 0.2894,
    "authority": 0.5119,
    "locating": 0.1033,
    "cues": 1.1062,
    "venue_only": -0.4132,
    "passing_share": -0.1655,
    "institution_share": 0.2968,
    "route_share": -0.2792,
    "first_position": -0.5187,
    "only_place": 0.2509,
    "places": -0.4434,
    "other_title": -0.0267,
    "national_lead": -0.6284,
    "sport": -0.8169,
    "show": -0.2879,
    "incident": 0.4132,
    "subdivisions": 0.8167,
    "by_subdivision_only": -0.1904,
}
