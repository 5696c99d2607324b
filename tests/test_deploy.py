"""Production settings pass Django's deployment checks and refuse to start without secrets."""

import os
import subprocess
import sys
from pathlib import Path

from tests.fresh_process import PROD_ENV, run_python

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The e2e conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for the live server; production must not inherit it.
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in dropped}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.prod")
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_under_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x9!kP2#vL7@qR4$wT8^yU1&zA5*bC3(dE6)fG0_hJ-mN+oS=iV",
        ALLOWED_HOSTS="cr.example.com",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = _manage("check", ALLOWED_HOSTS="cr.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = _manage("check", SECRET_KEY="x9!kP2#vL7@qR4$wT8^yU1&zA5*bC3(dE6)fG0_hJ-mN+oS=iV")
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_a_web_worker_loads_the_application_then_tunes_the_garbage_collector():
    """config.wsgi (what gunicorn imports in each worker) freezes what the loaded application keeps
    and collects the young generation less often (config/gc_tuning.py, issue 17)."""
    script = (
        "import gc; import config.wsgi;"
        "from config.gc_tuning import YOUNG_THRESHOLD;"
        "assert gc.get_freeze_count() > 100_000, gc.get_freeze_count();"
        "assert gc.get_threshold()[0] == YOUNG_THRESHOLD, gc.get_threshold();"
        "print('ok')"
    )
    result = run_python(script, settings="config.settings.prod", **PROD_ENV)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stdout + result.stderr


def test_production_has_no_demo_app():
    """The demo (seed_demo) is installed under dev and test settings only (config/settings/dev.py, test.py)."""
    script = "import django; django.setup(); from django.apps import apps; print(apps.is_installed('demo'))"
    installed = {}
    for name in ("prod", "dev", "test"):
        result = run_python(script, settings=f"config.settings.{name}", **PROD_ENV)
        assert result.returncode == 0, result.stderr
        installed[name] = result.stdout.strip()
    assert installed == {"prod": "False", "dev": "True", "test": "True"}
