"""Settings of the public verification service (Granian serving peikao.public_wsgi, docs/adr/0007).

The same installation, database and keys as the platform, with only the public routes (peikao.public_urls)
and only the middleware they need: no sessions, no logins, nothing else of the platform behind it. It is
what takes the load of the public (QR scans, employers' checks); the platform itself keeps serving the
same public pages too, for the embedded setup of ``make run``.
"""

from peikao.settings import *  # noqa: F403
from peikao.settings import MIDDLEWARE

ROOT_URLCONF = "peikao.public_urls"
MIDDLEWARE = [
    name
    for name in MIDDLEWARE
    if name
    not in {
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "peikao.core.middleware.DomainErrorMiddleware",
        "axes.middleware.AxesMiddleware",  # no logins here
        # Each public view states its own CSRF stance (the forms @csrf_protect, the JSON API @csrf_exempt, the
        # rest GET only; a test walks the routes), so the middleware need not run on every request.
        "django.middleware.csrf.CsrfViewMiddleware",
    }
]

# The public service runs the same few queries all day: let PostgreSQL prepare them (server-side binding, so
# that psycopg prepares a statement after its fifth run) instead of planning each lookup again.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)  # noqa: F405
