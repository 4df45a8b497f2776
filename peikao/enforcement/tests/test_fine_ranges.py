"""The lawful range of a fine (issue 19, items 2 and 3), hand-built on both sides of each rule.

- 《中华人民共和国行政处罚法》第二十九条: one act is fined once, under the rule with the higher fine — findings of one
  violation (three untrained workers) are one violation, not three; one fact under two rules takes the higher
  range, not their sum; distinct violations are each fined (分别裁量、合并处罚).
- 《中华人民共和国安全生产法》第九十七条: 逾期未改正的 … 对其直接负责的主管人员和其他直接责任人员处二万元以上五万元以下
  的罚款 — the person directly responsible is named and fined in their own range, only for a violation not
  corrected in time.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import docx
import lxml.html
import pytest

from peikao.core.errors import DomainError
from peikao.enforcement import selectors, services
from peikao.enforcement.choices import FindingSource
from peikao.enforcement.documents import decision_docx
from peikao.enforcement.models import Finding
from peikao.enforcement.tests.test_enforcement import TODAY, finding, item, site, started  # noqa: F401

pytestmark = pytest.mark.django_db

ART_97_3 = "《中华人民共和国安全生产法》第九十七条第三项"
ART_97_4 = "《中华人民共和国安全生产法》第九十七条第四项"


def spot_failures(site, inspection, persons) -> list[Finding]:  # noqa: F811
    """One ENT-NO-TRAIN finding per failed worker, as a spot exam records them."""
    return [
        services.finding_record(
            actor=None,
            inspection=inspection,
            violation=item("ENT-NO-TRAIN"),
            description=f"抽考不合格：{person.name}",
            person=person,
            source=FindingSource.SPOT_EXAM,
        )  # fmt: skip
        for person in persons
    ]


def fine(site, inspection, findings, amount, on=None, **extra):  # noqa: F811
    return services.decision_issue(actor=site["a"], inspection=inspection, findings=findings, measure="fine",
                                   decided_on=on or TODAY, fine_yuan=Decimal(amount), **extra)  # fmt: skip


def overdue_order(site, findings, inspection):  # noqa: F811
    """An order to rectify the findings, due yesterday and not complied with."""
    order = services.decision_issue(
        actor=site["a"], inspection=inspection, findings=findings, measure="rectify_order",
        decided_on=inspection.inspected_on, due_on=inspection.inspected_on + dt.timedelta(days=10),
    )  # fmt: skip
    assert order.rectification.due_on < TODAY
    return order


# -- 《行政处罚法》第二十九条: one act, one fine ------------------------------------------------------------------


def test_three_failed_workers_are_one_violation_of_art_97_fined_once_not_three_times(site):  # noqa: F811
    """行政处罚法第二十九条; 安全生产法第九十七条第三项 (up to 100,000 yuan): three ENT-NO-TRAIN findings of a spot
    exam allow 100,000, not 300,000 — the number of workers is a circumstance within the range."""
    inspection = started(site)
    failures = spot_failures(site, inspection, [*site["operators"], site["employees"][0]])
    with pytest.raises(DomainError) as refused:
        fine(site, inspection, failures, 300000)
    assert refused.value.code == "fine_outside_range" and "0–100,000" in refused.value.zh
    with pytest.raises(DomainError):
        fine(site, inspection, failures, 100001)  # one yuan above the one violation's cap
    decided = fine(site, inspection, failures, 100000)  # the cap itself is lawful
    assert (decided.fine_low, decided.fine_high) == (0, 100000)
    assert decided.basis == ART_97_3  # the single basis, stated once, in Chinese
    assert "ENT-" not in decided.basis and "work_safety_law" not in decided.basis


def test_distinct_violations_each_keep_their_own_range(site):  # noqa: F811
    """行政处罚法第二十九条 does not merge distinct acts: not training (art. 97 (3)) and false training records
    (art. 97 (4)) are two violations, 0–100,000 each: 200,000 together, one yuan more is refused."""
    inspection = started(site)
    untrained = spot_failures(site, inspection, site["operators"])
    false_record = finding(site, inspection, "ENT-FALSE-RECORD", "培训记录不实")
    with pytest.raises(DomainError) as refused:
        fine(site, inspection, [*untrained, false_record], 200001)
    assert "0–200,000" in refused.value.zh
    decided = fine(site, inspection, [*untrained, false_record], 200000)
    assert decided.fine_high == 200000 and decided.basis == f"{ART_97_3}；{ART_97_4}"


def test_one_fact_under_two_rules_takes_the_higher_range_not_their_sum(site):  # noqa: F811
    """行政处罚法第二十九条: training hours short of the rules (安全生产培训管理办法, up to 30,000) is training not
    given as required (安全生产法第九十七条第三项, up to 100,000): one act, fined under the higher rule only —
    100,000 at most, not 130,000; the basis is that rule alone."""
    inspection = started(site)
    short = finding(site, inspection, "ENT-HOURS-SHORT", "三名员工培训学时不足")
    untrained = finding(site, inspection, "ENT-NO-TRAIN", "一名员工未经培训上岗")
    with pytest.raises(DomainError) as refused:
        fine(site, inspection, [short, untrained], 130000)
    assert "0–100,000" in refused.value.zh
    decided = fine(site, inspection, [short, untrained], 100000)
    assert decided.basis == ART_97_3 and "安全生产培训管理办法" not in decided.basis
    # Alone, the lower rule keeps its own range.
    alone = started(site)
    with pytest.raises(DomainError) as lower:
        fine(site, alone, [finding(site, alone, "ENT-HOURS-SHORT", "学时不足")], 30001)
    assert "0–30,000" in lower.value.zh and "安全生产培训管理办法" in lower.value.zh


def test_the_overdue_range_of_one_violation_is_not_multiplied_by_its_findings(site):  # noqa: F811
    """安全生产法第九十七条: 逾期未改正的 … 并处十万元以上二十万元以下的罚款 — for three findings of the violation
    still 100,000–200,000 (not 300,000–600,000), with its floor."""
    inspection = started(site, on=TODAY - dt.timedelta(days=30))
    failures = spot_failures(site, inspection, [*site["operators"], site["principal"]])
    overdue_order(site, failures, inspection)
    for amount in (99999, 200001):
        with pytest.raises(DomainError) as refused:
            fine(site, inspection, failures, amount)
        assert "100,000–200,000" in refused.value.zh and "逾期" in refused.value.zh
    decided = fine(site, inspection, failures, 200000)
    assert decided.overdue_range and (decided.fine_low, decided.fine_high) == (100000, 200000)


def test_the_decision_form_shows_one_range_with_the_persons_as_a_circumstance(site, client):  # noqa: F811
    inspection = started(site)
    spot_failures(site, inspection, [*site["operators"], site["employees"][0]])
    client.force_login(site["a"])
    page = client.get(f"/enforcement/inspections/{inspection.code}/decide/").content.decode()
    assert "0–100,000" in page and "0–300,000" not in page
    assert page.count(ART_97_3) >= 1 and "ENT-NO-TRAIN" not in page
    persons = page.split('class="persons">', 1)[1].split("</td>", 1)[0]
    assert persons.startswith("3") and all(p.name in persons for p in site["operators"])
    assert "第二十九条" in page


def test_the_penalty_decision_states_the_single_basis_and_range(site):  # noqa: F811
    inspection = started(site)
    failures = spot_failures(site, inspection, [*site["operators"], site["employees"][0]])
    decided = fine(site, inspection, failures, 80000)
    body, _name = decision_docx(decided)
    texts = [p.text for p in docx.Document(io.BytesIO(body)).paragraphs]
    joined = "\n".join(texts)
    assert f"依据{ART_97_3}的规定，本机关决定给予你单位以下行政处罚：" in texts
    assert joined.count(ART_97_3) == 1 and "ENT-" not in joined
    assert "法定罚款幅度：0–100,000元。" in texts


def test_the_indicators_compare_a_fine_with_its_single_range(site):  # noqa: F811
    from peikao.core.models import Region

    inspection = started(site)
    fine(site, inspection, spot_failures(site, inspection, site["operators"]), 50000)
    figures = selectors.indicators(user=site["admin"], region=Region.objects.get(code="350000"),
                                   since=TODAY - dt.timedelta(days=1), until=TODAY)  # fmt: skip
    assert figures["overall"]["fine_legal_max"] == 100000 and figures["overall"]["fine_to_max"] == 0.5


# -- 《安全生产法》第九十七条: the person directly responsible ------------------------------------------------------


def test_the_catalogue_carries_the_responsible_persons_range_of_art_97():
    """安全生产法第九十七条: 二万元以上五万元以下 for the persons directly responsible, for every item of the article."""
    for code in ("ENT-NO-TRAIN", "ENT-FALSE-RECORD", "ENT-NO-ASSESS", "ENT-UNCERT-SPECOPS"):
        assert (item(code).responsible_fine_min, item(code).responsible_fine_max) == (20000, 50000), code
    assert item("ENT-PLAN").responsible_fine_max is None
    assert item("ENT-HOURS-SHORT").same_act_as == "ENT-NO-TRAIN"


def test_the_responsible_person_is_fined_only_for_a_violation_not_corrected_in_time(site):  # noqa: F811
    """安全生产法第九十七条: the person directly responsible is fined only where the unit did not correct the
    violation in time — refused before the deadline passes, refused outside 20,000–50,000, taken inside."""
    principal = site["principal"]
    on_time = started(site)
    problem = finding(site, on_time)
    with pytest.raises(DomainError) as refused:
        fine(site, on_time, [problem], 50000, responsible_person=principal, responsible_fine_yuan=Decimal(20000))
    assert refused.value.code == "responsible_not_overdue"

    late = started(site, on=TODAY - dt.timedelta(days=30))
    failures = spot_failures(site, late, site["operators"])
    overdue_order(site, failures, late)
    for amount in (19999, 50001):
        with pytest.raises(DomainError) as outside:
            fine(site, late, failures, 150000, responsible_person=principal, responsible_fine_yuan=Decimal(amount))
        assert outside.value.code == "responsible_fine_outside_range" and "20,000–50,000" in outside.value.zh
    with pytest.raises(DomainError) as nameless:
        fine(site, late, failures, 150000, responsible_fine_yuan=Decimal(30000))
    assert nameless.value.code == "responsible_person_required"
    decided = fine(site, late, failures, 150000, responsible_person=principal, responsible_fine_yuan=Decimal(30000))
    assert decided.responsible_person == principal and decided.responsible_fine_yuan == 30000
    assert (decided.responsible_fine_low, decided.responsible_fine_high) == (20000, 50000)


def test_a_rule_without_a_responsible_persons_fine_names_nobody(site):  # noqa: F811
    """order 3 art. 29 (ENT-PLAN) provides no fine of a responsible person: naming one is refused, even late."""
    late = started(site, on=TODAY - dt.timedelta(days=30))
    plan = finding(site, late, "ENT-PLAN", "无年度培训计划")
    overdue_order(site, [plan], late)
    with pytest.raises(DomainError) as refused:
        fine(site, late, [plan], 20000, responsible_person=site["principal"], responsible_fine_yuan=Decimal(20000))
    assert refused.value.code == "responsible_not_overdue"


def test_the_responsible_person_is_named_masked_on_the_page_and_the_document(site, client):  # noqa: F811
    principal = site["principal"]
    late = started(site, on=TODAY - dt.timedelta(days=30))
    failures = spot_failures(site, late, site["operators"])
    overdue_order(site, failures, late)
    client.force_login(site["a"])
    form = client.get(f"/enforcement/inspections/{late.code}/decide/").content.decode()
    assert "20,000–50,000" in form and principal.masked_id_number in form and principal.id_number not in form
    posted = client.post(f"/enforcement/inspections/{late.code}/decide/", {
        "measure": "fine", "findings": [str(f.pk) for f in failures], "fine_yuan": "150000",
        "decided_on": TODAY.isoformat(), "responsible_person": str(principal.pk), "responsible_fine_yuan": "30000",
    })  # fmt: skip
    assert posted.status_code == 302, posted.content.decode()[-2000:]
    decision = late.decisions.get(measure="fine")
    detail = client.get(f"/enforcement/decisions/{decision.code}/").content.decode()
    assert principal.name in detail and principal.masked_id_number in detail and principal.id_number not in detail
    # amounts grouped by thousands like the lawful range beside them (Django's zh_Hans data groups by none)
    shown = lxml.html.fromstring(detail)
    assert shown.get_element_by_id("fine").text_content().startswith("150,000 · ")
    assert "罚款 30,000 · 法定幅度 20,000–50,000" in shown.get_element_by_id("responsible").text_content()
    body, _name = decision_docx(decision)
    joined = "\n".join(p.text for p in docx.Document(io.BytesIO(body)).paragraphs)
    assert (
        f"对直接负责的主管人员和其他直接责任人员{principal.name}（身份证号码：{principal.masked_id_number}）" in joined
    )
    assert "处罚款人民币叁万元整（法定罚款幅度：20,000–50,000元）" in joined and principal.id_number not in joined


def test_the_api_names_the_responsible_person_by_id_number_and_answers_masked(site, client):  # noqa: F811
    from peikao.core.services import api_token_create

    _token, raw = api_token_create(user=site["a"], name="phone")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    late = started(site, on=TODAY - dt.timedelta(days=30))
    failures = spot_failures(site, late, site["operators"])
    overdue_order(site, failures, late)
    principal = site["principal"]
    body = {"measure": "fine", "finding_codes": [f.code for f in failures], "decided_on": TODAY.isoformat(),
            "fine_yuan": "150000", "responsible_fine_yuan": "20000"}  # fmt: skip

    def post(extra):
        return client.post(f"/api/inspections/{late.code}/decisions", json.dumps(body | extra),
                           content_type="application/json", **auth)  # fmt: skip

    assert post({"responsible_person_id_number": "11010119900307001X"}).status_code == 422  # not registered
    issued = post({"responsible_person_id_number": principal.id_number})
    assert issued.status_code == 201, issued.content
    answer = issued.json()
    assert answer["responsible_person"] == f"{principal.name}（{principal.masked_id_number}）"
    assert principal.id_number not in issued.content.decode()
    assert (Decimal(answer["fine_high"]), Decimal(answer["responsible_fine_high"])) == (200000, 50000)


def test_fines_decided_before_are_given_their_single_range_by_the_migration(site):  # noqa: F811
    """Fines recorded before the rule was fixed get the range the law allows (not the sum per finding): where
    they were summed, the indicators now show them above their range."""
    import importlib

    from django.apps import apps

    from peikao.enforcement.models import Decision

    migration = importlib.import_module(
        "peikao.enforcement.migrations.0003_decision_single_range_and_responsible_person"
    )
    inspection = started(site)
    decided = fine(site, inspection, spot_failures(site, inspection, site["operators"]), 90000)
    Decision.objects.filter(pk=decided.pk).update(fine_low=None, fine_high=None)
    migration.record_ranges(apps, None)
    decided.refresh_from_db()
    assert (decided.fine_low, decided.fine_high) == (0, 100000)
