"""Batch printing for issuing offices: one PDF per certificate, named by its number."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from peikao.certificates import pdf
from peikao.certificates.choices import CertificateStatus
from peikao.certificates.models import Certificate
from peikao.core.audit import audit_context


class Command(BaseCommand):
    help = "Write one PDF per certificate (A4 or card) into --out, named by certificate number."

    def add_arguments(self, parser):
        parser.add_argument("cert_nos", nargs="*", metavar="CERT_NO", help="certificate numbers (default: all live)")
        parser.add_argument("--out", required=True, help="directory for the PDFs (created if missing)")
        parser.add_argument("--size", choices=sorted(pdf.FORMATS), default="a4")
        parser.add_argument("--region", help="only certificates issued in this region (code prefix)")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        queryset = Certificate.objects.select_related("person", "operation_item__category", "industry", "issuer_region")
        numbers = [number.strip().upper() for number in options["cert_nos"]]
        if numbers:
            queryset = queryset.filter(cert_no__in=numbers)
            missing = set(numbers) - set(queryset.values_list("cert_no", flat=True))
            if missing:
                raise CommandError(f"unknown certificate numbers: {', '.join(sorted(m[:5] + '…' for m in missing))}")
        else:
            queryset = queryset.filter(status__in=[CertificateStatus.VALID, CertificateStatus.SUSPENDED])
        if options.get("region"):
            queryset = queryset.filter(issuer_region__code__startswith=options["region"].rstrip("0"))
        count = 0
        with audit_context(label="command:print_certificates"):
            for certificate in queryset.order_by("cert_no", "operation_item__code").iterator(chunk_size=500):
                path = out / pdf.file_name(certificate, options["size"])
                path.write_bytes(pdf.render(certificate, size=options["size"]))
                count += 1
        self.stdout.write(f"{count} PDF files written to {out}")
