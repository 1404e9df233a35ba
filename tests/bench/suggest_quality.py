"""Autocomplete quality: are the phrases a person wants offered, and the fragments nobody searches for
left out? Over a list of prefixes with the wanted and unwanted completions (suggest_expected.tsv).

    python tests/bench/suggest_quality.py --index DIR                 # the index's own suggest table
    python tests/bench/suggest_quality.py --index DIR --rebuild       # chosen again by this checkout

``--rebuild`` copies the index's ``lexicon.sqlite`` to a temporary folder and chooses the offered
phrases again with this checkout's code (the counts are the same), so one index measures a change.
Prints one Markdown table row: prefixes, wanted phrases offered within the first 8 (share), prefixes
whose first wanted phrase is offered first or anywhere (MRR), unwanted fragments offered, p50/p95 ms.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(HERE.parents[1]))

from metrics import percentile  # noqa: E402

EXPECTED = HERE / "suggest_expected.tsv"
LIMIT = 8


def read_expected(path: Path = EXPECTED) -> list[tuple[str, list[str], list[str]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        prefix, wanted, unwanted = (line.split("\t") + ["", ""])[:3]
        split = lambda cell: [p.strip().lower() for p in cell.split("|") if p.strip()]  # noqa: E731
        rows.append((prefix, split(wanted), split(unwanted)))
    return rows


def lexicon_file(index: Path) -> Path:
    if index.suffix == ".sqlite":
        return index
    from searcher.index import store

    generation = store.current_generation(index)
    if generation is None:
        raise SystemExit(f"no index at {index}")
    return generation / "lexicon.sqlite"


def rebuilt_copy(source: Path, folder: Path) -> Path:
    from searcher.lexicon import lexicon

    target = folder / "lexicon.sqlite"
    shutil.copy(source, target)
    db = sqlite3.connect(target)
    lexicon.create_tables(db)  # (a lexicon written before the tables the choice keeps)
    started = time.perf_counter()
    with db:
        lexicon._build_suggest(db)
    print(f"suggest table chosen again in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    db.close()
    return target


def measure(path: Path, verbose: bool = False) -> dict:
    from searcher.lexicon.lexicon import Lexicon
    from searcher.lexicon.suggest import suggest

    lex = Lexicon(path)
    expected = read_expected()
    wanted_total = wanted_found = unwanted_found = offered_total = 0
    reciprocal = 0.0
    times = []
    for prefix, wanted, unwanted in expected:
        suggest(lex, prefix[:1], LIMIT)  # (nothing cached per prefix; the connection is warm)
        started = time.perf_counter()
        offered = suggest(lex, prefix, LIMIT)
        times.append((time.perf_counter() - started) * 1000)
        shown = [s.lower() for s in offered]
        offered_total += len(shown)
        wanted_total += len(wanted)
        wanted_found += sum(w in shown for w in wanted)
        unwanted_found += sum(u in shown for u in unwanted)
        ranks = [shown.index(w) + 1 for w in wanted if w in shown]
        reciprocal += 1 / min(ranks) if ranks else 0.0
        if verbose:
            missing = [w for w in wanted if w not in shown]
            bad = [u for u in unwanted if u in shown]
            print(f"{prefix!r}: {offered}\n    missing {missing}; unwanted {bad}", file=sys.stderr)
    lex.close()
    return {
        "prefixes": len(expected),
        "wanted": f"{wanted_found}/{wanted_total} ({wanted_found / wanted_total:.0%})",
        "mrr": round(reciprocal / len(expected), 3),
        "unwanted": f"{unwanted_found} of {offered_total} offered",
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", required=True, type=Path, help="an index folder, or a lexicon.sqlite")
    parser.add_argument("--rebuild", action="store_true", help="choose the offered phrases again first")
    parser.add_argument("--verbose", action="store_true", help="each prefix's suggestions on stderr")
    args = parser.parse_args(argv)
    source = lexicon_file(args.index)
    with tempfile.TemporaryDirectory() as tmp:
        path = rebuilt_copy(source, Path(tmp)) if args.rebuild else source
        r = measure(path, args.verbose)
    print("| prefixes | wanted offered in 8 | MRR | unwanted offered | p50 ms | p95 ms |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {r['prefixes']} | {r['wanted']} | {r['mrr']} | {r['unwanted']} | {r['p50']:.2f} | {r['p95']:.2f} |"
    )


if __name__ == "__main__":
    main()
