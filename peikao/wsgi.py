"""WSGI entry point of the platform (gunicorn peikao.wsgi, README)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peikao.settings")
application = get_wsgi_application()

from peikao.core.wsgi import settle  # noqa: E402 (needs the settings above)

settle()
