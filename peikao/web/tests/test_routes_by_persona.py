"""Every URL route of the UI and the API, for every persona, against own and foreign objects.

A route with a parameter that names an object must have an entry in OBJECT_PARAMS (or NEUTRAL_PARAMS
for parameters that name no user data): a new route that forgets its scoping fails here, either
because its parameter is unknown or because a foreign object is not a 404. Lists must not show
anything of a foreign jurisdiction; a denied write changes nothing.
"""

from __future__ import annotations

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from peikao.core.exchange.runner import run_import
from peikao.core.models import Region
from peikao.core.services import api_token_create
from peikao.testing.factories import UserFactory
from peikao.testing.http import read_download
from peikao.testing.worlds import PERSONAS

pytestmark = pytest.mark.django_db

# Parameters that do not name user data: their value is the same for every persona.
NEUTRAL_PARAMS = {
    "kind": "organizations",
    "action": "file",  # a transition name
    "position": 0,  # a question of the candidate's own paper (the exam token decides whose)
    "code": "350102",  # a region: public reference data
    "size": "a4",  # a paper size
    "decision": "confirm",  # a person link's decision (confirm or reject)
    "token": "eyJhbGciOiJFZERTQSJ9.e30.c2ln",  # a QR token: public verification, no user data in the URL
    "institution_code": "NO-SUCH-ORG",  # an institution's public commitment page (public by design)
}


def _assignment(objects):
    person = objects["person"]
    return person.assignments.order_by("pk").first().pk


def _import_run(objects):
    return objects["import_run"].pk


def _token(objects):
    return objects["token"].pk


# Parameter name → how to get its value from a persona's own or foreign objects.
OBJECT_PARAMS = {
    "org_code": lambda objects: objects["organization"].org_code,
    "person_id": lambda objects: objects["person"].pk,
    "assignment_id": _assignment,
    "run_id": _import_run,
    "token_id": _token,
    "user_id": lambda objects: objects["account"].pk,
    "class_code": lambda objects: objects["training_class"].class_code,
    "sitting_code": lambda objects: objects["sitting"].sitting_code,
    "finding_id": lambda objects: objects["finding"].pk,
    "certificate_id": lambda objects: objects["certificate"].pk,
    "lead_id": lambda objects: objects["lead"].pk,
    "result_id": lambda objects: objects["result"].pk,
    "plan_id": lambda objects: objects["plan"].pk,
    "inspection_code": lambda objects: objects["inspection"].code,
    "sha256": lambda objects: objects["evidence"].sha256,
    "decision_code": lambda objects: objects["decision"].code,
    "rect_id": lambda objects: objects["rectification"].pk,
    "link_id": lambda objects: objects["link"].pk,
    "alert_id": lambda objects: objects["alert"].pk,
    "case_id": lambda objects: objects["injury_case"].pk,
    "proposal_id": lambda objects: objects["proposal"].pk,
    "commitment_id": lambda objects: objects["commitment"].pk,
    "device_code": lambda objects: objects["device"].device_code,
}

DENIED = {401, 403, 404, 405}
MISSING = {
    "org_code": "NO-SUCH-ORG",
    "person_id": 999999999,
    "link_id": 999999999,
    "assignment_id": 999999999,
    "run_id": 999999999,
    "token_id": 999999999,
    "user_id": 999999999,
    "class_code": "NO-SUCH-CLASS",
    "sitting_code": "NO-SUCH-SITTING",
    "finding_id": 999999999,
    "certificate_id": 999999999,
    "lead_id": 999999999,
    "result_id": 999999999,
    "plan_id": 999999999,
    "inspection_code": "NO-SUCH-INSPECTION",
    "sha256": "0" * 64,
    "decision_code": "NO-SUCH-DECISION",
    "rect_id": 999999999,
    "alert_id": 999999999,
    "case_id": 999999999,
    "proposal_id": 999999999,
    "commitment_id": 999999999,
    "device_code": "NO-SUCH-DEVICE",
}
WRITE_FORM = {
    "status": "suspended",
    "reason": "probe",
    "name": "PROBE-NAME",
    "end_date": "2026-01-02",
    "address": "PROBE-ADDRESS",
    "kind": "enterprise",
    "id_number": "11010519491231002X",
    "role": "employee",
    "start_date": "2026-01-01",
}
WRITE_JSON = {"name": "PROBE-NAME", "status": "suspended", "reason": "probe", "end_date": "2026-01-02"}


def iter_routes(patterns=None, prefix=""):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            yield from iter_routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def route_params(route: str) -> list[str]:
    return [match.group("name") for match in PARAM.finditer(route)]


