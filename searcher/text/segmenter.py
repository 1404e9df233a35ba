"""pyvi's Vietnamese word segmenter, loaded without scikit-learn.

pyvi keeps its model as a pickled ``sklearn_crfsuite.CRF``: unpickling it imports scikit-learn and
SciPy (1.1-2 s, most of a one-file ``search index``), though the model is a CRFsuite file that
python-crfsuite (installed with pyvi) tags on its own. While pyvi's module loads, the two classes
its pickle names are stand-ins that hand the model's bytes to ``pycrfsuite.Tagger``; pyvi's own
feature functions and rules then segment as they always do. If pyvi's pickle is not what the
stand-ins expect, pyvi is imported the ordinary way. ``tests/test_segmenter.py`` compares both.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from functools import lru_cache


class _ModelFile:
    """Stands for ``sklearn_crfsuite._fileresource.FileResource``: keeps the model file's bytes."""

    data: bytes

    def __setstate__(self, state: dict) -> None:
        self.data = state["__FILE_RESOURCE_DATA__"]


class _Tagger:
    """Stands for ``sklearn_crfsuite.CRF``: ``predict`` as pyvi calls it, by python-crfsuite."""

    def __setstate__(self, state: dict) -> None:
        import pycrfsuite

        # the tagger reads the bytes in place: they live as long as it does
        self._model = state["modelfile"].data
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._model)

    def predict(self, sequences: list) -> list[list[str]]:
        return [self._tagger.tag(features) for features in sequences]


def _import_with_stand_ins() -> Callable[[str], str]:
    names = ("sklearn_crfsuite", "sklearn_crfsuite.estimator", "sklearn_crfsuite._fileresource")
    if any(name in sys.modules for name in names) or "pyvi.ViTokenizer" in sys.modules:
        raise ImportError("scikit-learn's CRF is loaded already")
    stand_ins = {name: types.ModuleType(name) for name in names}
    stand_ins["sklearn_crfsuite.estimator"].CRF = _Tagger  # type: ignore[attr-defined]
    stand_ins["sklearn_crfsuite._fileresource"].FileResource = _ModelFile  # type: ignore[attr-defined]
    sys.modules.update(stand_ins)
    try:
        from pyvi import ViTokenizer
    except BaseException:
        sys.modules.pop("pyvi.ViTokenizer", None)
        raise
    finally:
        for name in names:
            sys.modules.pop(name, None)
    if not isinstance(ViTokenizer.ViTokenizer.model, _Tagger):  # pragma: no cover - pyvi changed
        raise ImportError("pyvi's model is not the pickled CRF expected")
    return ViTokenizer.tokenize


@lru_cache(maxsize=1)
def word_segmenter() -> Callable[[str], str] | None:
    """pyvi's ``tokenize`` (syllables of one word joined by "_"), loaded on first use; None without pyvi."""
    try:
        return _import_with_stand_ins()
    except Exception:
        sys.modules.pop("pyvi.ViTokenizer", None)
    try:
        from pyvi import ViTokenizer
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return ViTokenizer.tokenize
