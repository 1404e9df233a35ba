"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 600 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.8247
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 1.9829,
    "lead": 0.3976,
    "lead_twice": -0.4764,
    "lead_cued": 0.6493,
    "opening": -0.0800,
    "sentences": 1.3831,
    "share": 0.4537,
    "most_named": 0.0518,
    "under_title_place": -0.5101,
    "admin_cue": 0.2896,
    "authority": 0.5000,
    "locating": 0.1007,
    "cues": 1.0972,
    "venue_only": -0.4135,
    "passing_share": -0.1612,
    "institution_share": 0.3133,
    "route_share": -0.2822,
    "first_position": -0.5052,
    "only_place": 0.2726,
    "places": -0.3940,
    "other_title": -0.0253,
    "national_lead": -0.6357,
    "sport": -0.8095,
    "show": -0.2921,
    "incident": 0.4226,
    "subdivisions": 0.8157,
    "by_subdivision_only": -0.1885,
}
