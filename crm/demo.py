"""`seed_demo` steps, registered by each app so that crm does not import them.

    from crm.demo import register_demo_step
    register_demo_step("callbacks", seed_callbacks_demo, order=30)

A step is `fn(ctx: DemoContext) -> None` and must be idempotent: `seed_demo` runs every time
`make run` starts.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    rng: random.Random
    stdout: Any  # the command's stdout (write lines with ctx.stdout.write)
    data: dict[str, Any] = field(default_factory=dict)  # what earlier steps made (stores, users, ...)


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[DemoContext], None]
    order: int


_steps: dict[str, DemoStep] = {}


def register_demo_step(name: str, run: Callable[[DemoContext], None], *, order: int = 100) -> None:
    _steps[name] = DemoStep(name, run, order)


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda s: s.order)
