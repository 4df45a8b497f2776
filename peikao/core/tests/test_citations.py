"""Every legal basis of the reference data reads as a Chinese citation: 《…》第…条第…项, never the data's keys
(``work_safety_law_2021 art. 97 (4)``, ``order_44 art. 4``) nor an English phrase."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template

from peikao.core.citations import cite_reference, phrases
from peikao.core.refdata import read_domain

RULE_FILES = ("violations.yaml", "training_hours.yaml", "exams_certificates.yaml")
STANDARD = re.compile(r"\b(?:AQ|GB)(?:/T)?\s*[\d.]+-\d{4}")  # a standard's number is written as published


def _references(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"basis", "source"} and isinstance(value, str):
                found.add(value)
            else:
                _references(value, found)
    elif isinstance(node, list):
        for value in node:
            _references(value, found)
    return found


def _titles() -> dict[str, str]:
    return {row["code"]: row["title"] for row in read_domain("regimes.yaml")}


def _references_of_the_rules() -> list[str]:
    found: set[str] = set()
    for name in RULE_FILES:
        _references(read_domain(name), found)
    return sorted(found)


@pytest.mark.parametrize("reference", _references_of_the_rules())
def test_every_basis_of_the_reference_data_cites_in_chinese(reference):
    cited = cite_reference(reference, _titles())
    assert cited and "《" in cited or cited in phrases().values(), (reference, cited)
    leftover = STANDARD.sub("", cited)
    assert not re.search(r"[A-Za-z_]", leftover), (reference, cited)


def test_the_examples_of_the_issue_cite_as_a_chinese_reader_cites_them():
    titles = _titles()
    assert cite_reference("work_safety_law_2021 art. 97 (4)", titles) == "《中华人民共和国安全生产法》第九十七条第四项"
    assert cite_reference("order_44 art. 4", titles).startswith("《安全生产培训管理办法》")
    assert cite_reference("order_44 art. 4", titles).endswith("第四条")
    both = cite_reference("order_44; criminal referral where a crime", titles)
    assert both.startswith("《安全生产培训管理办法》") and "移送司法机关" in both and "criminal" not in both


def test_a_citation_is_left_as_it_is_and_an_empty_basis_stays_empty():
    cited = "《中华人民共和国安全生产法》第九十七条第四项"
    assert cite_reference(cited, _titles()) == cited
    assert cite_reference("", _titles()) == ""


@pytest.mark.django_db
def test_stored_references_render_cited_on_pages_and_rules_cite_their_basis():
    from peikao.certificates.models import CertificateRule
    from peikao.training.models import HourRule

    page = Template("{% load labels %}{{ basis|cited }}").render(
        Context({"basis": "班级教学大纲（≥ 32）；order_3 art. 9"})
    )
    assert page == "班级教学大纲（≥ 32）；《生产经营单位安全培训规定》（原国家安全监管总局令第3号）第九条"
    for rule in [*HourRule.objects.all(), *CertificateRule.objects.all()]:
        assert "_" not in rule.basis_title and "art." not in rule.basis_title, rule.basis
        assert "《" in rule.basis_title and "《" in str(rule)


@pytest.mark.django_db
def test_the_change_log_cites_a_basis_as_every_page_does():
    """The change log names a changed basis through ``cite_reference``, phrases of citations_zh.yaml too."""
    from django.contrib.contenttypes.models import ContentType

    from peikao.certificates.models import CertificateRule
    from peikao.core.changelog_display import describe
    from peikao.core.models import ChangeLog

    reference = "order_44 art. 4; criminal referral where a crime"
    entry = ChangeLog(
        actor_label="command:load_reference",
        action="update",
        content_type=ContentType.objects.get_for_model(CertificateRule),
        object_id="1",
        object_repr="rule",
        before={"basis": "order_44 art. 4"},
        after={"basis": reference},
    )
    [change] = describe([entry])[0].changes
    assert change.after == cite_reference(reference, _titles())
    assert "移送司法机关" in change.after and "criminal" not in change.after
    assert change.before == cite_reference("order_44 art. 4", _titles())
