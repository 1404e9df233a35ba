"""The ``search`` command: a thin adapter from the terminal to :mod:`searcher`'s engine and indexer."""

from __future__ import annotations

import csv
import errno
import html
import json
import os
import re
import shutil
import sqlite3
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from . import __version__
from .ingest.ids import make_id, printable
from .ingest.model import EXTRACTION_VERSION
from .search.limits import MAX_LIMIT, MAX_PAGE, SORTS

if TYPE_CHECKING:
    from .index.indexer import IndexProgress

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)
_TAG = re.compile(r"</?mark>")

FORMATS = ("text", "json", "jsonl", "csv")
CSV_COLUMNS = ("query", "rank", "id", "title", "date", "places", "path", "score", "url")
INTERRUPTED = 130  # the shell's status for a program stopped by SIGINT
DAMAGED = "index_damaged"  # the error code of a damaged index (--json)


class Failure(click.ClickException):
    """An error told in one line on stderr (``Error: ...`` unless the message says otherwise)."""

    def __init__(self, message: str, status: int = 1, prefix: str = "Error: "):
        super().__init__(message)
        # its own name: click (8.5) types ClickException.exit_code as a class-wide constant
        self.status = status
        self.prefix = prefix

    def show(self, file=None) -> None:
        click.echo(f"{self.prefix}{self.message}", err=True)


def _os_error(exc: OSError) -> str:
    where = exc.filename if exc.filename is not None else ""
    return f"{where}: {exc.strerror or exc}" if where else str(exc.strerror or exc)


class _SearchGroup(click.Group):
    """The command group, with every failure told in one line and none as a traceback."""

    def main(self, *args, **kwargs):
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except click.UsageError as exc:
            hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"Error: {' '.join(exc.format_message().split())}{hint}", err=True)
            sys.exit(exc.exit_code)
        except Failure as exc:
            exc.show()
            sys.exit(exc.status)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.Abort:  # Ctrl-C or end of input outside a command (click says so on a line first)
            click.echo("stopped: interrupted", err=True)
            sys.exit(INTERRUPTED)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            raise Failure("stopped: interrupted", INTERRUPTED, prefix="") from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # a closed pipe (| head): click quiets the streams
                raise
            raise Failure(_os_error(exc)) from None
        except Exception as exc:
            # a bug or an input no check foresaw: one line, and the traceback only when asked for
            if os.environ.get("SEARCH_DEBUG", "") not in ("", "0"):
                traceback.print_exc()
            raise Failure(
                f"unexpected {type(exc).__name__}: {exc} (SEARCH_DEBUG=1 shows where)".replace("\n", " ")
            ) from None


def _check_index_dir(ctx, param, value: Path | None) -> Path | None:
    if value is not None and value.exists() and not value.is_dir():
        raise click.BadParameter(f"{value} is a file, not a folder", ctx, param)
    return value


def _index_dir_option(func):
    return click.option(
        "--index-dir",
        type=click.Path(path_type=Path),
        default=None,
        callback=_check_index_dir,
        help="Index folder (default: $SEARCH_INDEX_DIR, else ./index).",
    )(func)


def _set_color(ctx, param, value: str) -> str:
    if value == "auto" and os.environ.get("NO_COLOR"):  # https://no-color.org: any non-empty value
        value = "never"
    ctx.color = {"always": True, "never": False}.get(value)  # None: colours only on a terminal
    return value


def _color_option(func):
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        callback=_set_color,
        expose_value=False,
        help="Colours and bold text: on a terminal (auto, unless $NO_COLOR is set), always or never.",
    )(func)


def _echo_json(data: dict) -> None:
    text = json.dumps(data, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a byte of a name that is not UTF-8): escaped
        text = json.dumps(data)
    click.echo(text)


def _fail(message: str, as_json: bool, code: int = 1, error_code: str | None = None) -> NoReturn:
    if as_json:
        _echo_json({"ok": False, "error": message, **({"code": error_code} if error_code else {})})
        sys.exit(code)
    raise Failure(message, code)


@click.group(cls=_SearchGroup)
@click.version_option(__version__, prog_name="search")
def cli():
    """Full-text search for Vietnamese reports and news articles."""


def _size_option(ctx, param, value):
    from .ingest.extract import parse_size

    try:
        return parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _existing_paths(ctx, param, value: tuple[Path, ...]) -> tuple[Path, ...]:
    for path in value:
        if not path.exists():
            raise click.UsageError(f"no such file or folder: {path}", ctx)
    return value


