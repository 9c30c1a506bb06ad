"""``gradcli eval - --jobs N``: the lines of a stream evaluated in N forked worker processes,
their output written in input order, byte for byte what one process writes.

The parent reads the stream (on a thread of its own), cuts it into chunks and hands them to
the workers; a worker evaluates a chunk with the parent's Evaluator (inherited by fork) and
sends back what each line wrote to stdout and stderr, in the order written. The parent
writes those in the lines' order. A line whose result depends on the lines before it (one
that draws from or reseeds the random generator) or that did not end in a result or a
GradcliError is evaluated again by the parent, in its turn, as one process would: so the
random numbers after --seed are the same, and so is what an unexpected error does."""

from __future__ import annotations

import os
import queue
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..engine.ops import creation
from ..errors import GradcliError
from ..results import EvalResult
from .evaluate import Evaluator
from .stream import evaluate_one, evaluate_parsed, parse_batch

#: The most lines of one chunk: enough that a chunk of cheap lines costs far more than
#: sending it, few enough that the workers end together.
CHUNK_LINES = 128
#: Chunks read ahead of the output, per worker (bounds the memory a long stream takes).
AHEAD = 4
#: Seconds between looks for a worker that died (the pool replaces it, but its chunk is lost).
WATCH = 0.5

#: (fd, text) of what a line wrote, in order; a worker's record of one line: its events,
#: whether it failed, and whether the parent must evaluate it again.
Events = list[tuple[int, str]]
Record = tuple[Events, bool, bool]

#: The worker's job, set by the parent before it forks (a closure cannot be pickled).
_JOB: list[Callable[[tuple[int, list[str]]], list[Record]] | None] = [None]


def cores() -> int:
    """The processors this process may run on (``--jobs 0``)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked here (they inherit the Evaluator; no fork: one process)."""
    import multiprocessing

    return "fork" in multiprocessing.get_all_start_methods()


class _Capture:
    """A stand-in for sys.stdout or sys.stderr in a worker: records what is written, and
    looks like the stream it stands for (isatty, encoding) so the text is the same."""

    def __init__(self, fd: int, real: Any, events: Events) -> None:
        self.fd, self.real, self.events = fd, real, events
        self.encoding = getattr(real, "encoding", None) or "utf-8"
        self.errors = getattr(real, "errors", None) or "strict"

    def write(self, text: str) -> int:
        if text:
            self.events.append((self.fd, text))
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        try:
            return bool(self.real.isatty())
        except (AttributeError, ValueError, OSError):
            return False


class _InOrder(BaseException):
    """Raised in a worker when a line uses the random generator: its result depends on the
    lines before it, so the parent evaluates it. (Not an Exception: nothing may catch it.)"""


class _Probe:
    """Stands in a worker for the random generator: any use of it stops the line (and is
    remembered, should something catch even a BaseException)."""

    touched = False

    def __getattr__(self, name: str) -> Any:
        self.touched = True
        raise _InOrder


def _worker_start() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def _work(chunk: tuple[int, list[str]]) -> list[Record]:
    job = _JOB[0]
    assert job is not None
    return job(chunk)


def evaluate_lines_parallel(evaluator: Evaluator, batches: Iterable[list[str]],
                            answer: Callable[[EvalResult], None],
                            refuse: Callable[[str, GradcliError], None],
                            batch_done: Callable[[], None], jobs: int,
                            counted: Callable[[], None]) -> int:
    """As stream.evaluate_lines, in ``jobs`` worker processes; ``counted`` is called for each
    line whose output a worker made (the others go through ``answer`` or ``refuse``)."""
    import multiprocessing

    probe = _Probe()

    def job(chunk: tuple[int, list[str]]) -> list[Record]:
        before, lines = chunk
        records: list[Record] = []
        saved = sys.stdout, sys.stderr
        # Parsed first, as evaluate_lines does (the parser's code and data stay in cache).
        expressions = {number: (line, node) for number, line, node
                       in parse_batch(evaluator, lines, before)}
        try:
            for number in range(before + 1, before + len(lines) + 1):
                if number not in expressions:  # blank or a comment
                    records.append(([], False, False))
                    continue
                events: Events = []
                sys.stdout, sys.stderr = _Capture(1, saved[0], events), _Capture(2, saved[1], events)
                creation._rng[0], probe.touched = probe, False
                try:
                    failed = evaluate_parsed(evaluator, number, *expressions[number], answer,
                                             refuse)
                except (_InOrder, Exception):
                    records.append(([], False, True))
                    continue
                again = probe.touched or creation._rng[0] is not probe
                records.append((events, bool(failed), again))
        finally:
            sys.stdout, sys.stderr = saved
        return records

    _JOB[0] = job
    context = multiprocessing.get_context("fork")
    pool = context.Pool(jobs, initializer=_worker_start)
    try:
        return _run(pool, evaluator, batches, answer, refuse, batch_done, jobs, counted)
    finally:
        pool.terminate()
        pool.join()
        _JOB[0] = None


