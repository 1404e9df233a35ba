"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 601 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.8498
THRESHOLD = 0.40
WEIGHTS = {
    "headline": 1.9848,
    "lead": 0.4113,
    "lead_twice": -0.4527,
    "lead_cued": 0.6745,
    "opening": -0.0081,
    "sentences": 1.3420,
    "share": 0.4530,
    "most_named": 0.0276,
    "under_title_place": -0.5056,
    "admin_cue": 0.3563,
    "authority": 0.5022,
    "locating": 0.1113,
    "cues": 1.1517,
    "venue_only": -0.3833,
    "passing_share": -0.1476,
    "institution_share": 0.3080,
    "route_share": -0.2686,
    "first_position": -0.5230,
    "only_place": 0.2623,
    "places": -0.3731,
    "other_title": -0.0264,
    "national_lead": -0.6115,
    "sport": -0.7980,
    "show": -0.2668,
    "incident": 0.4281,
    "subdivisions": 0.7496,
    "by_subdivision_only": -0.3230,
}
