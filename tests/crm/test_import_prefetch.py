"""The import's reader thread: order, errors, the caller's language, and stopping with the caller."""

import threading

import pytest
from django.utils import translation

from crm.importing.prefetch import prefetched


def test_items_come_in_order_across_chunks():
    assert list(prefetched(lambda: range(2345), chunk=100, depth=2)) == list(range(2345))


def test_an_error_while_reading_is_raised_to_the_caller_after_the_items_before_it():
    def produce():
        yield from range(10)
        raise ValueError("damaged sheet")

    got = []
    with pytest.raises(ValueError, match="damaged sheet"):
        for item in prefetched(produce, chunk=3):
            got.append(item)
    assert got == list(range(9))  # the chunks completed before the error


def test_the_thread_reads_in_the_callers_language():
    with translation.override("en"):
        assert list(prefetched(lambda: [translation.get_language()])) == ["en"]
    with translation.override("zh-hans"):
        assert list(prefetched(lambda: [translation.get_language()])) == ["zh-hans"]


def test_the_thread_stops_when_the_caller_stops():
    def endless():
        n = 0
        while True:
            yield n
            n += 1

    for item in prefetched(endless, chunk=10, depth=2):
        if item == 25:
            break
    assert not any(t.name == "import-reader" and t.is_alive() for t in threading.enumerate())
