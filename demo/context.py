"""What every demo step receives (DemoContext) and the demo's clock (demo_clock).

A step is `fn(ctx: DemoContext) -> None` and must be idempotent: `seed_demo` runs every time
`make run` starts. The steps and their order are listed once, in demo.steps.
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import time_machine


@dataclass
class DemoContext:
    rng: random.Random
    stdout: Any  # the command's stdout (write lines with ctx.stdout.write)
    data: dict[str, Any] = field(default_factory=dict)  # what earlier steps made (stores, users, ...)


@contextmanager
def demo_clock(at: datetime.datetime):
    """Run services "at" a past moment: the clock (`timezone.now`, `localdate`, auto_now fields, and
    every service that reads it) stands at `at` inside the block.

    The demo builds a year of history through the real services, so the rows are what the app
    writes. time-machine moves the clock for the whole process (it is a runtime dependency for this
    alone); `seed_demo` is a single-threaded command, and product code never imports this module."""
    with time_machine.travel(at, tick=False):
        yield
