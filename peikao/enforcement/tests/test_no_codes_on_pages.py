"""No internal code reaches a person: legal references as citations, organisation kinds and trainee categories by
their Chinese names, violations by what they are (the code at most a small tag), exchange kinds by their titles."""

from __future__ import annotations

import io
import re

import docx
import pytest
from django.template import Context, Template

from peikao.core.models import Region
from peikao.enforcement import services
from peikao.enforcement.documents import decision_docx
from peikao.enforcement.models import Decision, InspectionPlan
from peikao.enforcement.tests.test_enforcement import TODAY, item, site, started  # noqa: F401
from peikao.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ART_97_4 = "《中华人民共和国安全生产法》第九十七条第四项"
ORDER_44_ART_4 = "《安全生产培训管理办法》"


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_a_decision_holding_the_datas_keys_is_shown_and_written_with_citations_only(site, client):  # noqa: F811
    inspection = started(site)
    finding = services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-FALSE-RECORD"),
                                       description="未如实记录培训情况")  # fmt: skip
    decision = services.decision_issue(actor=site["a"], inspection=inspection, findings=[finding],
                                       measure="rectify_order", decided_on=TODAY,
                                       due_on=TODAY.replace(year=TODAY.year + 1))  # fmt: skip
    Decision.objects.filter(pk=decision.pk).update(basis="work_safety_law_2021 art. 97 (4)；order_44 art. 4 (教考分离)")
    decision.refresh_from_db()
    assert decision.basis_cited.startswith(ART_97_4 + "；" + ORDER_44_ART_4)
    assert "第四条" in decision.basis_cited and "art." not in decision.basis_cited
    body, _name = decision_docx(decision)
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert ART_97_4 in text and "work_safety_law" not in text and "order_44" not in text and "art." not in text
    client.force_login(site["a"])
    page = _text(client.get(f"/enforcement/decisions/{decision.code}/").content.decode())
    assert ART_97_4 in page and "work_safety_law" not in page


def test_a_decision_already_cited_stays_as_it_is(site):  # noqa: F811
    assert Decision(basis=ART_97_4).basis_cited == ART_97_4
    assert Decision(basis="").basis_cited == ""


def test_an_inspection_names_its_findings_by_what_they_are_with_the_code_as_a_tag(site, client):  # noqa: F811
    inspection = started(site)
    services.finding_record(actor=site["a"], inspection=inspection, violation=item("ENT-PLAN"), description="无计划")
    client.force_login(site["a"])
    page = client.get(f"/enforcement/inspections/{inspection.code}/").content.decode()
    findings = page.split('id="findings"', 1)[1].split("</ul>", 1)[0]
    assert "<strong>未按规定制定培训计划</strong>" in findings and item("ENT-PLAN").check_text not in findings
    assert "<strong>ENT-PLAN</strong>" not in page and '<small class="muted"><code>ENT-PLAN</code></small>' in findings


def test_a_plan_names_the_kinds_it_draws_in_chinese(site, client):  # noqa: F811
    plan = services.plan_create(actor=site["admin"], region=Region.objects.get(code="350000"), year=TODAY.year,
                                name="培训专项", kinds=["enterprise", "training_institution"],
                                subjects_wanted=2)  # fmt: skip
    assert isinstance(plan, InspectionPlan)
    client.force_login(site["admin"])
    page = _text(client.get(f"/enforcement/plans/{plan.pk}/").content.decode())
    assert "生产经营单位、培训机构" in page and "training_institution" not in page and "enterprise、" not in page


def test_label_filters_name_trainee_categories_organisation_kinds_and_file_kinds():
    rendered = Template(
        '{% load labels %}{{ c|label_of:"training.TraineeCategory" }}|{{ k|label_of:"registry.OrganizationKind" }}|'
        '{{ unknown|label_of:"training.TraineeCategory" }}|{{ kind|kind_title }}'
    ).render(Context({"c": "employee", "k": ["enterprise", "training_institution"], "unknown": "x", "kind": "persons"}))
    category, kinds, unknown, kind = rendered.split("|")
    assert (category, kinds, unknown) == ("一般从业人员", "生产经营单位、培训机构", "x")
    assert kind and kind != "persons" and re.search(r"[\u4e00-\u9fff]", kind)


def test_an_enterprise_reads_its_gaps_violation_by_name_and_a_regulator_also_sees_the_code(site, client):  # noqa: F811
    client.force_login(site["clerk"])
    page = client.get(f"/compliance/enterprises/{site['works'].org_code}/").content.decode()
    assert 'data-gap="specops_no_certificate"' in page  # the two electricians hold no certificate
    rows = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert "<code>ENT-" not in rows and item("ENT-UNCERT-SPECOPS").name in rows
    client.force_login(UserFactory(username="gl-x", role="inspector", region=Region.objects.get(code="350102")))
    page = client.get(f"/compliance/enterprises/{site['works'].org_code}/").content.decode()
    assert '<small class="muted"><code>ENT-' in page.split("<tbody>", 1)[1]


def test_a_timeline_names_its_actor_and_a_command_as_the_system():
    from types import SimpleNamespace

    render = Template("{% load labels %}{{ e|actor_name }}").render
    person = SimpleNamespace(actor_id=7, actor="张三", actor_label="insp-zhang")
    command = SimpleNamespace(actor_id=None, actor=None, actor_label="command:demo")
    assert render(Context({"e": person})) == "张三"
    assert render(Context({"e": command})) == "系统"


def test_the_import_page_offers_file_kinds_by_their_titles_only(site, client):  # noqa: F811
    client.force_login(site["admin"])
    page = client.get("/imports/").content.decode()
    options = re.findall(r'<option value="([a-z_]+)"[^>]*>([^<]*)</option>', page)
    assert options and all(key not in label for key, label in options), options
