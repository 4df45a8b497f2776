"""Show or rotate the certificate signing keys (older certificates keep verifying after a rotation)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from peikao.certificates import publishing
from peikao.core.audit import audit_context


class Command(BaseCommand):
    help = "List the signing keys in the JWKS, or --rotate: a new key signs from now on; the old one stays published."

    def add_arguments(self, parser):
        parser.add_argument("--rotate", action="store_true")

    def handle(self, *args, **options):
        ring = publishing.keyring()
        if options["rotate"]:
            with audit_context(label="command:signing_keys"):
                entry = ring.rotate()
            publishing.reset_keyring()
            self.stdout.write(f"rotated: {entry.kid} signs from now on")
            ring = publishing.keyring()
        for entry in ring.entries:
            role = "signs" if entry.kid == ring.signing_kid else "verify only"
            self.stdout.write(f"{entry.kid}  {role}")
