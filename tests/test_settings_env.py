"""Settings from the environment (config/env.py): the usual boolean spellings, secrets from
NAME_FILE, and a misconfiguration reported as one line naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import Env

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1", True), ("true", True), ("True", True), ("YES", True), ("on", True), (" yes\n", True),
        ("0", False), ("false", False), ("FALSE", False), ("no", False), ("Off", False),
    ],
)  # fmt: skip
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DCR_TEST_FLAG", raw)
    assert Env().bool("DCR_TEST_FLAG", default=not expected) is expected


def test_an_unset_or_empty_boolean_takes_its_default(monkeypatch):
    monkeypatch.delenv("DCR_TEST_FLAG", raising=False)
    assert Env().bool("DCR_TEST_FLAG", default=True) is True
    monkeypatch.setenv("DCR_TEST_FLAG", "")
    assert Env().bool("DCR_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("raw", ["banana", "2", "y es", "enabled"])
def test_any_other_boolean_is_a_configuration_error_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("DCR_TEST_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match=r"^DCR_TEST_FLAG must be one of 1/0, true/false, yes/no, on/off"):
        Env().bool("DCR_TEST_FLAG", default=False)


def test_a_bad_number_is_a_configuration_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DCR_TEST_LIMIT", "five")
    with pytest.raises(ImproperlyConfigured, match=r"^DCR_TEST_LIMIT must be a whole number \(got 'five'\)"):
        Env().int("DCR_TEST_LIMIT", default=5)
    monkeypatch.setenv("DCR_TEST_LIMIT", "12")
    assert Env().int("DCR_TEST_LIMIT", default=5) == 12


def test_a_secret_comes_from_name_file_without_its_newline(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-from-file\n")
    monkeypatch.setenv("DCR_TEST_SECRET", "from-the-variable")
    monkeypatch.setenv("DCR_TEST_SECRET_FILE", str(secret))
    assert Env().str("DCR_TEST_SECRET", default="") == "s3cr3t-from-file"
    # (FileAwareEnv caches a file once read, hence another name for the missing file.)
    monkeypatch.setenv("DCR_TEST_OTHER_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="DCR_TEST_OTHER_SECRET_FILE: cannot read"):
        Env().str("DCR_TEST_OTHER_SECRET", default="")


def test_lists_are_stripped(monkeypatch):
    monkeypatch.setenv("DCR_TEST_HOSTS", " a.example.com, b.example.com ,,")
    assert Env().list("DCR_TEST_HOSTS", default=[]) == ["a.example.com", "b.example.com"]


def _manage_check(settings_module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("settings_module", ["config.settings.dev", "config.settings.test"])
def test_manage_py_reports_a_bad_debug_in_one_clear_line(settings_module):
    result = _manage_check(settings_module, DEBUG="banana")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DEBUG must be one of 1/0, true/false, yes/no, on/off (got 'banana')"
    ]
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("debug", ["0", "1", "no", "on"])
def test_manage_py_starts_with_the_usual_debug_spellings(debug):
    result = _manage_check("config.settings.dev", DEBUG=debug)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def _entry_point(argv: list[str], settings_module: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env, DJANGO_SETTINGS_MODULE=settings_module)
    return subprocess.run(argv, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_the_wsgi_entry_point_reports_a_bad_setting_in_one_clear_line():
    """gunicorn imports config.wsgi in each worker: a bad value is one line there too."""
    result = _entry_point([sys.executable, "-c", "import config.wsgi"], "config.settings.dev", DEBUG="banana")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DEBUG must be one of 1/0, true/false, yes/no, on/off (got 'banana')"
    ]


def test_the_celery_command_reports_a_bad_setting_in_one_clear_line():
    celery = str(Path(sys.executable).with_name("celery"))
    result = _entry_point([celery, "-A", "config", "report"], "config.settings.dev", DEBUG="banana")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stderr.strip().splitlines()[-1] == (
        "Configuration error: DEBUG must be one of 1/0, true/false, yes/no, on/off (got 'banana')"
    )
    assert _entry_point([celery, "-A", "config", "report"], "config.settings.dev", DEBUG="0").returncode == 0