def build_url(route: str, values: dict) -> str:
    url = PARAM.sub(lambda match: str(values[match.group("name")]), route)
    return "/" + url.lstrip("^").rstrip("$")


def all_routes() -> list[str]:
    return sorted({route for route, _pattern in iter_routes()})


def db_fingerprint() -> int:
    """How many rows have been written so far (inserted, updated or deleted), in any table but the sessions
    and the import runs (which log attempts): a denied request must not move it. One cheap query."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
                " WHERE relname NOT IN ('django_session', 'core_importrun')"
            )
            return int(cursor.fetchone()[0])
    connection.ensure_connection()
    return connection.connection.total_changes


@pytest.fixture
def scene(world):
    """Each persona's own objects and its foreign objects, with import runs and tokens of their own."""
    from peikao.core.models import User

    other = User.objects.create(username="someone-else", role="analyst", region_id="360000")
    foreign_run = run_import(kind_name="organizations", source=_empty_org_file(), filename="x.csv", user=None)
    foreign_token, _raw = api_token_create(user=other, name="other")
    own, foreign, clients_tokens = {}, {}, {}
    for persona in PERSONAS:
        user = world.users[persona]
        token, raw = api_token_create(user=user, name="probe")
        clients_tokens[persona] = raw
        run = run_import(kind_name="organizations", source=_empty_org_file(), filename="mine.csv", user=None)
        run.run.user = user
        run.run.save()
        own[persona] = {**world.own[persona], "import_run": run.run, "token": token, "account": user}
        if world.foreign[persona] is not None:
            foreign[persona] = {
                **world.foreign[persona],
                "import_run": foreign_run.run,
                "token": foreign_token,
                "account": other,
            }
    return {"own": own, "foreign": foreign, "tokens": clients_tokens, "world": world}


def _empty_org_file():
    import io

    return io.BytesIO(b"org_code,kind,name,region_code\n")


def test_every_route_parameter_is_known():
    unknown = {
        (route, name)
        for route in all_routes()
        for name in route_params(route)
        if name not in OBJECT_PARAMS and name not in NEUTRAL_PARAMS
    }
    assert not unknown, f"routes with parameters that no scoping check knows: {sorted(unknown)}"


