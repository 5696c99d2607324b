from django.core.management.base import BaseCommand

from crm.services import store_add


class Command(BaseCommand):
    help = "Create a store and its six departments (idempotent): add_store CODE NAME"

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("name")

    def handle(self, *args, code: str, name: str, **options):
        store, created = store_add(code=code.strip().upper(), name=name.strip())
        verb = "created" if created else "exists"
        self.stdout.write(f"{verb} store {store.code} {store.name}")
