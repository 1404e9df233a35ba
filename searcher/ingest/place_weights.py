"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.7875
THRESHOLD = 0.37
WEIGHTS = {
    "headline": 2.8173,
    "lead": 0.3878,
    "lead_twice": -0.3864,
    "lead_cued": 0.9076,
    "opening": -0.1133,
    "sentences": 1.4094,
    "share": 0.7333,
    "most_named": -0.0606,
    "under_title_place": -0.3945,
    "admin_cue": 0.0663,
    "authority": 0.7140,
    "locating": -0.0355,
    "cues": 1.5831,
    "venue_only": -0.4257,
    "passing_share": 0.0115,
    "institution_share": 0.4521,
    "route_share": -0.9631,
    "first_position": -0.6382,
    "only_place": 0.2466,
    "places": -0.5072,
    "other_title": -0.6983,
    "national_lead": -0.9068,
    "sport": -1.2812,
    "show": -1.0121,
    "incident": 0.2049,
}
