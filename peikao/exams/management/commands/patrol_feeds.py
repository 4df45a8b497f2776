"""manage.py patrol_feeds list|register|revoke: the video-analytics feeds that report to the remote patrol.

A feed's key is printed once when it is registered (only its hash is kept); a leaked or retired key is revoked and
stops working at once. The command acts as a regulator (``--as USERNAME``) and is in the change log under it."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from peikao.core.audit import audit_context
from peikao.core.errors import DomainError
from peikao.core.models import Region, User
from peikao.exams import services
from peikao.exams.models import PatrolFeed


class Command(BaseCommand):
    help = "List, register or revoke the video-analytics feeds of the remote patrol."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "register", "revoke"])
        parser.add_argument("--as", dest="username", help="the regulator acting (register, revoke)")
        parser.add_argument("--region", help="region code of a new feed")
        parser.add_argument("--name", help="name of a new feed")
        parser.add_argument("--key-prefix", help="the first characters of the key to revoke (as `list` shows)")

    def handle(self, *args, action, username, region, name, key_prefix, **options):
        if action == "list":
            for feed in PatrolFeed.objects.select_related("region").order_by("pk"):
                state = "active 有效" if feed.is_active else "revoked 已撤销"
                self.stdout.write(f"{feed.key_prefix}…\t{feed.region.code} {feed.region.name}\t{feed.name}\t{state}")
            return
        user = User.objects.filter(username=username or "", is_active=True).first()
        if user is None:
            raise CommandError(f"需以在职的监管用户操作（--as）/ An active user is needed (--as): {username!r}")
        try:
            with audit_context(label=f"command:patrol_feeds {action}"):
                if action == "register":
                    place = Region.objects.filter(code=region or "").first()
                    if place is None or not name:
                        raise CommandError("需指定 --region 与 --name / --region and --name are needed")
                    feed, raw = services.feed_register(actor=user, name=name, region=place)
                    self.stdout.write(raw)
                else:
                    feed = PatrolFeed.objects.filter(key_prefix=key_prefix or "").first()
                    if feed is None:
                        raise CommandError(f"没有该密钥前缀的接入 / No feed with key prefix {key_prefix!r}")
                    services.feed_deactivate(actor=user, feed=feed)
                    self.stdout.write(f"{feed.key_prefix}… revoked 已撤销")
        except DomainError as error:
            raise CommandError(f"{error.zh} / {error.en}") from error
