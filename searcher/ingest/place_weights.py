"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.6885
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 2.8339,
    "lead": 0.3456,
    "lead_twice": -0.3255,
    "lead_cued": 0.8384,
    "opening": -0.0909,
    "sentences": 1.3975,
    "share": 0.7598,
    "most_named": -0.0600,
    "under_title_place": -0.4225,
    "admin_cue": 0.0930,
    "authority": 0.7193,
    "locating": -0.0834,
    "cues": 1.5955,
    "venue_only": -0.4164,
    "passing_share": 0.0208,
    "institution_share": 0.4947,
    "route_share": -0.9528,
    "first_position": -0.6118,
    "only_place": 0.1629,
    "places": -0.6128,
    "other_title": -0.6752,
    "national_lead": -0.9920,
    "sport": -1.2621,
    "show": -1.0125,
    "incident": 0.2260,
}
