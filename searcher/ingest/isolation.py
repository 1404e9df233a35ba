"""Extracting files in a worker process that can be stopped, under a time limit and a memory limit.

Every format's reader (text, HTML, Word, RTF, PDF, and the programs some of them start: antiword,
pdftoppm, tesseract) runs in the worker, and so does the cleaning of the text it gives, so that a
crafted or broken file costs at most the limits and is skipped with a reason; the indexing run goes on.

- time: the indexer waits at most ``time_s`` seconds for a file, plus the time-out of each external
  program the extractor starts (those have their own: OCR of a long scan may take its time), then
  stops the worker and the programs it started (one process group) and starts another for the next
  file: "took longer than 120 s to extract".
- memory: the worker's address space may grow by at most ``memory_bytes`` over its size when it
  starts (``resource.RLIMIT_AS``, also on the programs it starts); a file that needs more raises
  MemoryError there: "needed more than 2 GB of memory to extract", and the worker is replaced.

One worker serves a whole run, file after file: it is forked from the indexing process, so it starts
at once, with the modules already imported, and a file costs only the copy of its bytes through a
pipe. JSON Lines records are not extracted and need no worker.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import resource
import signal
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from ..processes import die_with_parent
from .extract import DEFAULT_MAX_BYTES
from .extract import _human as human_size
from .ids import printable
from .model import Document, Skipped

DEFAULT_TIME_S = 120.0
DEFAULT_MEMORY_BYTES = 2 * 2**30


@dataclass(frozen=True)
class ExtractLimits:
    """How long one file's extraction may take and how much memory it may use (see the module)."""

    time_s: float = DEFAULT_TIME_S
    memory_bytes: int = DEFAULT_MEMORY_BYTES

    def time_reason(self) -> str:
        return f"took longer than {self.time_s:g} s to extract"

    def memory_reason(self) -> str:
        return f"needed more than {human_size(self.memory_bytes)} of memory to extract"


class Extractor:
    """Turns files into Documents in a worker process under ``limits``; use it as a context manager.

    :meth:`document` answers as :func:`searcher.ingest.documents.document_from_file` does, a Document
    or a Skipped with the reason, whatever the file does to the worker.
    """

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES, limits: ExtractLimits | None = None):
        self.max_bytes = max_bytes
        self.limits = limits or ExtractLimits()
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn: Connection | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def document(self, source, data: bytes) -> Document | Skipped:
        """The Document of ``source`` (a :class:`~searcher.ingest.sources.SourceFile` whose bytes are
        ``data``), or why it is skipped."""
        try:
            conn, process = self._send((source, data))
        except OSError:  # the worker ended between two files: a fresh one takes the file
            self._stop()
            conn, process = self._send((source, data))
        deadline = time.monotonic() + self.limits.time_s
        while True:
            remaining = deadline - time.monotonic()
            ready = wait([conn, process.sentinel], timeout=remaining) if remaining > 0 else []
            if not ready:
                self._stop()
                return Skipped(source.shown, self.limits.time_reason())
            if conn not in ready:
                return self._ended(source)
            try:
                kind, value = conn.recv()
            except (EOFError, OSError):
                return self._ended(source)
            if kind == "program":  # an external program with a time-out of its own starts
                deadline += value
            elif kind == "memory":
                self._stop()
                return Skipped(source.shown, self.limits.memory_reason())
            else:
                document, recycle = value
                if recycle:  # its memory has grown: the next file gets a fresh worker
                    self._stop()
                return document

    def close(self) -> None:
        self._stop()

    def _send(self, task) -> tuple[Connection, multiprocessing.process.BaseProcess]:
        if self._process is None or self._conn is None:
            self._start()
        assert self._conn is not None and self._process is not None
        self._conn.send(task)
        return self._conn, self._process

    def _start(self) -> None:
        context = multiprocessing.get_context("fork")  # at once, with the modules this process has
        ours, theirs = context.Pipe()
        process = context.Process(
            target=_serve,
            args=(theirs, ours, self.max_bytes, self.limits.memory_bytes),
            daemon=True,
            name="extract",
        )
        process.start()
        theirs.close()
        assert process.pid is not None  # (started)
        try:  # (the worker does the same: whichever comes first, no window without its own group)
            os.setpgid(process.pid, process.pid)
        except OSError:
            pass
        self._process, self._conn = process, ours

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if process is not None:
            if process.is_alive() and process.pid is not None:
                try:  # the worker and every program it started
                    os.killpg(process.pid, signal.SIGKILL)
                except OSError:
                    process.kill()
            process.join()
        if conn is not None:
            conn.close()

    def _ended(self, source) -> Skipped:
        """The worker ended without an answer (a crash in a library, or killed from outside)."""
        process = self._process
        self._stop()
        code = process.exitcode if process is not None else None
        if code is not None and code < 0:
            try:
                how = f"killed by {signal.Signals(-code).name}"
            except ValueError:
                how = f"killed by signal {-code}"
        else:
            how = f"exit status {code}"
        hint = " (out of memory?)" if code == -signal.SIGKILL else ""
        return Skipped(source.shown, f"extraction failed: the worker process ended ({how}){hint}")


# --- in the worker --------------------------------------------------------------------------------


def _serve(conn: Connection, parent_end: Connection, max_bytes: int, memory_bytes: int) -> None:
    """The worker's loop: (source, bytes) in, ("done", (Document or Skipped, recycle)) out."""
    # What the indexing process held (open searchers, files) is never collected here: closing its copies
    # would do nothing useful and warn; frozen, it is also not copied page by page when the collector runs.
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the indexer, which stops the worker
    parent_end.close()  # so that the indexer's end closing is seen here
    try:
        os.setpgid(0, 0)  # a group of its own: stopped together with the programs it starts
    except OSError:
        pass
    die_with_parent()
    base = _address_space()
    if base is not None:
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = base + memory_bytes
        if hard == resource.RLIM_INFINITY or limit <= hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    from .documents import document_from_file
    from .extract import tools

    tools.on_program = lambda timeout: conn.send(("program", timeout))
    while True:
        try:
            if _answer(conn, document_from_file, max_bytes, base, memory_bytes):
                continue
            return
        except (EOFError, OSError):
            return
        except MemoryError:
            pass
        # (out of the handler: what the file's reading held is freed by now, the answer can be sent)
        try:
            conn.send(("memory", None))
        except (OSError, MemoryError):
            pass  # the indexer sees the worker end
        return


def _answer(
    conn: Connection, document_from_file, max_bytes: int, base: int | None, memory_bytes: int
) -> bool:
    """Answer one file; False: no more files (or the worker has grown and makes way for a fresh one)."""
    task = conn.recv()
    if task is None:
        return False
    source, data = task
    del task
    try:
        result: Document | Skipped = document_from_file(source, data, max_bytes=max_bytes)
    except MemoryError:
        raise
    except Exception as exc:  # a reader's bug met by one file: that file is skipped, the run goes on
        detail = printable(" ".join(str(exc).split()))[:200]
        result = Skipped(source.shown, f"could not extract: {type(exc).__name__}: {detail}")
    del data
    grown = base is not None and (_address_space() or 0) > base + memory_bytes // 2
    conn.send(("done", (result, grown)))
    return not grown


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), or None."""
    try:
        with open("/proc/self/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmSize:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
