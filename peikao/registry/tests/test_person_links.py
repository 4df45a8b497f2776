"""An ID number alone does not open a stranger's record (issue 13, item 2; ADR 0009).

An organisation that enrols, employs or enters a person by ID number sees only what it entered and its own records
until a regulator matches the link or the person confirms it; whether the number was registered is never told."""

from __future__ import annotations

import io
import json

import pytest

from peikao.certificates.models import Certificate
from peikao.core.exchange.runner import run_import
from peikao.core.services import api_token_create
from peikao.registry import services
from peikao.registry.choices import PersonLinkStatus
from peikao.registry.models import Person, PersonLink, PersonLinkEvent
from peikao.testing.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _api(client, user):
    _token, raw = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _post(client, headers, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_enrolling_a_strangers_number_shows_nothing_of_his_record(client, world):
    """李四 works in Xiamen and holds a certificate; a Fuzhou institution enrols his number into its class."""
    stranger = world.persons["p_b"]
    assert Certificate.objects.filter(person=stranger).exists()
    headers = _api(client, world.users["ti_admin"])
    response = _post(
        client,
        headers,
        "/api/classes/CLS-TI_A/enrolments",
        {"trainees": [{"id_number": stranger.id_number, "name": "随便填"}]},
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"enrolled": 1, "already": 0}
    # Not his page, not his number in full, not his certificates, not in the person list.
    assert client.get(f"/api/persons/{stranger.pk}", **headers).status_code == 404
    assert client.post(f"/api/persons/{stranger.pk}/id-number", **headers).status_code == 404
    listed = client.get("/api/persons?limit=100", **headers).json()
    assert stranger.pk not in {row["id"] for row in listed["items"]}
    certificates = client.get("/api/certificates?limit=100", **headers).content.decode()
    assert stranger.masked_id_number not in certificates
    # The class shows the name the institution entered, not the registered one.
    hours = client.get("/api/classes/CLS-TI_A/hours", **headers).json()
    names = {row["name"] for row in hours}
    assert "随便填" in names and stranger.name not in names
    link = PersonLink.objects.get(organization=world.orgs["ti_a"], person=stranger)
    assert link.status == PersonLinkStatus.PENDING and link.entered_name == "随便填"


def test_a_confirmed_link_opens_the_record_and_leaves_an_event(client, world):
    stranger = world.persons["p_b"]
    institution = world.users["ti_admin"]
    link = services.person_enter(
        actor=institution, organization=world.orgs["ti_a"], id_number=stranger.id_number, name=stranger.name
    )
    headers = _api(client, institution)
    assert client.get(f"/api/persons/{stranger.pk}", **headers).status_code == 404
    # A regulator of the institution's region matches it (a Xiamen-only regulator could not: not his region).
    event = services.person_link_confirm(actor=world.users["county_inspector"], link=link, reason="核对身份证原件")
    assert isinstance(event, PersonLinkEvent) and event.new_status == PersonLinkStatus.CONFIRMED
    assert client.get(f"/api/persons/{stranger.pk}", **headers).json()["name"] == stranger.name


def test_the_person_confirms_or_rejects_with_their_own_login(world):
    from peikao.core.errors import PermissionDenied

    candidate = world.users["candidate"]  # 张三
    link = services.person_enter(
        actor=world.users["ent_admin"], organization=world.orgs["ent_a"], id_number="11010519491231002X", name="某人"
    )
    with pytest.raises(PermissionDenied):  # not his link: the permission is checked first
        services.person_link_confirm(actor=candidate, link=link)
    own = services.person_enter(
        actor=world.users["ti_admin"],
        organization=world.orgs["ti_a"],
        id_number=world.persons["p_a"].id_number,
        name="张三",
    )
    services.person_link_reject(actor=candidate, link=own, reason="我没有报名这个培训")
    assert PersonLink.objects.get(pk=own.pk).status == PersonLinkStatus.REJECTED
    with pytest.raises(PermissionDenied):  # an organisation cannot confirm its own link
        services.person_link_confirm(actor=world.users["ti_admin"], link=own)


def test_entering_a_number_answers_the_same_whether_or_not_it_is_registered(client, world):
    headers = _api(client, world.users["ent_admin"])
    known = world.persons["p_b"]
    new_number = "11010519491231002X"
    assert not Person.objects.filter(id_number=new_number).exists()
    answers = []
    for number in (known.id_number, new_number):
        response = _post(client, headers, "/api/persons", {"id_number": number, "name": "测试人", "phone": ""})
        assert response.status_code == 201, response.content
        answers.append(response.json())
    for answer in answers:
        assert answer["entered_name"] == "测试人"
        assert answer["registered_name"] is None and answer["person_id"] is None
        assert answer["status"] == "pending"
    strip = lambda a: {k: v for k, v in a.items() if k not in ("id", "id_number_masked", "created_at")}  # noqa: E731
    assert strip(answers[0]) == strip(answers[1])
    # A second entry of the same number is no conflict either.
    again = _post(client, headers, "/api/persons", {"id_number": known.id_number, "name": "测试人"})
    assert again.status_code == 201


def test_an_assignment_import_does_not_reveal_or_open_a_stranger(client, world):
    stranger = world.persons["p_b"]
    enterprise = world.users["ent_admin"]
    org = world.orgs["ent_a"]
    text = f"身份证号,机构编码,岗位角色,开始日期\n{stranger.id_number},{org.org_code},employee,2026-01-05\n"
    unknown = PersonFactory.build().id_number
    text_unknown = f"身份证号,机构编码,岗位角色,开始日期\n{unknown},{org.org_code},employee,2026-01-05\n"
    results = [
        run_import(kind_name="assignments", source=io.BytesIO(body.encode()), filename="a.csv", user=enterprise)
        for body in (text, text_unknown)
    ]
    problems = [[(p.code, p.zh, p.en) for p in result.problems] for result in results]
    assert problems[0] == problems[1] and problems[0], problems  # the same refusal: registered or not
    headers = _api(client, enterprise)
    assert client.post(f"/api/persons/{stranger.pk}/id-number", **headers).status_code == 404


def test_a_persons_import_with_another_name_is_no_oracle(world):
    stranger = world.persons["p_b"]
    text = f"身份证号,姓名\n{stranger.id_number},别的名字\n"
    result = run_import(
        kind_name="persons", source=io.BytesIO(text.encode()), filename="p.csv", user=world.users["ent_admin"]
    )
    assert not result.problems, result.problems
    assert Person.objects.get(pk=stranger.pk).name == "李四"  # unchanged
    link = PersonLink.objects.get(organization=world.orgs["ent_a"], person=stranger)
    assert link.status == PersonLinkStatus.PENDING and link.entered_name == "别的名字"
    from django.contrib.contenttypes.models import ContentType

    from peikao.core.models import ChangeLog

    logged = ChangeLog.objects.get(content_type=ContentType.objects.get_for_model(PersonLink), object_id=str(link.pk))
    assert logged.after["status"] == PersonLinkStatus.PENDING  # the bulk link is in the change log, by its key


def test_an_enterprise_employing_a_stranger_reads_the_name_it_entered(client, world):
    stranger = world.persons["p_b"]
    enterprise = world.users["ent_admin"]
    org = world.orgs["ent_a"]
    headers = _api(client, enterprise)
    body = {"id_number": stranger.id_number, "name": "王某", "org_code": org.org_code, "role": "employee"}
    response = _post(client, headers, "/api/assignments", {**body, "start_date": "2026-02-01"})
    assert response.status_code == 201, response.content
    assert response.json()["person_name"] == "王某"
    listed = client.get(f"/api/assignments?organization={org.org_code}&limit=100", **headers).json()["items"]
    assert "王某" in {row["person_name"] for row in listed}
    assert stranger.name not in {row["person_name"] for row in listed}
    client.force_login(enterprise)
    page = client.get(f"/registry/organizations/{org.org_code}/").content.decode()
    assert "王某" in page and stranger.name not in page
    assert f"/registry/persons/{stranger.pk}/" not in page


def test_a_regulator_lands_on_the_links_waiting_for_a_match(client, world):
    waiting = services.person_enter(
        actor=world.users["ent_admin"], organization=world.orgs["ent_a"], id_number="11010519491231002X", name="待核某"
    )
    confirmed = PersonLink.objects.filter(organization=world.orgs["ent_a"], status=PersonLinkStatus.CONFIRMED).first()
    client.force_login(world.users["county_inspector"])
    page = client.get("/registry/person-links/").content.decode()
    assert f'id="link-{waiting.pk}"' in page and f'id="link-{confirmed.pk}"' not in page
    client.post(f"/registry/person-links/{waiting.pk}/confirm/")
    assert PersonLink.objects.get(pk=waiting.pk).status == PersonLinkStatus.CONFIRMED
    everything = client.get("/registry/person-links/?status=all").content.decode()
    assert f'id="link-{confirmed.pk}"' in everything


def test_pages_and_the_api_read_a_person_by_the_same_rule(world):
    """The roster's SQL (API) and the pages' labels are one rule: the registered name once the link is confirmed,
    else the name entered, else the masked ID number; a regulator reads the registered name."""
    from peikao.registry import selectors
    from peikao.registry.choices import AssignmentRole
    from peikao.testing.factories import AssignmentFactory

    enterprise, org = world.users["ent_admin"], world.orgs["ent_a"]
    confirmed, entered, unnamed = world.persons["p_a"], world.persons["p_b"], world.persons["p_c"]
    for person in (entered, unnamed):
        AssignmentFactory(person=person, organization=org, role=AssignmentRole.EMPLOYEE)
    for person, status, name in (
        (confirmed, PersonLinkStatus.CONFIRMED, "别名"),
        (entered, PersonLinkStatus.PENDING, "王某"),
        (unnamed, PersonLinkStatus.PENDING, ""),
    ):
        PersonLink.objects.update_or_create(
            organization=org, person=person, defaults={"status": status, "entered_name": name}
        )
    expected = {
        confirmed.pk: (confirmed.name, True),
        entered.pk: ("王某", False),
        unnamed.pk: (unnamed.masked_id_number, False),
    }
    persons = [Person.objects.get(pk=pk) for pk in expected]
    labelled = selectors.label_persons(user=enterprise, persons=persons)
    assert {p.pk: (p.label, p.readable) for p in labelled} == expected
    rows = selectors.assignment_list(user=enterprise, filters={"organization": org.org_code})
    assert {a.person_id: a.person_label or a.person.masked_id_number for a in rows} == {
        pk: label for pk, (label, _readable) in expected.items()
    }
    regulator = selectors.label_persons(user=world.users["county_inspector"], persons=persons)
    assert {p.pk: (p.label, p.readable) for p in regulator} == {p.pk: (p.name, True) for p in persons}
