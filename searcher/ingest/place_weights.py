"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 601 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.8134
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 1.9848,
    "lead": 0.3916,
    "lead_twice": -0.4715,
    "lead_cued": 0.6506,
    "opening": -0.0817,
    "sentences": 1.3694,
    "share": 0.4571,
    "most_named": 0.0520,
    "under_title_place": -0.5092,
    "admin_cue": 0.2914,
    "authority": 0.5013,
    "locating": 0.1025,
    "cues": 1.1019,
    "venue_only": -0.4138,
    "passing_share": -0.1644,
    "institution_share": 0.2958,
    "route_share": -0.2811,
    "first_position": -0.5062,
    "only_place": 0.2902,
    "places": -0.3980,
    "other_title": -0.0229,
    "national_lead": -0.6453,
    "sport": -0.8068,
    "show": -0.2909,
    "incident": 0.4211,
    "subdivisions": 0.8164,
    "by_subdivision_only": -0.1909,
}
