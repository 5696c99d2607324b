#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A misconfiguration (a bad or missing environment variable) is one line naming it, not a
        # traceback wall; config/env.py words these errors.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()
