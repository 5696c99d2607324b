from django.core.management.base import BaseCommand, CommandError

from api.models import ApiClient
from api.services import api_client_revoke


class Command(BaseCommand):
    help = "Revoke an API client by name: its token is refused from now on."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name: str, **options):
        client = ApiClient.objects.filter(name=name).first()
        if client is None:
            raise CommandError(f"unknown api client: {name}")
        revoked = api_client_revoke(client=client)
        self.stdout.write(f"{'revoked' if revoked else 'already revoked'} api client {client.name}")
