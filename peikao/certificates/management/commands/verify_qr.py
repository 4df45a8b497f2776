"""Verify a certificate QR code the way an outside verifier would: a token, a /v/ URL or a PNG image."""

from __future__ import annotations

import json
import shutil
import subprocess
import urllib.request
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peikao.certificates import publishing, signing, status_list


def _load_json(source: str) -> dict:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as response:
            return json.loads(response.read())
    return json.loads(Path(source).read_text(encoding="utf-8"))


def _load_text(source: str) -> str:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=10) as response:
            return response.read().decode("ascii").strip()
    return Path(source).read_text(encoding="ascii").strip()


def decode_png(path: Path) -> str:
    """The text of the QR code in an image, read by zbar (zbarimg from zbar-tools)."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        raise CommandError("zbarimg is not installed (apt-get install zbar-tools)")
    completed = subprocess.run([zbarimg, "--raw", "-q", str(path)], capture_output=True, text=True, check=False)
    if completed.returncode != 0 or not completed.stdout.strip():
        raise CommandError(f"no QR code found in {path}")
    return completed.stdout.strip().splitlines()[0]


class Command(BaseCommand):
    help = (
        "Verify a certificate token (or /v/ URL, or a PNG of the QR code) with the JWKS, and its status in the "
        "status list. Offline with --jwks FILE and --status FILE; otherwise with this installation's keys and list."
    )

    def add_arguments(self, parser):
        parser.add_argument("token_or_png", metavar="TOKEN_OR_PNG")
        parser.add_argument("--jwks", help="JWKS file or URL (default: this installation's public keys)")
        parser.add_argument("--status", help="signed status list (.jwt) file or URL (default: this installation's)")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, **options):
        text = options["token_or_png"]
        path = Path(text)
        if len(text) < 400 and path.suffix.lower() in {".png", ".jpg", ".jpeg"} and path.exists():
            text = decode_png(path)
        token = signing.token_from_url(text)
        jwks = _load_json(options["jwks"]) if options.get("jwks") else publishing.jwks()
        try:
            claims = signing.verify_token(token, jwks)
        except signing.InvalidToken as error:
            self._report({"outcome": "signature_invalid", "reason": str(error)}, options)
            raise CommandError(f"signature invalid: {error}") from None
        if options.get("status"):
            credential = status_list.verify_status_list(_load_text(options["status"]), jwks)
        else:
            credential = publishing.published_status_list().credential
        outcome = status_list.certificate_status(claims, credential)
        self._report({"outcome": str(outcome), "claims": claims}, options)
        if outcome != status_list.CertificateStatus.VALID:
            raise CommandError(f"certificate is {outcome}")

    def _report(self, result: dict, options) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"outcome: {result['outcome']}")
        for key, value in (result.get("claims") or {}).items():
            self.stdout.write(f"  {key}: {value}")
        if "reason" in result:
            self.stdout.write(f"  reason: {result['reason']}")
