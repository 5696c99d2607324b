"""Reading and parsing a sheet in a background thread, so that it overlaps the database work of
the batch before it.

An import of 100,000 repair orders spends about as long waiting on PostgreSQL (inserts into
indexed tables, card and mileage updates) as it spends in Python reading the workbook and parsing
cells; psycopg releases the GIL while it waits, so a reader thread turns the sum into roughly the
larger of the two. The thread touches no database connection; it runs in the caller's language
(cell errors are translated messages). A bounded queue keeps memory flat, and the thread stops
when the consumer does.
"""

import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from django.utils import translation

T = TypeVar("T")
_END = object()


def prefetched(produce: Callable[[], Iterable[T]], *, chunk: int = 500, depth: int = 8) -> Iterator[T]:
    """Items of `produce()`, computed ahead in a thread; its exceptions are raised here."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    language = translation.get_language()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            with translation.override(language):
                pending: list[T] = []
                for item in produce():
                    pending.append(item)
                    if len(pending) >= chunk:
                        if not put(pending):
                            return
                        pending = []
                put(pending)
            put(_END)
        except BaseException as exc:  # handed to the consumer, which raises it
            put(exc)

    thread = threading.Thread(target=run, name="import-reader", daemon=True)
    thread.start()
    try:
        while (got := items.get()) is not _END:
            if isinstance(got, BaseException):
                raise got
            yield from got
    finally:
        stop.set()
        thread.join(timeout=5)
