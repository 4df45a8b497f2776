"""``manage.py check --deploy`` in a production environment (issue 13, item 8): HSTS and the redirect to HTTPS have
settings of their own, and with them set Django's deployment checks have nothing left to say about either."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _check_deploy(tmp_path, **extra: str) -> str:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PEIKAO_SECURE", "DJANGO_", "SECURE", "SESSION_COOKIE"))  # the browser tests set
    }  # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses
    env.update(
        DJANGO_SETTINGS_MODULE="peikao.settings",
        PEIKAO_VAR_DIR=str(tmp_path),
        SECRET_KEY="x" * 20 + "a-long-random-key-for-the-deployment-check-0123456789",
        DEBUG="false",
        SESSION_COOKIE_SECURE="true",
        **extra,
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    return done.stdout + done.stderr


def test_hsts_and_the_https_redirect_are_settings_that_satisfy_check_deploy(tmp_path):
    default = _check_deploy(tmp_path)
    assert "security.W004" in default and "security.W008" in default  # off by default: `make run` serves plain HTTP
    production = _check_deploy(
        tmp_path,
        PEIKAO_SECURE_HSTS_SECONDS="31536000",
        PEIKAO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        PEIKAO_SECURE_HSTS_PRELOAD="true",  # W021 otherwise: a step of its own (the browsers' preload list)
        PEIKAO_SECURE_SSL_REDIRECT="true",
        PEIKAO_SECURE_PROXY_SSL_HEADER="true",
    )
    assert "security.W004" not in production and "security.W008" not in production, production
    assert "security.W005" not in production  # subdomains included
    assert "System check identified no issues" in production  # the README's production settings pass whole


def test_the_settings_read_the_environment(tmp_path):
    env = {
        **os.environ,
        "PEIKAO_VAR_DIR": str(tmp_path),
        "PEIKAO_SECURE_HSTS_SECONDS": "600",
        "PEIKAO_SECURE_HSTS_PRELOAD": "yes",
        "PEIKAO_SECURE_SSL_REDIRECT": "1",
        "PEIKAO_SECURE_PROXY_SSL_HEADER": "true",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_PROXY_SSL_HEADER)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "peikao.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["600", "True", "False", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')"]
