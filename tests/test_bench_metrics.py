"""The benchmark's arithmetic, checked exactly."""
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

from metrics import mrr_at_k, ndcg_at_k, percentile, recall_at_k  # noqa: E402


def test_ndcg():
    assert ndcg_at_k(["a", "b"], {"a"}) == 1.0
    assert ndcg_at_k(["x", "a"], {"a"}) == 1 / math.log2(3)
    assert ndcg_at_k(["x"] * 10 + ["a"], {"a"}) == 0.0  # beyond k
    assert math.isclose(ndcg_at_k(["b", "x", "a"], {"a", "b"}), (1 + 1 / 2) / (1 + 1 / math.log2(3)))


def test_mrr_and_recall():
    assert mrr_at_k(["x", "y", "a"], {"a"}) == 1 / 3
    assert mrr_at_k(["x"], {"a"}) == 0.0
    assert recall_at_k(["a", "x"], {"a", "b"}) == 0.5


def test_percentile_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50 and percentile(values, 95) == 95 and percentile([], 95) == 0.0
