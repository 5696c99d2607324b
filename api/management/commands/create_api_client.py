from django.core.management.base import BaseCommand, CommandError

from api.choices import Scope
from api.services import api_client_create
from crm.models import Store


class Command(BaseCommand):
    help = (
        "Create an API client and print its token once (only its hash is kept): "
        "create_api_client NAME --store CODE [--store CODE …] --scope dms:push [--scope lookup …]"
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--store", action="append", required=True, dest="stores", help="store code (repeat)")
        parser.add_argument("--scope", action="append", required=True, dest="scopes", choices=Scope.values)

    def handle(self, *args, name: str, stores: list[str], scopes: list[str], **options):
        codes = {c.strip().upper() for c in stores}
        found = list(Store.objects.filter(code__in=codes))
        missing = codes - {s.code for s in found}
        if missing:
            raise CommandError(f"unknown store: {', '.join(sorted(missing))}")
        try:
            issued = api_client_create(name=name.strip(), stores=found, scopes=scopes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"created api client {issued.client.name} (id {issued.client.pk})")
        self.stdout.write(f"token: {issued.token}")
        self.stdout.write("The token is shown once; store it in the integration's settings now.")
