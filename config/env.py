"""Settings from the environment, read through django-environ.

`environ.FileAwareEnv` reads NAME_FILE (Docker/Kubernetes secrets) in place of NAME, so secrets
stay out of the process list. On top of it, one rule in the healthchecks manner: a value that
cannot be read is a configuration error naming the variable (ImproperlyConfigured, which
manage.py prints as one line), never a silent default — `DEBUG=banana` is refused, not False.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

# The usual spellings of a boolean, any case. django-environ alone reads anything else as False.
TRUE_SPELLINGS = frozenset({"1", "true", "yes", "on"})
FALSE_SPELLINGS = frozenset({"0", "false", "no", "off"})


class Env(environ.FileAwareEnv):
    """FileAwareEnv whose booleans and numbers are strict and whose errors name the variable."""

    def get_value(self, var, cast=None, default=environ.Env.NOTSET, parse_default=False):
        try:
            if default is not self.NOTSET and self.ENVIRON.get(var) == "":
                return default  # an empty value (`DEBUG=`) means "not set"
            return super().get_value(var, cast=cast, default=default, parse_default=parse_default)
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(f"{var} {exc}") from None
        except OSError as exc:  # NAME_FILE names a file we cannot read
            raise ImproperlyConfigured(f"{var}_FILE: cannot read {exc.filename}: {exc.strerror}") from None

    @classmethod
    def parse_value(cls, value, cast):
        if isinstance(value, str):
            # A secret file usually ends with a newline; no setting of ours has significant spaces.
            value = value.strip()
            if cast is bool:
                if value.lower() in TRUE_SPELLINGS:
                    return True
                if value.lower() in FALSE_SPELLINGS:
                    return False
                raise ValueError(f"must be one of 1/0, true/false, yes/no, on/off (got {value!r})")
            if cast is int:
                try:
                    return int(value)
                except ValueError:
                    raise ValueError(f"must be a whole number (got {value!r})") from None
            if cast is float:
                try:
                    return float(value)
                except ValueError:
                    raise ValueError(f"must be a number (got {value!r})") from None
            if cast is list:  # `a.example.com, b.example.com` — spaces after commas are usual
                return [item.strip() for item in value.split(",") if item.strip()]
        return super().parse_value(value, cast)


env = Env()
_dotenv = BASE_DIR / ".env"
if _dotenv.exists():
    Env.read_env(str(_dotenv))


def settings_or_exit() -> None:
    """Read Django's settings now and turn a misconfiguration into one line naming the variable and
    exit status 1 — for the entry points that would otherwise print a traceback from deep inside
    their start-up (gunicorn's WSGI import, the celery command); manage.py does the same."""
    import sys

    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018  (evaluating the settings is the point)
    except ImproperlyConfigured as exc:
        sys.exit(f"Configuration error: {exc}")
