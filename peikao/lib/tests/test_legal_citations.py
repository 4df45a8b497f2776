"""Legal bases as cited in Chinese: never the reference data's keys."""

from __future__ import annotations

import pytest

from peikao.lib.legal_citations import cite, cite_instrument, instrument_codes, small_numeral

TITLES = {
    "work_safety_law_2021": "中华人民共和国安全生产法（2021年修正）",
    "order_44": "安全生产培训管理办法（原国家安全监管总局令第44号，2013、2015年修正）",
    "order_19": "特种作业人员安全技术培训考核管理规定（应急管理部令第19号）",
    "exam_cert_measures_2013": "安全生产资格考试与证书管理暂行办法（安监总培训〔2013〕104号）",
    "aq_8011_2023": "AQ 8011-2023 安全生产培训机构基本条件",
}


@pytest.mark.parametrize(
    "n,words",
    [(1, "一"), (4, "四"), (10, "十"), (17, "十七"), (20, "二十"), (29, "二十九"), (97, "九十七"), (100, "一百"),
     (105, "一百零五"), (110, "一百一十"), (1010, "一千零一十")],
)  # fmt: skip
def test_article_numbers_in_chinese(n, words):
    assert small_numeral(n) == words


@pytest.mark.parametrize(
    "reference,citation",
    [
        ("work_safety_law_2021 art. 97 (3)", "《中华人民共和国安全生产法》第九十七条第三项"),
        ("order_44 (about art. 36)", "《安全生产培训管理办法》（原国家安全监管总局令第44号）第三十六条"),
        ("order_44 art. 22-26", "《安全生产培训管理办法》（原国家安全监管总局令第44号）第二十二条至第二十六条"),
        ("order_19", "《特种作业人员安全技术培训考核管理规定》（应急管理部令第19号）"),
        (
            "order_44 art. 4 (教考分离); exam_cert_measures_2013 art. 3",
            "《安全生产培训管理办法》（原国家安全监管总局令第44号）第四条；"
            "《安全生产资格考试与证书管理暂行办法》（安监总培训〔2013〕104号）第三条",
        ),
        ("aq_8011_2023 art. 4", "AQ 8011-2023《安全生产培训机构基本条件》第四条"),
        ("provincial rules on online training", "provincial rules on online training"),  # no instrument: as written
        ("unknown_code art. 3", "unknown_code art. 3"),
    ],
)
def test_references_are_cited_by_title_and_article(reference, citation):
    assert cite(reference, TITLES) == citation


def test_titles_keep_their_number_and_drop_revision_years():
    assert cite_instrument(TITLES["work_safety_law_2021"]) == "《中华人民共和国安全生产法》"
    assert cite_instrument("《已加书名号》") == "《已加书名号》"
    assert instrument_codes("order_44 art. 4; exam_cert_measures_2013 art. 3") == {
        "order_44",
        "exam_cert_measures_2013",
    }
