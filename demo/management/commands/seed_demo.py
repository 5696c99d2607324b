import random

from django.core.management.base import BaseCommand
from django.db import transaction

from demo.context import DemoContext
from demo.steps import demo_steps

# A fixed seed: the same demo data on every machine and every run (the steps are idempotent).
DEMO_SEED = 20261124


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent) and print one demo login per role."

    def handle(self, *args, **options):
        ctx = DemoContext(rng=random.Random(DEMO_SEED), stdout=self.stdout)
        for step in demo_steps():
            # Each step draws from its own generator, so adding a step never changes another's data.
            ctx.rng = random.Random(f"{DEMO_SEED}:{step.name}")
            with transaction.atomic():
                step.run(ctx)
        self.stdout.write("")
        self.stdout.write("Demo logins (username / password / role):")
        for label, username, password in ctx.data.get("logins", []):
            self.stdout.write(f"  {username:<14} {password:<12} {label}")
