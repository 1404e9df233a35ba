"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 604 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -3.0331
THRESHOLD = 0.34
WEIGHTS = {
    "headline": 2.6545,
    "lead": 0.4748,
    "lead_twice": -0.3105,
    "lead_cued": 0.9027,
    "opening": -0.3642,
    "sentences": 1.5595,
    "share": 0.4590,
    "most_named": -0.1229,
    "under_title_place": -0.9860,
    "admin_cue": 0.1639,
    "authority": 0.8298,
    "locating": 0.0302,
    "cues": 1.3629,
    "venue_only": -0.4908,
    "passing_share": -0.0579,
    "institution_share": 0.5328,
    "route_share": -0.9045,
    "first_position": -0.4325,
    "only_place": 0.3914,
    "places": -0.5440,
    "other_title": -0.1997,
    "national_lead": -0.9432,
    "sport": -1.1474,
    "show": -0.8731,
    "incident": 0.4895,
    "subdivisions": 0.7929,
    "by_subdivision_only": -0.3274,
}
