"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 602 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.8119
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 1.9844,
    "lead": 0.3928,
    "lead_twice": -0.4723,
    "lead_cued": 0.6497,
    "opening": -0.0812,
    "sentences": 1.3696,
    "share": 0.4534,
    "most_named": 0.0515,
    "under_title_place": -0.5090,
    "admin_cue": 0.2923,
    "authority": 0.5023,
    "locating": 0.1024,
    "cues": 1.1033,
    "venue_only": -0.4120,
    "passing_share": -0.1603,
    "institution_share": 0.2967,
    "route_share": -0.2794,
    "first_position": -0.5148,
    "only_place": 0.2848,
    "places": -0.3965,
    "other_title": -0.0230,
    "national_lead": -0.6441,
    "sport": -0.8202,
    "show": -0.2898,
    "incident": 0.4217,
    "subdivisions": 0.8182,
    "by_subdivision_only": -0.1893,
}
