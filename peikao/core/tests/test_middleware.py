"""Request ids: accepted when sane, otherwise made here, unique, and new in each forked worker."""

from __future__ import annotations

import os

import pytest

from peikao.core.middleware import RequestIds


@pytest.mark.django_db
def test_each_response_carries_its_request_id(client):
    first, second = client.get("/verify/"), client.get("/verify/")
    made = {first["X-Request-ID"], second["X-Request-ID"]}
    assert len(made) == 2 and all(len(value) == 32 and int(value, 16) >= 0 for value in made)
    assert client.get("/verify/", HTTP_X_REQUEST_ID="proxy-42.a")["X-Request-ID"] == "proxy-42.a"
    assert client.get("/verify/", HTTP_X_REQUEST_ID="bad id; drop")["X-Request-ID"] != "bad id; drop"


def test_request_ids_are_unique_and_differ_between_processes():
    ids = RequestIds()
    drawn = [ids.next() for _ in range(10_000)]
    assert len(set(drawn)) == 10_000
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a worker: the fork handler drew a new prefix for the module's generator
        from peikao.core.middleware import request_ids

        os.write(write, request_ids.next().encode())
        os._exit(0)
    os.waitpid(pid, 0)
    from peikao.core.middleware import request_ids

    child = os.read(read, 64).decode()
    assert child[:16] != request_ids.next()[:16]


def test_a_refused_ui_action_is_a_page_in_chinese_only(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.utils.translation import gettext_lazy as _

    from peikao.core.errors import Conflict
    from peikao.core.middleware import DomainErrorMiddleware

    request = rf.post("/registry/organizations/X/")
    request.user = AnonymousUser()
    error = Conflict("class_not_editable", _("Only a draft or returned class can be changed."))
    response = DomainErrorMiddleware(lambda r: None).process_exception(request, error)
    page = response.content.decode()
    assert response.status_code == 409 and error.zh in page
    assert error.en not in page and error.en != error.zh
