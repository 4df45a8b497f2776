"""manage.py demo_logins: print the demo accounts and their password."""

from django.core.management.base import BaseCommand

from peikao.core.choices import Role
from peikao.core.i18n import both
from peikao.core.models import User
from peikao.demo.steps import DEMO_PASSWORD

DEMO_USERNAMES = [
    "ministry",
    "fj-admin",
    "fj-analyst",
    "fz-inspector",
    "gl-inspector",
    "xm-inspector",
    "ti-admin",
    "ti-clerk",
    "ep-admin",
    "ent-admin",
    "candidate",
]


class Command(BaseCommand):
    help = "Print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/", help="Where the demo is served.")

    def handle(self, *args, **options):
        users = {
            user.username: user
            for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("region", "link__organization")
        }
        if not users:
            self.stdout.write("No demo accounts: run manage.py demo")
            return
        self.stdout.write("")
        self.stdout.write(f"Peikao demo — open {options['url']} and log in as one of:")
        self.stdout.write(f"  {'用户名 user name':<18} {'角色 role':<36} 所在 where")
        for name in DEMO_USERNAMES:
            user = users.get(name)
            if user is None:
                continue
            where = (
                user.region.full_name
                if user.region_id
                else user.organization.name
                if user.organization_id
                else str(user)
            )
            zh, en = both(Role(user.role).label)
            self.stdout.write(f"  {name:<18} {zh + ' ' + en:<36} {where}")
        self.stdout.write(
            "  各县区另有执法员 and two inspectors in every county with organisations: <区划代码 code>-inspector-1, -2"
            "（鼓楼区 350102: gl-inspector, 350102-inspector-2）"
        )
        self.stdout.write(f"  密码（全部账号）password for all: {DEMO_PASSWORD}")
        self.stdout.write("")
        self.stdout.write("A theory exam is open for the demo candidate: log in as `candidate`, open 我的档案 for the")
        self.stdout.write(
            "admission ticket (ID number shown on request, admission code), then take it at /exam/login/."
        )
        self.stdout.write("")
