"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.8864
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 2.8200,
    "lead": 0.3535,
    "lead_twice": -0.2882,
    "lead_cued": 0.8098,
    "opening": -0.2993,
    "sentences": 1.3084,
    "share": 0.9499,
    "most_named": -0.0131,
    "under_title_place": -0.3615,
    "admin_cue": 0.0911,
    "authority": 0.6973,
    "locating": -0.1298,
    "cues": 1.6527,
    "venue_only": -0.3824,
    "passing_share": -0.0784,
    "institution_share": 0.4863,
    "route_share": -0.8861,
    "first_position": -0.6902,
    "only_place": 0.1674,
    "places": -0.5005,
    "other_title": -0.6532,
    "national_lead": -0.9185,
    "sport": -1.3833,
    "show": -0.8222,
    "incident": 0.4570,
}
