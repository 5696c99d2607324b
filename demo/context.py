"""What every demo step receives (DemoContext) and the demo's clock (demo_clock).

A step is `fn(ctx: DemoContext) -> None` and must be idempotent: `seed_demo` runs every time
`make run` starts. The steps and their order are listed once, in demo.steps.
"""

import datetime
import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest import mock

from django.utils import timezone


@dataclass
class DemoContext:
    rng: random.Random
    stdout: Any  # the command's stdout (write lines with ctx.stdout.write)
    data: dict[str, Any] = field(default_factory=dict)  # what earlier steps made (stores, users, ...)


@contextmanager
def demo_clock(at: datetime.datetime):
    """Run services "at" a past moment: `django.utils.timezone.now` (and so `localdate`, auto_now
    fields and every service that reads the clock) returns `at` inside the block.

    The demo builds a year of history through the real services; time-machine is a test-only
    dependency and `make run` installs only requirements.txt, so the standard library's patch does
    it. Single-threaded command use only."""
    with mock.patch.object(timezone, "now", return_value=at):
        yield
