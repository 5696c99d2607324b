"""The demo data of `make run` (`python manage.py seed_demo`), in one place: every app's demo step
lives here (demo.steps lists them in order). Product code never imports this package."""
