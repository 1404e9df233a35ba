"""The ``search`` command: a thin adapter from the terminal to :mod:`searcher`'s engine and indexer."""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

import click

from . import __version__

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"</?mark>")


def _index_dir_option(func):
    return click.option(
        "--index-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Index folder (default: $SEARCH_INDEX_DIR, else ./index).",
    )(func)


def _echo_json(data: dict) -> None:
    click.echo(json.dumps(data, ensure_ascii=False))


def _fail(message: str, as_json: bool, code: int = 1):
    if as_json:
        _echo_json({"ok": False, "error": message})
    else:
        click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(__version__, prog_name="search")
def cli():
    """Full-text search for Vietnamese reports and news articles."""


def _size_option(ctx, param, value):
    from .ingest.extract import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_index_dir_option
@click.option("--rebuild", is_flag=True, help="Build a fresh index and switch to it atomically.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
@click.option(
    "--wait",
    "wait_s",
    type=float,
    default=0.0,
    show_default=True,
    help="Seconds to wait for another indexing run to finish.",
)
@click.option(
    "--max-bytes",
    "max_bytes",
    default="50MB",
    show_default=True,
    callback=_size_option,
    help="Skip files larger than this (50MB, 512KB, or bytes).",
)
@click.option(
    "--watch", is_flag=True, help="Keep indexing as files are added, changed or removed (Ctrl-C stops)."
)
@click.option(
    "--interval",
    "interval_s",
    type=click.FloatRange(0.1),
    default=2.0,
    show_default=True,
    help="Seconds between checks of the folders with --watch.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes for a fresh build (default: the number of cores).",
)
def index_command(paths, index_dir, rebuild, as_json, wait_s, max_bytes, watch, interval_s, jobs):
    """Index PATHS (folders or files: .txt .md .html .docx .doc .rtf .pdf .jsonl .jsonl.gz); unchanged
    files are skipped, others are skipped with a reason.

    Without PATHS, the folders the index was built from are indexed again.
    """
    from .index.indexer import NothingToIndex, index_paths
    from .index.store import IndexLocked
    from .search.engine import default_index_dir

    index_dir = index_dir or default_index_dir()
    if watch:
        from .index.watch import watch as watch_folders

        if not paths:
            _fail("--watch needs the folders to watch", as_json, code=2)
        try:
            watch_folders(
                list(paths),
                index_dir,
                lambda summary: _report_index(summary, index_dir, as_json),
                interval_s=interval_s,
                max_bytes=max_bytes,
            )
        except KeyboardInterrupt:
            pass
        return
    bar = None
    progress = None
    if not as_json and sys.stderr.isatty():

        def progress(done, total, path):
            nonlocal bar
            if bar is None:
                bar = click.progressbar(length=total, label="Indexing", file=sys.stderr)
                bar.__enter__()
            bar.update(1)

    try:
        summary = index_paths(
            list(paths),
            index_dir,
            rebuild=rebuild,
            progress=progress,
            wait_s=wait_s,
            max_bytes=max_bytes,
            jobs=jobs,
        )
    except (IndexLocked, NothingToIndex) as exc:
        _fail(str(exc), as_json)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _report_index(summary, index_dir, as_json)


def _report_index(summary, index_dir, as_json: bool) -> None:
    if as_json:
        data = summary.as_dict()
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in summary.skipped]
        _echo_json(data)
        return
    for skipped in summary.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    click.echo(
        f"{summary.added} added, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged, {len(summary.skipped)} skipped; "
        f"{summary.documents} documents in {index_dir} ({summary.took_s:.1f} s)"
    )


@cli.command("query", context_settings={"ignore_unknown_options": True})
@click.argument("text", required=False)
@_index_dir_option
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="Only documents dated on or after.")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Only documents dated on or before.")
@click.option("--place", help="Only documents about this province or city.")
@click.option("--batch", type=click.File("r", encoding="utf-8"), help="Answer every line of this file.")
@click.option("--json", "as_json", is_flag=True, help="JSON output (JSON Lines with --batch).")
@click.option("--as-typed", is_flag=True, help="Search the words as typed, never a correction of them.")
def query_command(text, index_dir, limit, page, sort, date_from, date_to, place, batch, as_json, as_typed):
    """Search the index for TEXT ("exact phrase", -word, title:word, AND, OR, prefix*)."""
    from .search.engine import Engine, IndexMissing

    if (text is None) == (batch is None):
        _fail("give a query TEXT or --batch FILE (one of them)", as_json, code=2)
    engine = Engine(index_dir)
    queries = [text] if batch is None else [line.rstrip("\n") for line in batch if line.strip()]
    try:
        for query in queries:
            result = engine.search(
                query,
                limit=limit,
                page=page,
                sort=sort,
                date_from=date_from,
                date_to=date_to,
                place=place,
                as_typed=as_typed,
            )
            if as_json:
                _echo_json(result.as_dict())
            else:
                _print_result(result)
    except IndexMissing as exc:
        _fail(str(exc), as_json)


