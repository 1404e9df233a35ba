"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 603 places named, L2 penalty 1); do not edit by hand.
"""

BIAS = -2.6536
THRESHOLD = 0.36
WEIGHTS = {
    "headline": 2.7928,
    "lead": 0.3796,
    "lead_twice": -0.4154,
    "lead_cued": 0.9669,
    "opening": -0.1455,
    "sentences": 1.3360,
    "share": 0.6803,
    "most_named": -0.1147,
    "under_title_place": -0.4824,
    "admin_cue": 0.0579,
    "authority": 0.6950,
    "locating": 0.0745,
    "cues": 1.6200,
    "venue_only": -0.4444,
    "passing_share": -0.0319,
    "institution_share": 0.4631,
    "route_share": -0.9813,
    "first_position": -0.6878,
    "only_place": 0.3456,
    "places": -0.5161,
    "other_title": -0.6066,
    "national_lead": -0.9156,
    "sport": -1.2816,
    "show": -0.9917,
    "incident": 0.2942,
}
