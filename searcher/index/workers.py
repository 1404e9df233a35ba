"""Indexing on several cores: Whoosh's multiprocess writer, made safe to kill and to fail, and the
lexicon counted in a process of its own.

Analysing the text and writing the postings are most of an indexing run's time, and Whoosh can do both
in worker processes (``MpWriter``): the indexing process hands batches of documents to the workers,
each worker writes a segment of its own, and the commit adds those segments to the index without
merging them (a merge would be one more single-core pass over every posting).

As shipped the workers outlive a killed indexing run (they wait on a queue forever) and a worker that
fails loses its documents without a word. Here a worker dies with its parent, and a commit checks that
every worker finished and raises otherwise; the half-built generation is then never switched to.
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from whoosh.multiproc import SubWriterTask
from whoosh.writing import IndexingError

from ..lexicon.lexicon import LexiconBuilder
from ..processes import die_with_parent
from .codec.whoosh_private import MpWriterTasks, finalize_segment, process_job_file
from .pool import GroupingMpWriter, GroupingSegmentWriter

BATCH_SIZE = 64  # documents per job file handed to a worker
BACKLOG_FOR_MORE = 6  # job files waiting (of the queue's 4 per worker) that start one more worker
DISK_FULL_EXIT = 28  # a worker's exit status when the disk is full (ENOSPC): told by the parent


def default_jobs() -> int:
    """Worker processes by default: one per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Start processes without a Ctrl-C cutting in: one that comes meanwhile is noted and raised once
    they are started, and a forked child that gets it before it ignores Ctrl-C only notes it too."""
    if threading.current_thread() is not threading.main_thread():  # only it may set handlers
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _ignore_ctrl_c() -> None:
    """A terminal sends Ctrl-C to every process of the foreground group: a worker would print a
    traceback of its own; the parent stops the workers instead (``cancel``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Worker(SubWriterTask):
    """Takes job files off the queue and writes their documents into one segment of its own."""

    def start(self):
        with _ctrl_c_deferred():
            super().start()

    def run(self):
        _ignore_ctrl_c()
        die_with_parent()
        self.jobs_ended = False
        try:
            self._write_segment()
        except Exception as exc:  # told in one line: the parent's commit reports the failure
            disk_full = _disk_full(exc)
            if not disk_full:  # (a full disk is told by the parent, once)
                print(f"indexing worker {os.getpid()} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            # the jobs left are taken and dropped: with every worker gone, handing one out would wait
            # forever (unless the end was already taken: the segment was being written)
            while not self.jobs_ended and self.jobqueue.get() is not None:
                pass
            sys.exit(DISK_FULL_EXIT if disk_full else 1)

    def _write_segment(self):
        ix = self.storage.open_index(self.indexname)
        # _lk=False: the parent holds the index's lock
        self.writer = GroupingSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:  # the parent is committing
                self.jobs_ended = True
                break
            process_job_file(self, *job)
        if not self.running:
            self.writer.cancel()
            return
        segment = finalize_segment(self.writer)
        self.resultqueue.put((None, self.writer.pool.fieldnames, segment), timeout=5)


class ParallelWriter(MpWriterTasks, GroupingMpWriter):
    """``MpWriter`` with up to ``procs`` workers, one segment each (no final merge).

    :param spread: start every worker at once (a build); otherwise a worker beyond the first starts
        only when the job files waiting for one reach :data:`BACKLOG_FOR_MORE`, this process having
        read documents faster than the workers write them. Each worker adds a segment that queries
        then search one by one, and nothing merges segments of a few hundred documents: an update
        of 1,000 articles kept up with by one worker adds one segment, not two, and takes as long
        (8.2-8.9 s against 8.4-9.3 s into the 119,572-article index).
    """

    task_class = _Worker

    def __init__(self, ix, procs: int, spread: bool = True, **writer_options):
        super().__init__(ix, procs=procs, batchsize=BATCH_SIZE, multisegment=True, **writer_options)
        self.more_workers_at_backlog = None if spread else BACKLOG_FOR_MORE

    def commit(self, *args, **kwargs):
        super().commit(*args, **kwargs)
        # (read after the commit: it starts a worker itself for the last documents if none has them)
        tasks = self.tasks
        failed = [t.exitcode for t in tasks if t.exitcode != 0]
        if DISK_FULL_EXIT in failed:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if failed:
            raise IndexingError(
                f"{len(failed)} of {len(tasks)} indexing workers failed "
                f"(exit codes {failed}); their documents are missing"
            )

    def cancel(self):
        try:
            super().cancel()
        except Exception:  # a full disk fails the closing of this process's files too: not the news
            pass
        finally:
            # a worker left waiting for jobs would hold this process's exit for ever
            for task in self.tasks:
                if task.is_alive():
                    task.kill()
            self.jobqueue.cancel_join_thread()  # job files left unread must not hold this process's exit


class LexiconProcess:
    """A fresh generation's :class:`~searcher.lexicon.LexiconBuilder` run in a process of its own.

    Counting the n-grams of every text (and writing them out) was two thirds of the indexing
    process's own work, the process that reads, cleans and hands documents to the workers: with it
    elsewhere the workers are kept busy. Texts go over in batches; :meth:`save` waits for the counts
    to be written and raises if the process failed.
    """

    BATCH = 64

    def __init__(self, generation, journal: bool = False):
        context = multiprocessing.get_context("fork")
        self._texts = context.Queue(maxsize=32)
        self._final = context.Value("b", 1)
        self._process = context.Process(
            target=_count_texts, args=(generation, self._texts, journal, self._final), daemon=True
        )
        with _ctrl_c_deferred():
            self._process.start()
        self._batch: list[tuple[str, str]] = []
        self._closed = False

    def add(self, title: str, text: str) -> None:
        if self._closed:
            raise RuntimeError("texts added after close_input()")
        self._batch.append((title, text))
        if len(self._batch) >= self.BATCH:
            self._texts.put(self._batch)
            self._batch = []

    def forget(self, doc_id: str) -> None:
        """Nothing to uncount: a fresh generation had no documents before this run."""

    def close_input(self, final: bool = True) -> None:
        """No more texts: the process writes its counts out (with the autocomplete tables if
        ``final``), while the caller goes on (the workers write their segments meanwhile)."""
        if self._closed:
            return
        self._final.value = int(final)
        if self._batch:
            self._texts.put(self._batch)
            self._batch = []
        self._texts.put(None)
        self._closed = True

    def save(self, final: bool = True) -> None:
        """Wait for the counts to be written; the process then ends."""
        self.close_input(final)
        self._process.join()
        if self._process.exitcode == DISK_FULL_EXIT:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if self._process.exitcode != 0:
            raise IndexingError(f"the lexicon process failed (exit code {self._process.exitcode})")

    def cancel(self) -> None:
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        # texts still queued would wait for a reader that is gone, and the exit would wait for them
        self._texts.cancel_join_thread()


def _count_texts(generation, texts, journal: bool, final) -> None:
    _ignore_ctrl_c()
    die_with_parent()
    try:
        builder = LexiconBuilder(generation, fresh=True, journal=journal)
        while (batch := texts.get()) is not None:
            for title, text in batch:
                builder.add(title, text)
        builder.save(final=bool(final.value))
    except Exception as exc:  # told in one line: save() in the parent reports the failure
        if _disk_full(exc):
            sys.exit(DISK_FULL_EXIT)  # (told by the parent)
        print(f"lexicon process failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        sys.exit(1)


def _disk_full(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        return exc.sqlite_errorcode == sqlite3.SQLITE_FULL
    return isinstance(exc, OSError) and exc.errno == errno.ENOSPC
