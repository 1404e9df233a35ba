"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(755 articles, 1584 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -3.1230
THRESHOLD = 0.32
WEIGHTS = {
    "headline": 1.5997,
    "lead": 0.5209,
    "lead_twice": 0.2192,
    "lead_cued": 0.6983,
    "opening": 0.3461,
    "sentences": 1.3472,
    "share": 0.5621,
    "most_named": 0.1916,
    "under_title_place": -0.4028,
    "admin_cue": 0.4451,
    "authority": 0.4264,
    "locating": -0.0463,
    "cues": 1.1892,
    "venue_only": -0.6013,
    "passing_share": 0.4032,
    "institution_share": 0.0088,
    "route_share": -0.3016,
    "first_position": -0.7721,
    "only_place": 0.0547,
    "places": -0.1399,
    "other_title": -0.0464,
    "national_lead": -0.2599,
    "sport": -1.0640,
    "show": -0.1937,
    "incident": 0.4760,
    "subdivisions": 0.7118,
    "by_subdivision_only": -0.2685,
}
