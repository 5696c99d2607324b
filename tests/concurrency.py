"""Running the same work in real threads at once (two users racing), each on its own connection."""

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection


def run_at_once(work: Callable[..., Any], args: Sequence[tuple] = ((), ())) -> list[Any]:
    """Call `work(*a)` for each `a` of `args` in its own thread, all released together by a
    barrier; return the results (in finishing order). An exception in any thread fails the test
    after all have finished. Each thread closes its database connection."""
    barrier = threading.Barrier(len(args))
    results: list[Any] = []
    errors: list[BaseException] = []

    def worker(*a):
        try:
            barrier.wait()
            results.append(work(*a))
        except BaseException as exc:  # surfaced below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=a) for a in args]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    return results
