"""WSGI entry point (gunicorn peikao.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
application = get_wsgi_application()

from peikao.core.wsgi import settle  # noqa: E402 (needs the settings above)

settle()