def _request(client, method: str, url: str, token: str | None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token and url.startswith("/api/") else {}
    if method == "get":
        return client.get(url, **headers)
    if url.startswith("/api/"):
        return getattr(client, method)(url, data=json.dumps(WRITE_JSON), content_type="application/json", **headers)
    return getattr(client, method)(url, data=WRITE_FORM, **headers)


def _secrets(objects: dict) -> list[str]:
    """Strings that must not appear in a page or response when ``objects`` are foreign."""
    org = objects.get("organization")
    person = objects["person"]
    secrets = [person.name, person.masked_id_number, person.id_number]
    if org is not None:
        secrets += [org.org_code, org.name]
    if objects.get("training_class") is not None:
        secrets.append(objects["training_class"].class_code)
    if objects.get("sitting") is not None:
        secrets += [objects["sitting"].sitting_code, objects["finding"].observation]
    if objects.get("lead") is not None:
        secrets += [objects["lead"].cert_no, objects["lead"].name]
    if objects.get("inspection") is not None:
        secrets += [objects["inspection"].code, objects["decision"].code, objects["plan"].name]
    return secrets


@pytest.mark.parametrize("persona", PERSONAS)
def test_foreign_objects_are_404_and_denied_writes_change_nothing(client, scene, persona):
    user = scene["world"].users[persona]
    client.force_login(user)
    token = scene["tokens"][persona]
    own, foreign = scene["own"][persona], scene["foreign"].get(persona)
    failures = []
    for route in all_routes():
        params = route_params(route)
        object_params = [name for name in params if name in OBJECT_PARAMS]
        values_own = {
            **NEUTRAL_PARAMS,
            **{name: OBJECT_PARAMS[name](own) for name in object_params if own.get(_needs(name)) is not None},
        }
        if all(name in values_own for name in params):
            url = build_url(route, values_own)
            response = _request(client, "get", url, token)
            if response.status_code >= 500:
                failures.append(f"GET {url} (own) → {response.status_code}")
            elif foreign is not None and response.status_code == 200 and not response.get("Content-Disposition"):
                body = response.content.decode("utf-8", "replace")
                leaked = [s for s in _secrets(foreign) if s and s in body]
                if leaked:
                    failures.append(f"GET {url} (own) shows foreign data {leaked}")
        if foreign is None or not object_params:
            continue
        values_foreign = {
            **NEUTRAL_PARAMS,
            **{name: OBJECT_PARAMS[name](foreign) for name in object_params if foreign.get(_needs(name)) is not None},
        }
        if not all(name in values_foreign for name in params):
            continue
        url = build_url(route, values_foreign)
        for method in ("get", "post", "patch", "put", "delete"):
            before = db_fingerprint()
            response = _request(client, method, url, token)
            after = db_fingerprint()
            if response.status_code not in (404, 405):
                # Bad request bodies may be refused before the lookup (422): allowed only when a missing
                # object gets exactly the same answer, so that nothing tells a foreign object apart.
                missing = build_url(route, {**values_foreign, **{name: MISSING[name] for name in object_params}})
                control = _request(client, method, missing, token)
                if response.status_code < 400 or control.status_code != response.status_code:
                    failures.append(f"{method.upper()} {url} (foreign) → {response.status_code}, expected 404")
            if before != after:
                failures.append(f"{method.upper()} {url} (foreign) changed the database")
        client.force_login(user)  # a POST to logout-like routes must not end the probe
    assert not failures, "\n".join(failures)


def _needs(param: str) -> str:
    return {
        "org_code": "organization",
        "person_id": "person",
        "assignment_id": "person",
        "run_id": "import_run",
        "token_id": "token",
        "user_id": "account",
        "class_code": "training_class",
        "sitting_code": "sitting",
        "finding_id": "finding",
        "certificate_id": "certificate",
        "lead_id": "lead",
        "result_id": "result",
        "plan_id": "plan",
        "inspection_code": "inspection",
        "sha256": "evidence",
        "decision_code": "decision",
        "rect_id": "rectification",
        "link_id": "link",
        "alert_id": "alert",
        "case_id": "injury_case",
        "proposal_id": "proposal",
        "commitment_id": "commitment",
        "device_code": "device",
    }[param]


SEES_EVERYTHING = {"system_admin", "ministry_admin"}  # nothing is foreign to them (the world has no foreign objects)


@pytest.mark.parametrize("persona", [persona for persona in PERSONAS if persona not in SEES_EVERYTHING])
def test_lists_and_exports_show_nothing_foreign(client, scene, persona):
    foreign = scene["foreign"][persona]  # a KeyError if the world stops giving this persona foreign objects
    client.force_login(scene["world"].users[persona])
    token = scene["tokens"][persona]
    failures = []
    for route in all_routes():
        params = route_params(route)
        if any(name in OBJECT_PARAMS for name in params):
            continue
        url = build_url(route, NEUTRAL_PARAMS)
        if "logout" in url:
            continue
        searched = foreign["person"].name
        for query in ("", "?q=" + searched, "?format=csv&kind=persons&headers=en"):
            response = _request(client, "get", url + query, token)
            if response.status_code >= 500:
                failures.append(f"GET {url}{query} → {response.status_code}")
                continue
            body = read_download(response) if response.streaming else response.content
            text = body.decode("utf-8-sig", "replace")
            if "?q=" in query:
                text = text.replace(searched, "")  # the search box shows what was searched
            leaked = [s for s in _secrets(foreign) if s and s in text]
            if leaked:
                failures.append(f"GET {url}{query} shows foreign data {leaked}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("persona", PERSONAS)
def test_denied_writes_without_parameters_change_nothing(client, scene, persona):
    client.force_login(scene["world"].users[persona])
    token = scene["tokens"][persona]
    failures = []
    for route in all_routes():
        if route_params(route) and any(name in OBJECT_PARAMS for name in route_params(route)):
            continue
        url = build_url(route, NEUTRAL_PARAMS)
        if "logout" in url:
            continue
        before = db_fingerprint()
        response = _request(client, "post", url, token)
        after = db_fingerprint()
        if response.status_code >= 500:
            failures.append(f"POST {url} → {response.status_code}")
        elif response.status_code in DENIED and before != after:
            failures.append(f"POST {url} was denied ({response.status_code}) but changed the database")
    assert not failures, "\n".join(failures)


# The public side (certificate verification): no login, nothing of the platform behind it.
PUBLIC_PAGES = {"/verify/", "/verify/report/", "/v/" + NEUTRAL_PARAMS["token"], "/cases/", "/exits/"}
PUBLIC_DOCUMENTS = {"/.well-known/jwks.json", "/status/certificates", "/status/certificates.jwt"}
PUBLIC_API = {"/api/public/verify", "/api/public/verify/token"}
# Public pages about one object: the test's made-up value names none, so "not found" is the right answer.
PUBLIC_OBJECT_PAGES = {"/cases/1/", "/spot/" + NEUTRAL_PARAMS["token"] + "/", "/commitments/NO-SUCH-ORG/"}


def test_anonymous_requests_get_login_or_401(client):
    failures = []
    for route in all_routes():
        url = build_url(route, {**NEUTRAL_PARAMS, **dict.fromkeys(OBJECT_PARAMS, "1")})
        response = client.get(url)
        if url in PUBLIC_PAGES or url in PUBLIC_DOCUMENTS:
            if response.status_code != 200:
                failures.append(f"GET {url} (public) → {response.status_code}")
            continue
        if url in PUBLIC_OBJECT_PAGES:
            if response.status_code != 404:
                failures.append(f"GET {url} (public, nothing there) → {response.status_code}, expected 404")
            continue
        if url in PUBLIC_API:
            if response.status_code != 405:  # POST only
                failures.append(f"GET {url} (public API) → {response.status_code}, expected 405")
            continue
        if url.startswith("/api/"):
            public = url in {"/api/docs", "/api/openapi.json"} and response.status_code == 200
            if response.status_code not in (401, 404, 405) and not public:
                failures.append(f"GET {url} → {response.status_code}, expected 401")
        elif url.startswith("/login") or url == "/exam/login/":
            continue  # the login pages of staff and of candidates are public
        elif response.status_code not in (302, 405) or (
            response.status_code == 302 and "/login/" not in response["Location"]
        ):
            failures.append(f"GET {url} → {response.status_code}, expected a redirect to the login")
    assert not failures, "\n".join(failures)


# -- every link on every page opens for its viewer ------------------------------------------------------------------

HREF = re.compile(r"<a\b[^>]*?\bhref=\"([^\"#]*)[^\"]*\"", re.IGNORECASE)
NOT_FOLLOWED = ("/static/", "/media/", "/logout/", "/exam/logout/", "mailto:", "tel:", "javascript:")
MAX_PAGES = 600  # per persona: the world is small, every page of it is reached well before


def _links(body: str, base: str) -> set[str]:
    """The links of a page to pages of the platform, as paths with their query (absolute or relative)."""
    from html import unescape
    from urllib.parse import urljoin, urlsplit

    found = set()
    for raw in HREF.findall(body):
        href = unescape(raw).strip()
        if not href or href.startswith(NOT_FOLLOWED) or "://" in href and "//testserver" not in href:
            continue
        parts = urlsplit(urljoin("http://testserver" + base, href))
        if parts.path.startswith(NOT_FOLLOWED):
            continue
        found.add(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


# Roles of the demo that the world has no persona for: they start from the pages without parameters.
EXTRA_PERSONAS = {
    "ep_admin": lambda world: {"role": "org_admin", "organization": world.orgs["ep_a"]},
    "ei_admin": lambda world: {"role": "org_admin", "organization": world.orgs["ei_a"]},
    "city_admin": lambda world: {"role": "regulator_admin", "region": Region.objects.get(code="350100")},
}


@pytest.mark.parametrize("persona", [*PERSONAS, *EXTRA_PERSONAS])
def test_every_link_on_every_page_opens_for_its_viewer(client, scene, persona):
    """From every page the route walk renders for a persona (its own objects), follow every link, and every link
    of the pages they open, and so on: none answers 401, 403, 404 or 500. A role sees only what it may open."""
    if persona in EXTRA_PERSONAS:
        user = UserFactory(username=persona, **EXTRA_PERSONAS[persona](scene["world"]))
        own: dict = {}
    else:
        user, own = scene["world"].users[persona], scene["own"][persona]
    client.force_login(user)
    seeds = ["/"]
    for route in all_routes():
        params = route_params(route)
        values = {
            **NEUTRAL_PARAMS,
            **{name: OBJECT_PARAMS[name](own) for name in params if name in OBJECT_PARAMS and own.get(_needs(name))},
        }
        if all(name in values for name in params) and not route.startswith("api/"):
            seeds.append(build_url(route, values))
    rendered = set()  # pages whose links are followed: those the route walk itself opens
    for url in seeds:
        response = client.get(url)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            rendered.add(url)
    queue, seen, failures = sorted(rendered), set(rendered), []
    while queue and len(seen) < MAX_PAGES:
        page = queue.pop(0)
        response = client.get(page)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        for link in sorted(_links(response.content.decode("utf-8", "replace"), page) - seen):
            seen.add(link)
            answer = client.get(link, follow=True)
            if answer.status_code in (401, 403, 404) or answer.status_code >= 500:
                failures.append(f"{page} → {link}: {answer.status_code}")
            elif answer.status_code == 200 and answer.get("Content-Type", "").startswith("text/html"):
                queue.append(link)
        client.force_login(user)  # a link must not end the session (none is followed that logs out)
    assert len(seen) < MAX_PAGES, "the walk did not end: raise MAX_PAGES or look for a link that never repeats"
    assert not failures, f"{persona} is shown links it cannot open:\n" + "\n".join(failures)
