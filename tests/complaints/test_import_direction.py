"""callbacks ↔ complaints: imports run one way, callbacks → complaints. complaints names callbacks
only in Case's foreign keys (by string) and asks it through complaints.call_source, the hook
CallbacksConfig.ready() registers."""

import ast
from pathlib import Path

import pytest

from callbacks.complaint_source import COMPLAINT_CALL_SOURCE
from complaints.call_source import call_source
from tests.fresh_process import run_python

ROOT = Path(__file__).resolve().parents[2]


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_complaints_module_imports_callbacks():
    files = [p for p in (ROOT / "complaints").rglob("*.py") if "migrations" not in p.parts]
    offenders = {
        str(p.relative_to(ROOT)): sorted(m for m in _imported_modules(p) if m.split(".")[0] == "callbacks")
        for p in files
    }
    assert len(files) > 20
    assert {path: found for path, found in offenders.items() if found} == {}


def test_callbacks_registers_the_hook_complaints_calls():
    assert call_source() is COMPLAINT_CALL_SOURCE


@pytest.mark.parametrize("first", ["complaints.services", "complaints.intake", "callbacks.hot_alerts", "callbacks.sms"])
def test_every_module_of_both_apps_imports_in_a_fresh_process(first):
    """`first` imported right after set-up, then every other module of callbacks and complaints."""
    script = (
        "import django, importlib, pkgutil; django.setup();"
        f"importlib.import_module({first!r});"
        "import callbacks, complaints;"
        "names = [m.name for p in (callbacks, complaints)"
        " for m in pkgutil.walk_packages(p.__path__, p.__name__ + '.') if '.migrations' not in m.name];"
        "[importlib.import_module(n) for n in names];"
        "print(len(names))"
    )
    done = run_python(script)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.split()[-1]) > 50
