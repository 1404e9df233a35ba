"""Weights of the subject-place model (:func:`searcher.ingest.places.tag_places`).

Written by ``tests/bench/places_model.py fit`` from the labelled development articles
(305 articles, 597 places named, L2 penalty 3); do not edit by hand.
"""

BIAS = -2.3094
THRESHOLD = 0.41
WEIGHTS = {
    "headline": 2.2116,
    "lead": 0.3950,
    "lead_twice": -0.0882,
    "lead_cued": 0.6008,
    "opening": -0.0120,
    "sentences": 1.0219,
    "share": 0.5705,
    "most_named": 0.0924,
    "under_title_place": -0.3149,
    "admin_cue": 0.2445,
    "authority": 0.5516,
    "locating": 0.1255,
    "cues": 1.3171,
    "venue_only": -0.3957,
    "passing_share": -0.1646,
    "institution_share": 0.2047,
    "route_share": -0.4568,
    "first_position": -0.6729,
    "only_place": 0.1046,
    "places": -0.5470,
    "other_title": -0.5165,
    "national_lead": -0.7244,
    "sport": -0.7326,
}
