"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(1205 articles, 2542 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.6594
THRESHOLD = 0.37
WEIGHTS = {
    "headline": 1.1428,
    "lead": 0.5986,
    "lead_twice": 0.0606,
    "lead_cued": 0.6397,
    "opening": 0.4908,
    "sentences": 1.2809,
    "share": 0.4359,
    "most_named": -0.0318,
    "under_title_place": -0.4767,
    "admin_cue": 0.6473,
    "authority": 0.4959,
    "locating": 0.0237,
    "cues": 0.9670,
    "venue_only": -0.3798,
    "passing_share": 0.4200,
    "institution_share": -0.3547,
    "route_share": -0.5989,
    "first_position": -0.5691,
    "only_place": 0.0674,
    "places": -0.4128,
    "other_title": -0.3904,
    "national_lead": 0.1420,
    "sport": -1.2658,
    "show": -0.4511,
    "incident": 0.5874,
    "subdivisions": 0.8198,
    "by_subdivision_only": -0.1234,
}
