"""Garbage-collector settings of a web worker (issue 17: CPU per request).

A loaded Django process holds about a million long-lived objects (modules, the URL resolver,
templates, models' metadata). With CPython's defaults a full collection walks them all every few
requests, and the young generation is collected every 700 allocations — a page that renders a
table allocates hundreds of thousands. So, once the application is loaded:
- `gc.freeze()` moves everything alive into the permanent generation, which collections skip
  (Python's documented use: after start-up, before serving or forking);
- the young generation is collected every 50,000 allocations instead of 700 (memory grows by a few
  MB at most; reference counting still frees almost everything at once).
Measured on the call page at SPEC §12 scale: about 15% less CPU per request (bench/cpu.py applies
the same settings, because it measures what a worker spends).
"""

import gc

YOUNG_THRESHOLD = 50_000


def tune_gc() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
