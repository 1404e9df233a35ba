"""Ranking metrics with binary relevance, and latency percentiles.

``ranked`` is a system's result list (best first), ``relevant`` the judged ids of one query. A relevant
id listed twice in ``ranked`` counts once, at its first rank, so no score can exceed 1.
"""

from __future__ import annotations

import math


def _relevant_ranks(ranked: list[str], relevant: set[str], k: int) -> list[int]:
    """0-based ranks within the top ``k`` of the first occurrence of each relevant id."""
    seen: set[str] = set()
    ranks = []
    for i, doc in enumerate(ranked[:k]):
        if doc in relevant and doc not in seen:
            seen.add(doc)
            ranks.append(i)
    return ranks


def ndcg_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """DCG of the top ``k`` over the DCG of an ideal list (all relevant ids first); gain 1 per hit."""
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(relevant), k)))
    if not ideal:
        return 0.0
    return sum(1 / math.log2(i + 2) for i in _relevant_ranks(ranked, relevant, k)) / ideal


def mrr_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """1 / rank of the first relevant id within the top ``k``, else 0."""
    ranks = _relevant_ranks(ranked, relevant, k)
    return 1 / (ranks[0] + 1) if ranks else 0.0


def recall_at_k(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """Share of the relevant ids found in the top ``k``."""
    return len(_relevant_ranks(ranked, relevant, k)) / len(relevant) if relevant else 0.0


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100): a value that was actually measured, no interpolation."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
