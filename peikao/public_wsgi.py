"""WSGI entry point of the public verification service: ``granian --interface wsgi peikao.public_wsgi:application``
(README, docs/adr/0007; see settings_public)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings_public")
application = get_wsgi_application()

from peikao.core.wsgi import settle  # noqa: E402 (needs the settings above)

settle()
