"""Answers searches and restorations for a benchmark in a process of its own, with the ``searcher``
package its ``PYTHONPATH`` gives (another checkout: the "before" of a before/after run).

    python engine_worker.py INDEX_DIR      # then one JSON request per line on stdin:
    {"q": "quốc phòng", "k": 10}  ->  {"ids": [...], "ms": 12.3}
    {"restore": "quoc phong"}     ->  {"text": "quốc phòng"}
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    from searcher.lexicon.restore import restore_text
    from searcher.search.engine import Engine

    engine = Engine(sys.argv[1])
    for line in sys.stdin:
        request = json.loads(line)
        if "restore" in request:
            answer = {"text": restore_text(engine.lexicon(), request["restore"])}
        else:
            started = time.perf_counter()
            hits = engine.search(request["q"], limit=request.get("k", 10)).hits
            answer = {"ids": [h.id for h in hits], "ms": (time.perf_counter() - started) * 1000}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
