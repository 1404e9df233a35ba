"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 596 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.5000
THRESHOLD = 0.43
WEIGHTS = {
    "headline": 2.8616,
    "lead": 0.3345,
    "lead_twice": -0.3742,
    "lead_cued": 0.8407,
    "opening": 0.0091,
    "sentences": 1.3589,
    "share": 0.7579,
    "most_named": -0.0512,
    "under_title_place": -0.3766,
    "admin_cue": 0.0381,
    "authority": 0.5961,
    "locating": -0.0369,
    "cues": 1.5018,
    "venue_only": -0.5391,
    "passing_share": -0.1350,
    "institution_share": 0.2440,
    "route_share": -0.9842,
    "first_position": -0.6054,
    "only_place": 0.0418,
    "places": -0.6218,
    "other_title": -0.7185,
    "national_lead": -1.0087,
    "sport": -1.0952,
}
