"""manage.py create_token USERNAME NAME: create an API token and print it once."""

from django.core.management.base import BaseCommand, CommandError

from peikao.core.audit import audit_context
from peikao.core.models import User
from peikao.core.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token for a user and print it (it is stored only as a hash)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", nargs="?", default="command line")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}")
        with audit_context(label="command:create_token"):
            _token, raw = api_token_create(user=user, name=name)
        self.stdout.write(raw)