def _chunks(batches: Iterable[list[str]], jobs: int) -> Iterator[tuple[int, list[str]]]:
    """(lines before it, its lines) for each chunk: a batch cut so that every worker gets a
    part of it, in chunks of at most CHUNK_LINES lines."""
    before = 0
    for batch in batches:
        size = max(1, min(CHUNK_LINES, -(-len(batch) // jobs)))
        for start in range(0, len(batch), size):
            yield before + start, batch[start:start + size]
        before += len(batch)


def _run(pool: Any, evaluator: Evaluator, batches: Iterable[list[str]],
         answer: Callable[[EvalResult], None], refuse: Callable[[str, GradcliError], None],
         batch_done: Callable[[], None], jobs: int, counted: Callable[[], None]) -> int:
    """The parent's loop: a reader thread queues the chunks, the pool queues their records;
    records are written in the chunks' order as soon as each one's turn comes."""
    events: queue.Queue[tuple[str, Any, Any]] = queue.Queue()
    room = threading.Semaphore(AHEAD * jobs)
    stop = threading.Event()

    def read() -> None:
        try:
            for chunk in _chunks(batches, jobs):
                room.acquire()
                if stop.is_set():
                    return
                events.put(("chunk", chunk, None))
            events.put(("end", None, None))
        except BaseException as error:  # noqa: BLE001 - raised in the parent in its turn
            events.put(("error", error, None))

    reader = threading.Thread(target=read, daemon=True)
    workers = _workers()
    reader.start()
    code = 0
    chunks: list[tuple[int, list[str]]] = []  # by index
    done: dict[int, Any] = {}  # index -> records (or the exception a worker raised)
    written = 0  # chunks written
    ending: tuple[str, Any] | None = None
    try:
        while ending is None or written < len(chunks):
            try:
                kind, item, index = events.get(timeout=WATCH)
            except queue.Empty:
                alive = _workers()
                died, workers = workers - alive, alive
                if not died or written == len(chunks):
                    continue
                # The chunks not back yet may never come: the parent evaluates them.
                lost = ChildProcessError("a worker process ended")
                for pending in range(written, len(chunks)):
                    done.setdefault(pending, lost)
                kind, item, index = "done", lost, written
            if kind == "chunk":
                index = len(chunks)
                chunks.append(item)
                pool.apply_async(_work, (item,),
                                 callback=lambda records, i=index: events.put(("done", records, i)),
                                 error_callback=lambda e, i=index: events.put(("done", e, i)))
            elif kind == "done":
                if index >= written:  # not one given up on (see above)
                    done.setdefault(index, item)
                while written in done:
                    code |= _write(evaluator, chunks[written], done.pop(written), answer,
                                   refuse, counted)
                    written += 1
                    room.release()
                batch_done()
            else:
                ending = kind, item
    finally:
        stop.set()
        room.release()
    if ending[0] == "error":
        raise ending[1]
    return code


def _workers() -> set[int]:
    """The process ids of this process's children (the pool's workers) now alive."""
    import multiprocessing

    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


def _write(evaluator: Evaluator, chunk: tuple[int, list[str]], records: Any,
           answer: Callable[[EvalResult], None], refuse: Callable[[str, GradcliError], None],
           counted: Callable[[], None]) -> int:
    """Write a chunk's records in order; evaluate here the lines the workers left to the
    parent (all of them if the worker itself failed). 1 if a line failed."""
    before, lines = chunk
    if isinstance(records, BaseException):
        records = [([], False, True)] * len(lines)
    code = 0
    for number, (raw, (events, failed, again)) in enumerate(zip(lines, records),
                                                          start=before + 1):
        if again:
            code |= evaluate_one(evaluator, number, raw, None, answer, refuse)
            continue
        for fd, text in events:
            if fd == 1:
                sys.stdout.write(text)
            else:
                sys.stdout.flush()  # as boundary.stderr: what came before it comes first
                sys.stderr.write(text)
                sys.stderr.flush()
        if events:
            counted()
        code |= failed
    return code