def _print_result(result) -> None:
    first = (result.page - 1) * result.limit
    click.echo(
        click.style(f"{result.total} result(s) for {result.query!r} ({result.took_ms:.0f} ms)", bold=True)
    )
    if result.corrected_from:
        shown = result.interpreted_as or result.query
        click.echo(f"Hiển thị kết quả cho: {shown} · Tìm chính xác: {result.corrected_from} (--as-typed)")
    elif result.interpreted_as:
        click.echo(f"Kết quả cho: {result.interpreted_as}")
    if result.did_you_mean:
        click.echo(click.style(f"Bạn có muốn tìm: {result.did_you_mean}", fg="cyan"))
    for note in result.notes:
        click.echo(click.style(f"note: {note}", fg="yellow"))
    for rank, hit in enumerate(result.hits, first + 1):
        date = f"  {hit.date}" if hit.date else ""
        click.echo(f"\n{rank}. " + click.style(hit.title or hit.id, bold=True) + date)
        click.echo(click.style(f"   {hit.id}  (score {hit.score:.2f})", dim=True))
        snippet = _MARK.sub(lambda m: click.style(m.group(1), fg="red", bold=True), hit.snippet)
        click.echo("   " + html.unescape(_TAG.sub("", snippet)))


@cli.command("show")
@click.argument("doc_id")
@_index_dir_option
@click.option("--json", "as_json", is_flag=True)
def show_command(doc_id, index_dir, as_json):
    """Print one stored document (its cleaned, indexed text)."""
    from .search.engine import Engine, IndexMissing

    try:
        doc = Engine(index_dir).get(doc_id)
    except IndexMissing as exc:
        _fail(str(exc), as_json)
    if doc is None:
        _fail(f"no document with id {doc_id!r}", as_json)
    if as_json:
        _echo_json({"ok": True, **doc})
        return
    click.echo(click.style(doc["title"], bold=True))
    click.echo(click.style(f"{doc['id']}  {doc['date'] or ''}  {doc['path']}", dim=True))
    click.echo()
    click.echo(doc["text"])


@cli.command("info")
@_index_dir_option
@click.option("--json", "as_json", is_flag=True)
def info_command(index_dir, as_json):
    """Document count, size, last update and schema version of the index."""
    from .search.engine import Engine, IndexMissing

    try:
        info = Engine(index_dir).info()
    except IndexMissing as exc:
        _fail(str(exc), as_json)
    if as_json:
        _echo_json({"ok": True, **info})
        return
    click.echo(f"index:          {info['index_dir']}")
    click.echo(f"documents:      {info['documents']}")
    click.echo(f"size:           {info['size_bytes'] / 1e6:.1f} MB")
    click.echo(f"updated:        {info['updated']}")
    click.echo(f"schema version: {info['schema_version']}")
    click.echo(f"sources:        {', '.join(info['roots'])}")


@cli.command("serve")
@_index_dir_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 makes the page reachable from other machines).",
)
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=None,
    help="Requests answered at the same time by each process  [default: 8; 2 per process with --workers].",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes; more than one runs gunicorn, so that searches use every core.",
)
def serve_command(index_dir, host, port, threads, workers):
    """Serve the search page and its JSON API (waitress, or gunicorn with --workers; picks up rebuilt
    indexes by itself)."""
    import os

    if os.environ.get("FLASK_DEBUG", "").lower() not in ("", "0", "false", "no"):
        _fail("refusing to serve with FLASK_DEBUG set: the debugger would let any visitor run code", False)
    from web.serving import serve

    from .search.engine import Engine, IndexMissing

    engine = Engine(index_dir)
    try:
        click.echo(f"{engine.info()['documents']} documents in {engine.index_dir}")
    except IndexMissing as exc:  # the page explains how to build an index; serving still makes sense
        click.echo(f"warning: {exc}", err=True)
    finally:
        engine.close()
    try:
        serve(
            {"INDEX_DIR": index_dir},
            host,
            port,
            threads,
            workers,
            announce=lambda url: click.echo(f"Search page: {url}  (Ctrl+C to stop)"),
        )
    except OSError as exc:
        _fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}", False)


@cli.command("verify")
@_index_dir_option
@click.option("--quick", is_flag=True, help="Compare source files by size and time instead of content.")
@click.option("--json", "as_json", is_flag=True)
def verify_command(index_dir, quick, as_json):
    """Check that the index matches its sources: every document present with the same content hash,
    no orphans, no source file changed, removed or left out. Exit status 1 when something is wrong."""
    from .index.verify import verify_index
    from .search.engine import default_index_dir

    try:
        report = verify_index(index_dir or default_index_dir(), deep=not quick)
    except FileNotFoundError as exc:
        _fail(f"{exc}: build one with 'search index FOLDER'", as_json)
    if as_json:
        _echo_json(report.as_dict())
    else:
        for problem in report.problems:
            click.echo(f"{problem.kind}: {problem.where}: {problem.detail}")
        verdict = "OK" if report.ok else f"{len(report.problems)} problem(s)"
        click.echo(
            f"{verdict}: {report.documents} documents from {report.files} files "
            f"({report.skipped_files} unusable files remembered), checked in {report.took_s:.1f} s"
        )
    sys.exit(0 if report.ok else 1)


def main():  # pragma: no cover - the console script
    cli()