@cli.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), callback=_existing_paths)
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
    "--max-seconds",
    "max_seconds",
    type=click.FloatRange(0.1),
    default=120.0,
    show_default=True,
    help="Skip a file whose extraction takes longer (a PDF's OCR programs have their own time-outs).",
)
@click.option(
    "--max-memory",
    "max_memory",
    default="2GB",
    show_default=True,
    callback=_size_option,
    help="Skip a file whose extraction needs more memory than this (2GB, 512MB).",
)
@click.option(
    "--watch", is_flag=True, help="Keep indexing as files are added, changed or removed (Ctrl-C stops)."
)
@click.option(
    "--interval",
    "interval_s",
    type=click.FloatRange(0.1),
    default=1.0,  # (searcher.index.watch.DEFAULT_INTERVAL_S: not imported at the command line's start)
    show_default=True,
    help="Seconds between checks of the folders with --watch.",
)
@click.option(
    "--jobs",
    type=click.IntRange(1),
    default=None,
    help="Worker processes for a fresh build (default: the number of cores).",
)
def index_command(
    paths, index_dir, rebuild, as_json, wait_s, max_bytes, max_seconds, max_memory, watch, interval_s, jobs
):
    """Index PATHS (folders or files: .txt .md .html .docx .doc .rtf .pdf .jsonl .jsonl.gz); unchanged
    files are skipped, others are skipped with a reason.

    Without PATHS, the folders the index was built from are indexed again. A folder that is missing
    or cannot be read keeps its documents, and the exit status is 1.
    """
    from whoosh.writing import IndexingError

    from .index.indexer import IncompleteRebuild, IndexingStopped, NothingToIndex, index_paths
    from .index.store import DamagedMeta, IndexDamaged, IndexLocked, current_generation, default_index_dir
    from .ingest.isolation import ExtractLimits

    index_dir = index_dir or default_index_dir()
    limits = ExtractLimits(time_s=max_seconds, memory_bytes=max_memory)
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
                limits=limits,
            )
        except KeyboardInterrupt:  # how watching is meant to end: not a failure
            pass
        except DamagedMeta as exc:
            _fail(str(exc), as_json)
        except OSError as exc:
            raise Failure(_os_error(_naming(exc, index_dir))) from None
        return
    try:
        built = current_generation(index_dir) is not None
    except IndexDamaged as exc:
        if not rebuild:
            _fail(str(exc), as_json, error_code=DAMAGED)
        built = True  # (a rebuild repairs it)
    if not paths and not built:  # refused before anything is created
        _fail("nothing to index: name a folder or file, e.g. 'search index seeds/'", as_json, code=2)
    # followed in any case, so that Ctrl-C can say what state the index is in; shown on a terminal only
    progress = _ProgressLine(sys.stderr, shown=sys.stderr.isatty())
    try:
        summary = index_paths(
            list(paths),
            index_dir,
            rebuild=rebuild,
            progress=progress,
            wait_s=wait_s,
            max_bytes=max_bytes,
            jobs=jobs,
            limits=limits,
        )
    except (IndexLocked, NothingToIndex, IndexingError, DamagedMeta, IncompleteRebuild) as exc:
        _fail(str(exc), as_json)
    except IndexDamaged as exc:
        _fail(str(exc), as_json, error_code=DAMAGED)
    except IndexingStopped as exc:  # what the committed batches hold stays, the next run goes on
        raise Failure(str(exc), INTERRUPTED, prefix="") from None
    except KeyboardInterrupt:  # a rebuild beside the live index: all or nothing
        if progress.phase in ("", "scanning", "indexing"):  # nothing written to the live index yet
            raise Failure(
                "stopped: indexing interrupted; the index is as it was before this run",
                INTERRUPTED,
                prefix="",
            ) from None
        raise Failure(
            f"stopped: indexing interrupted while {progress.PHASES[progress.phase].split(': ')[-1]}; "
            "'search verify' checks the index",
            INTERRUPTED,
            prefix="",
        ) from None
    except OSError as exc:
        progress.close()
        if exc.errno == errno.ENOSPC:
            _fail(_disk_full(index_dir, exc.strerror), as_json, error_code="disk_full")
        _fail(_os_error(_naming(exc, index_dir)), as_json, error_code="os_error")
    except sqlite3.OperationalError as exc:  # the lexicon's database, on a full disk
        if exc.sqlite_errorcode != sqlite3.SQLITE_FULL:
            raise
        progress.close()
        _fail(_disk_full(index_dir, str(exc)), as_json, error_code="disk_full")
    finally:
        progress.close()
    _report_index(summary, index_dir, as_json)
    if not summary.ok:
        sys.exit(1)


