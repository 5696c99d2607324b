"""Python run in a fresh process under a settings module: for tests of what a process sees when it
starts (installed apps, import order, task registration, production checks)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# What production settings refuse to start without (config/settings/prod.py).
PROD_ENV = {"SECRET_KEY": "x9!kP2#vL7@qR4$wT8^yU1&zA5*bC3(dE6)fG0_hJ-mN+oS=iV", "ALLOWED_HOSTS": "cr.example.com"}


def run_python(
    code: str, *, settings: str = "config.settings.test", drop: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess:
    """`python -c code` in the project root with `settings`; the variables in `drop` unset. The e2e
    conftest's DJANGO_ALLOW_ASYNC_UNSAFE (for the live server) is never inherited."""
    unset = {"DJANGO_ALLOW_ASYNC_UNSAFE", *drop}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE=settings)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )
