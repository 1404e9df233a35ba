"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 597 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.6928
THRESHOLD = 0.42
WEIGHTS = {
    "headline": 2.9312,
    "lead": 0.3393,
    "lead_twice": -0.2852,
    "lead_cued": 0.7751,
    "opening": 0.0112,
    "sentences": 1.3349,
    "share": 0.7902,
    "most_named": 0.0084,
    "under_title_place": -0.4165,
    "admin_cue": 0.0107,
    "authority": 0.5768,
    "locating": -0.1342,
    "cues": 1.5500,
    "venue_only": -0.4957,
    "passing_share": -0.0520,
    "institution_share": 0.3718,
    "route_share": -0.9678,
    "first_position": -0.6558,
    "only_place": 0.1032,
    "places": -0.5743,
    "other_title": -0.6636,
    "national_lead": -0.8964,
    "sport": -1.0860,
    "show": -0.8308,
    "incident": 0.4906,
}