def _disk_full(index_dir: Path, reason: str | None) -> str:
    return (
        f"no space left to write the index at {index_dir} ({reason or 'disk full'}): what this run "
        "wrote was removed and the index is still usable; free some space and run 'search index' again"
    )


def _naming(exc: OSError, index_dir: Path) -> OSError:
    """``exc`` naming a path: a write that fails (a full disk) often names none, and it was the index's."""
    if exc.filename is None:
        exc.filename = str(index_dir)
    return exc


class _ProgressLine:
    """An indexing run's progress on one line of a terminal, rewritten in place: documents read, the
    phase, and the time left; redrawn twice a second, so that a long last step is seen to be working."""

    PHASES = {
        "": "starting",
        "scanning": "scanning folders",
        "indexing": "indexing",
        "committing": "committing: writing the last segments",
        "lexicon": "lexicon: writing the word counts",
        "copies": "copies: grouping copies of a story",
        "finishing": "finishing: switching to the new index",
    }

    def __init__(self, stream, shown: bool = True):
        self.stream = stream
        self.shown = shown
        self.state: IndexProgress | None = None
        self.phase = ""
        self.phase_started = time.monotonic()
        self.drawn = 0.0
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        if shown:
            threading.Thread(target=self._tick, daemon=True).start()

    def __call__(self, state: IndexProgress) -> None:
        now = time.monotonic()
        changed = self.state is None or state.phase != self.phase
        if changed:
            self.phase, self.phase_started = state.phase, now
        self.state = state
        if self.shown and (changed or now - self.drawn >= 0.1):
            self.draw()

    def _tick(self) -> None:
        while not self.stopped.wait(0.5):
            if self.state is not None:
                self.draw()

    def line(self) -> str:
        state, elapsed = self.state, time.monotonic() - self.phase_started
        assert state is not None
        label = self.PHASES.get(state.phase, state.phase)
        documents = f"{state.documents:,} documents"
        if state.phase == "scanning":
            return f"{label} ({elapsed:.0f} s)"
        if state.phase != "indexing":
            return f"{label} ({elapsed:.0f} s); {documents} read"
        text = f"{label}: {documents}, {state.files_done:,}/{state.files_total:,} files"
        fraction = state.fraction
        if fraction:
            text += f", {fraction:.0%}"
            if elapsed > 1 and fraction > 0.01:
                left = round(elapsed * (1 - fraction) / fraction)
                text += f", about {left // 60}:{left % 60:02d} left"
        return text

    def draw(self) -> None:
        with self.lock:
            if self.stopped.is_set():
                return
            width = shutil.get_terminal_size().columns - 1
            self.stream.write("\r\x1b[K" + self.line()[:width])
            self.stream.flush()
            self.drawn = time.monotonic()

    def close(self) -> None:
        with self.lock:
            self.stopped.set()
            if self.shown and self.state is not None:
                self.stream.write("\r\x1b[K")  # the summary takes the line's place
                self.stream.flush()


# why an update read every file again though no rebuild was asked for
_REBUILT_BECAUSE = {
    "schema": "the index was built with other fields or analyzers",
    "extraction": "the index was built by other rules of reading files (dates, places, headlines)",
}


def _report_index(summary, index_dir, as_json: bool) -> None:
    if as_json:
        data = summary.as_dict()
        data["skipped"] = [{"path": s.path, "reason": s.reason} for s in summary.skipped]
        _echo_json(data)
        return
    for skipped in summary.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}", err=True)
    if summary.rebuilt_because in _REBUILT_BECAUSE:
        click.echo(f"every file read again: {_REBUILT_BECAUSE[summary.rebuilt_because]}", err=True)
    recovered = f", {summary.recovered} recovered from a stopped run" if summary.recovered else ""
    click.echo(
        f"{summary.added} added{recovered}, {summary.updated} updated, {summary.removed} removed, "
        f"{summary.unchanged} unchanged, {len(summary.skipped)} skipped; "
        f"{summary.documents} documents in {printable(index_dir)} ({summary.took_s:.1f} s)"
    )
    if not summary.ok:
        click.echo(
            "incomplete: a folder indexed is missing or could not be read (above); "
            "nothing under it was removed",
            err=True,
        )


