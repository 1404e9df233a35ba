"""The relevance benchmark's arithmetic (tests/bench/metrics.py), checked exactly."""

import importlib.util
import math
from pathlib import Path

import pytest

# Loaded from its file under a unique name: putting tests/bench on sys.path would let its generic
# module names (metrics, datasets) shadow installed packages for every other test.
_spec = importlib.util.spec_from_file_location(
    "bench_metrics", Path(__file__).resolve().parent / "bench" / "metrics.py"
)
metrics = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(metrics)


def test_ndcg_single_relevant_by_rank():
    assert metrics.ndcg_at_k(["a", "x", "y"], {"a"}) == 1.0
    assert metrics.ndcg_at_k(["x", "a"], {"a"}) == 1 / math.log2(3)
    assert metrics.ndcg_at_k(["x", "y", "a"], {"a"}) == 1 / 2  # log2(4) = 2
    assert metrics.ndcg_at_k([f"x{i}" for i in range(9)] + ["a"], {"a"}) == 1 / math.log2(11)


def test_ndcg_none_found_or_beyond_k():
    assert metrics.ndcg_at_k([], {"a"}) == 0.0
    assert metrics.ndcg_at_k(["x", "y"], {"a"}) == 0.0
    assert metrics.ndcg_at_k([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0
    assert metrics.ndcg_at_k(["x", "a"], {"a"}, k=1) == 0.0
    assert metrics.ndcg_at_k(["a"], set()) == 0.0


def test_ndcg_two_relevant():
    ideal = 1 + 1 / math.log2(3)
    assert metrics.ndcg_at_k(["a", "b"], {"a", "b"}) == 1.0
    assert metrics.ndcg_at_k(["b", "x", "a"], {"a", "b"}) == pytest.approx((1 + 1 / 2) / ideal, abs=1e-15)
    assert metrics.ndcg_at_k(["x", "a"], {"a", "b"}) == pytest.approx((1 / math.log2(3)) / ideal, abs=1e-15)


def test_ndcg_ideal_is_capped_at_k():
    relevant = {f"r{i}" for i in range(12)}
    assert metrics.ndcg_at_k(sorted(relevant), relevant) == 1.0


def test_repeated_relevant_id_counts_once():
    assert metrics.ndcg_at_k(["a", "a"], {"a"}) == 1.0
    assert metrics.recall_at_k(["a", "a"], {"a", "b"}) == 0.5
    assert metrics.mrr_at_k(["x", "a", "a"], {"a"}) == 0.5


def test_mrr():
    assert metrics.mrr_at_k(["a"], {"a"}) == 1.0
    assert metrics.mrr_at_k(["x", "y", "a", "b"], {"a", "b"}) == 1 / 3
    assert metrics.mrr_at_k(["x"], {"a"}) == 0.0
    assert metrics.mrr_at_k([f"x{i}" for i in range(10)] + ["a"], {"a"}) == 0.0


def test_recall():
    assert metrics.recall_at_k(["a", "x"], {"a", "b"}) == 0.5
    assert metrics.recall_at_k(["b", "a"], {"a", "b"}) == 1.0
    assert metrics.recall_at_k(["x"], {"a"}) == 0.0
    assert metrics.recall_at_k(["x", "a"], {"a"}, k=1) == 0.0


def test_percentile_nearest_rank():
    values = list(range(100, 0, -1))  # order must not matter
    assert metrics.percentile(values, 50) == 50
    assert metrics.percentile(values, 95) == 95
    assert metrics.percentile(values, 100) == 100
    assert metrics.percentile(values, 0) == 1
    assert metrics.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert metrics.percentile([7.5], 95) == 7.5
    assert metrics.percentile([], 95) == 0.0


def test_mean():
    assert metrics.mean([1.0, 0.5, 0.0]) == 0.5
    assert metrics.mean([]) == 0.0
