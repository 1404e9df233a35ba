"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 597 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.3271
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 2.1974,
    "lead": 0.4066,
    "lead_twice": -0.0991,
    "lead_cued": 0.5901,
    "opening": 0.0745,
    "sentences": 1.0369,
    "share": 0.5763,
    "most_named": 0.0910,
    "under_title_place": -0.3141,
    "admin_cue": 0.2436,
    "authority": 0.5521,
    "locating": 0.1245,
    "cues": 1.3153,
    "venue_only": -0.3505,
    "passing_share": -0.1575,
    "institution_share": 0.1965,
    "route_share": -0.4599,
    "first_position": -0.6720,
    "only_place": 0.1257,
    "places": -0.5480,
    "other_title": -0.5162,
    "national_lead": -0.7294,
    "sport": -0.7376,
}