@cli.command("query", context_settings={"ignore_unknown_options": True})
@click.argument("text", required=False)
@_index_dir_option
@click.option("--limit", type=click.IntRange(1, MAX_LIMIT), default=10, show_default=True)
@click.option("--page", type=click.IntRange(1, MAX_PAGE), default=1, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True)
@click.option(
    "--from", "date_from", metavar="YYYY-MM-DD", help="Only documents dated on or after (or YYYY, YYYY-MM)."
)
@click.option(
    "--to", "date_to", metavar="YYYY-MM-DD", help="Only documents dated on or before (or YYYY, YYYY-MM)."
)
@click.option("--place", help="Only documents about this province or city, with or without diacritics.")
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help="Answer every line of this file ('-': standard input), a blank line with an empty answer.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="text (default); json: one object per query (per line with --batch); "
    "jsonl, csv: one line or row per hit.",
)
@click.option("--json", "as_json", is_flag=True, help="Same as --format json.")
@click.option("--as-typed", is_flag=True, help="Search the words as typed, never a correction of them.")
@_color_option
def query_command(
    text, index_dir, limit, page, sort, date_from, date_to, place, batch, fmt, as_json, as_typed
):
    """Search the index for TEXT ("exact phrase", -word, title:word, AND, OR, prefix*)."""
    from .search.engine import Engine, IndexDamaged, IndexMissing
    from .search.params import ParamError, filters

    if as_json and fmt not in (None, "json"):
        raise click.UsageError(
            f"--json and --format {fmt} ask for different output", click.get_current_context()
        )
    fmt = "json" if as_json else fmt or "text"
    as_json = fmt in ("json", "jsonl")
    if (text is None) == (batch is None):
        _fail("give a query TEXT or --batch FILE (one of them)", as_json, code=2)
    try:  # the web app's own checks, so that both refuse the same values with the same words
        checked = filters({"sort": sort, "from": date_from, "to": date_to, "place": place}, prefix="--")
    except ParamError as exc:
        _fail(exc.message, as_json, code=2, error_code=exc.code)
    engine = Engine(index_dir)
    # every line is answered, a blank one with no hits, so that answers and questions line up
    queries = [text] if batch is None else (line.rstrip("\r\n") for line in batch)
    rows = csv.writer(sys.stdout, lineterminator="\n") if fmt == "csv" else None
    if rows is not None:
        rows.writerow(CSV_COLUMNS)
    try:
        for query in queries:
            result = engine.search(
                query,
                limit=limit,
                page=page,
                sort=checked.sort,
                date_from=checked.date_from,
                date_to=checked.date_to,
                place=checked.place,
                as_typed=as_typed,
            )
            if fmt == "json":
                _echo_json(result.as_dict())
            elif fmt == "text":
                _print_result(result)
            else:
                _print_hits(result, fmt, rows)
    except IndexMissing as exc:
        _fail(str(exc), as_json)
    except IndexDamaged as exc:
        _fail(str(exc), as_json, error_code=DAMAGED)


def _print_hits(result, fmt: str, rows) -> None:
    """One JSON line or CSV row per hit, each naming its query and rank (several queries with --batch)."""
    first = (result.page - 1) * result.limit
    for rank, hit in enumerate(result.as_dict()["hits"], first + 1):
        if rows is None:
            _echo_json({"query": result.query, "rank": rank, **hit})
            continue
        hit = {**hit, "query": result.query, "rank": rank, "places": "; ".join(hit["places"])}
        rows.writerow(["" if hit.get(name) is None else hit[name] for name in CSV_COLUMNS])


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
    from .search.notes import in_english

    for note in result.notes:
        click.echo(click.style(f"note: {in_english(note)}", fg="yellow"))
    for rank, hit in enumerate(result.hits, first + 1):
        click.echo(f"\n{rank}. " + click.style(hit.title or hit.id, bold=True))
        click.echo("   " + _byline(hit.source, hit.date, hit.places))
        click.echo(click.style(f"   {hit.url or hit.id}  (score {hit.score:.2f})", dim=True))
        snippet = _MARK.sub(lambda m: click.style(m.group(1), fg="red", bold=True), hit.snippet)
        click.echo("   " + html.unescape(_TAG.sub("", snippet)))


def _byline(source: str | None, date: str | None, places: list[str]) -> str:
    """The line "site · date · places", as the result page shows it (an unknown date said so)."""
    parts = [source] if source else []
    parts.append(f"{date[8:10]}/{date[5:7]}/{date[:4]}" if date else "không rõ ngày")
    if places:
        parts.append(", ".join(places))
    return " · ".join(parts)


