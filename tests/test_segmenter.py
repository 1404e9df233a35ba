"""pyvi's segmenter loaded without scikit-learn segments exactly as pyvi imported the ordinary way."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# each process prints the segmentation of every line it reads, and which modules it loaded
_SEGMENT = """
import json, sys
{load}
lines = json.loads(sys.stdin.read())
print(json.dumps({{"segmented": [tokenize(line) for line in lines],
                  "sklearn": "sklearn" in sys.modules,
                  "stand_ins": sorted(m for m in sys.modules if m.startswith("sklearn_crfsuite"))}}))
"""
_ORDINARY = "from pyvi.ViTokenizer import tokenize"
_LIGHT = "from searcher.text.segmenter import word_segmenter\ntokenize = word_segmenter()"
_AFTER_SKLEARN = "import sklearn_crfsuite\n" + _LIGHT


def _segment(load: str, lines: list[str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _SEGMENT.format(load=load)],
        input=json.dumps(lines),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def _lines() -> list[str]:
    """Every line of the seeds, and windows of six words across them (as the place tagger asks)."""
    lines = []
    for seed in sorted(SEEDS.glob("*.txt")):
        for line in seed.read_text(encoding="utf-8").splitlines():
            if line.strip():
                lines.append(line)
                words = line.split()
                lines.extend(" ".join(words[i : i + 6]) for i in range(0, len(words), 4))
    return lines


def test_the_light_loader_segments_as_pyvi_does_without_scikit_learn():
    lines = _lines()
    assert len(lines) > 300
    ordinary = _segment(_ORDINARY, lines)
    light = _segment(_LIGHT, lines)
    assert ordinary["sklearn"] and not light["sklearn"]
    assert light["stand_ins"] == []  # nothing of the stand-ins is left behind
    assert light["segmented"] == ordinary["segmented"]
    assert sum("_" in s for s in light["segmented"]) > 100  # words were joined: the model ran


def test_names_inside_longer_names_are_joined():
    segmented = _segment(_LIGHT, ["Thái Bình Dương và Chủ tịch Hồ Chí Minh ở Trương Hòa Bình"])
    assert segmented["segmented"] == ["Thái_Bình_Dương và Chủ_tịch Hồ_Chí_Minh ở Trương_Hòa_Bình"]


def test_with_scikit_learns_crf_already_loaded_pyvi_is_imported_the_ordinary_way():
    lines = _lines()[:50]
    after = _segment(_AFTER_SKLEARN, lines)
    assert after["segmented"] == _segment(_ORDINARY, lines)["segmented"]
    assert "sklearn_crfsuite.estimator" in after["stand_ins"]  # the real one, imported by the test