@cli.command("show")
@click.argument("doc_id")
@_index_dir_option
@click.option("--json", "as_json", is_flag=True)
@_color_option
def show_command(doc_id, index_dir, as_json):
    """Print one stored document (its cleaned, indexed text)."""
    from .search.engine import Engine, IndexDamaged, IndexMissing

    # an id as the index writes it; a file name as typed (a tab, bytes that are not UTF-8) is taken
    # as the id it gives
    wanted = doc_id if doc_id == printable(doc_id) else make_id(doc_id)
    try:
        doc = Engine(index_dir).get(wanted)
    except IndexMissing as exc:
        _fail(str(exc), as_json)
    except IndexDamaged as exc:
        _fail(str(exc), as_json, error_code=DAMAGED)
    if doc is None:
        _fail(f"no document with id {wanted!r}", as_json)
    if as_json:
        _echo_json({"ok": True, **doc})
        return
    click.echo(click.style(doc["title"], bold=True))
    click.echo(_byline(doc.get("source"), doc["date"], doc["places"]))
    click.echo(click.style(f"{doc.get('url') or doc['id']}  ({doc['path']})", dim=True))
    click.echo()
    click.echo(doc["text"])


@cli.command("info")
@_index_dir_option
@click.option("--json", "as_json", is_flag=True)
def info_command(index_dir, as_json):
    """Document count, size, last update and schema version of the index."""
    from .search.engine import Engine, IndexDamaged, IndexMissing

    try:
        info = Engine(index_dir).info()
    except IndexMissing as exc:
        _fail(str(exc), as_json)
    except IndexDamaged as exc:
        _fail(str(exc), as_json, error_code=DAMAGED)
    info["index_dir"] = printable(info["index_dir"])
    roots = info["roots"] if isinstance(info["roots"], list) else [info["roots"]]
    info["roots"] = [printable(str(root)) for root in roots]  # (a name that is not UTF-8, a tab)
    if as_json:
        _echo_json({"ok": True, **info})
        return
    click.echo(f"index:          {info['index_dir']}")
    click.echo(f"documents:      {info['documents']}")
    click.echo(f"size:           {info['size_bytes'] / 1e6:.1f} MB")
    click.echo(f"updated:        {info['updated']}")
    click.echo(f"schema version: {info['schema_version']}")
    extraction = info["extraction_version"]
    if extraction != EXTRACTION_VERSION:  # (None: built before extraction rules had a version)
        extraction = (
            f"{extraction or 'none'}, not the current {EXTRACTION_VERSION}: "
            "the next 'search index' reads every file again"
        )
    click.echo(f"extraction:     {extraction}")
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
    help="Threads of the one waitress process  [default: 8]; with --workers each process answers one at a time.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=lambda: min(64, os.cpu_count() or 1),
    show_default="one per core",
    help="Processes (gunicorn when more than one), so that searches use every core; 1: one waitress process.",
)
@click.option(
    "--client-timeout",
    type=click.IntRange(1, 3600),
    default=10,
    show_default=True,
    help="Seconds a connection may stay silent (or, with --workers, take to send a request) before it is closed.",
)
def serve_command(index_dir, host, port, threads, workers, client_timeout):
    """Serve the search page and its JSON API (waitress, or gunicorn with --workers; picks up rebuilt
    indexes by itself)."""
    import os

    if os.environ.get("FLASK_DEBUG", "").lower() not in ("", "0", "false", "no"):
        _fail("refusing to serve with FLASK_DEBUG set: the debugger would let any visitor run code", False)
    from web.serving import serve

    from .search.engine import Engine, IndexDamaged, IndexMissing

    engine = Engine(index_dir)
    try:
        # (every segment file read against its checksum: the check a server makes once when it starts)
        click.echo(f"{engine.health()['documents']} documents in {engine.index_dir}")
    except IndexMissing as exc:  # the page explains how to build an index; serving still makes sense
        click.echo(f"warning: {exc}", err=True)
    except IndexDamaged as exc:  # answering every search with an error helps nobody: repair first
        _fail(str(exc), False)
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
            client_timeout_s=client_timeout,
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
    from .index.store import DamagedMeta, IndexDamaged, default_index_dir
    from .index.verify import verify_index

    try:
        report = verify_index(index_dir or default_index_dir(), deep=not quick)
    except FileNotFoundError as exc:
        _fail(f"{exc}: build one with 'search index FOLDER'", as_json)
    except IndexDamaged as exc:
        if as_json:
            problems = [{"kind": "damaged", "where": d.file, "detail": d.detail} for d in exc.damage]
            _echo_json({"ok": False, "error": str(exc), "code": DAMAGED, "problems": problems})
            sys.exit(1)
        _fail(str(exc), False)
    except DamagedMeta as exc:
        _fail(str(exc), as_json)
    for problem in report.problems:  # (a source path may hold a tab or bytes that are not UTF-8)
        problem.where = printable(problem.where)
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
