"""What the notice says: its header, title, addressees, body sentences in the seed's wording and number style,
the tables per sub-region, the issuing authority and the date. Plain data, rendered by every format alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from peikao.certificates.verification import issuing_authority
from peikao.core.models import Region
from peikao.lib.notice_numbers import count_text, wan_yuan_text
from peikao.reports.selectors import name_within

# Sub-regions as the addressees and the body name them, by the level of the region of the notice.
ADDRESSEES = {
    "nation": "各省、自治区、直辖市应急管理厅（局），新疆生产建设兵团应急管理局：",
    "province": "各设区市应急管理局：",
    "city": "各县（市、区）应急管理局：",
    "county": "各乡镇（街道）、各有关单位：",
}
UNITS = {"nation": "省份", "province": "设区市", "city": "县（市、区）", "county": "县（市、区）"}
# The practices as the notice words them (the sentence and the workbook), in the order of ``PRACTICES``.
PRACTICE_PHRASES = {
    "regions_with_exit_decision": "作出淘汰退出决定",
    "regions_with_grading": "实行分级分类监管",
    "regions_with_commitments": "推行自律承诺制",
    "regions_with_spot_exams": "开展“逢查必考”",
    "regions_with_lookback_inspections": "开展整改“回头看”",
}


def wan_yuan(yuan: int) -> int:
    """Fines in the tables: whole 万元, rounded as the sentence rounds them."""
    return int(wan_yuan_text(yuan).removesuffix("万"))


@dataclass(frozen=True)
class Table:
    """A table of the notice: a caption, column headings, a row per sub-region and the total row."""

    caption: str
    headings: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class NoticeContent:
    figures: dict[str, Any]
    authority: str
    doc_no: str
    title: str
    addressees: str
    paragraphs: list[str]  # the body, in order; a paragraph starting with "一、" etc. is a heading
    tables: list[Table]
    issued_on: dt.date
    headings: frozenset[int] = field(default_factory=frozenset)  # indices of paragraphs that are headings

    @property
    def file_stem(self) -> str:
        """安全培训考试专项整治情况通报-福建省-2023-01-01至2023-12-31"""
        period = self.figures["period"]
        return f"安全培训考试专项整治情况通报-{self.figures['region']['name']}-{period['from']}至{period['to']}"

    @property
    def issued_text(self) -> str:
        return f"{self.issued_on.year}年{self.issued_on.month}月{self.issued_on.day}日"


def _date(text: str) -> str:
    day = dt.date.fromisoformat(text)
    return f"{day.year}年{day.month}月{day.day}日"


def figures_sentence(figures: dict[str, Any]) -> str:
    """The seed's sentence in its number style: 执法检查培训机构4171家，发现问题1.1万项，……罚款27877万元。"""
    ti, eb, en = figures["training_institutions"], figures["exam_bodies"], figures["enterprises"]
    c = count_text
    return (
        f"执法检查培训机构{c(ti['inspected'])}家，发现问题{c(ti['problems'])}项，淘汰清退{c(ti['closed'])}家、"
        f"停业整顿{c(ti['suspended'])}家、责令整改{c(ti['ordered_to_rectify'])}家；"
        f"检查考试机构{c(eb['inspected'])}家，发现问题{c(eb['problems'])}项，取消考试点{c(eb['exam_points_cancelled'])}家、"
        f"停考整顿{c(eb['exams_suspended'])}家、责令整改{c(eb['ordered_to_rectify'])}家；"
        f"抽查企业{c(en['inspected'])}家，发现问题{c(en['problems'])}项，行政处罚{c(en['penalised'])}家、"
        f"罚款{wan_yuan_text(en['fines_yuan'])}元。"
    )


def cases_sentence(figures: dict[str, Any]) -> str:
    patrols = figures["remote_patrols"]
    return (
        f"公开曝光典型案例{count_text(figures['cases_publicized'])}起；"
        f"开展远程巡考{count_text(patrols['sittings_patrolled'])}场次，"
        f"对{count_text(patrols['persons_sanctioned'])}人次给予警告或取消考试成绩。"
    )


def practices_sentence(figures: dict[str, Any], level: str) -> str:
    """The practices (exit decisions, grading, signed commitments, spot exams, look-backs), counted in
    sub-regions."""
    practices = figures["practices"]
    unit = UNITS.get(level, "地区")
    parts = [f"{practices[key]}个{unit}{phrase}" for key, phrase in PRACTICE_PHRASES.items()]
    return "，".join(parts) + "。"


def _tables(figures: dict[str, Any], level: str) -> list[Table]:
    rows = figures["by_subregion"]
    unit = "地区"
    total = {**figures, "region": {"name": "合计"}}
    own = figures["region"]["name"] if level != "nation" else ""

    def lines(pick) -> list[list[str]]:  # 漳州市 in Fujian's notice, not 福建省漳州市
        return [[name_within(row["region"]["name"], own), *map(str, pick(row))] for row in [*rows, total]]

    return [
        Table(
            "表1　培训机构执法检查情况",
            [unit, "检查（家）", "发现问题（项）", "淘汰清退（家）", "停业整顿（家）", "责令整改（家）"],
            lines(
                lambda r: [
                    r["training_institutions"][k]
                    for k in ("inspected", "problems", "closed", "suspended", "ordered_to_rectify")
                ]
            ),
        ),
        Table(
            "表2　考试机构执法检查情况",
            [unit, "检查（家）", "发现问题（项）", "取消考试点（家）", "停考整顿（家）", "责令整改（家）"],
            lines(
                lambda r: [
                    r["exam_bodies"][k]
                    for k in ("inspected", "problems", "exam_points_cancelled", "exams_suspended", "ordered_to_rectify")
                ]
            ),
        ),
        Table(
            "表3　企业抽查、案例曝光和远程巡考情况",
            [
                unit,
                "抽查企业（家）",
                "发现问题（项）",
                "行政处罚（家）",
                "罚款（万元）",
                "曝光案例（起）",
                "远程巡考（场次）",
                "警告或取消成绩（人次）",
            ],
            lines(
                lambda r: [
                    r["enterprises"]["inspected"],
                    r["enterprises"]["problems"],
                    r["enterprises"]["penalised"],
                    wan_yuan(r["enterprises"]["fines_yuan"]),
                    r["cases_publicized"],
                    r["remote_patrols"]["sittings_patrolled"],
                    r["remote_patrols"]["persons_sanctioned"],
                ]
            ),
        ),
    ]


def notice_content(
    figures: dict[str, Any], *, region: Region, issued_on: dt.date, doc_no: str | None = None
) -> NoticeContent:
    """The notice of ``figures`` (``reports.selectors.notice_figures``) for ``region``, issued on ``issued_on``."""
    authority = issuing_authority(region)
    period = figures["period"]
    scope = "全国" if region.level == "nation" else figures["region"]["name"]
    paragraphs = [
        f"{_date(period['from'])}至{_date(period['to'])}，{scope}各级应急管理部门深入开展安全培训考试专项整治，"
        "依法严厉打击培训不到位、考试不规范、证书“真假难辨”等突出问题，取得阶段性成效。现将有关情况通报如下。",
        "一、总体情况",
        f"{scope}{figures_sentence(figures)}{cases_sentence(figures)}",
        practices_sentence(figures, region.level),
    ]
    headings = {1}
    if figures["by_subregion"]:
        paragraphs.append("二、各地情况")
        headings.add(len(paragraphs) - 1)
        paragraphs.append("各地检查、处罚和曝光情况见表1至表3。")
    paragraphs.append(
        "各地要对照通报的问题举一反三，对发现的问题逐项整改到位，对整改不力的依法从严处理，确保专项整治取得实效。"
    )
    return NoticeContent(
        figures=figures,
        authority=authority,
        doc_no=doc_no or f"〔{issued_on.year}〕　号",
        title=f"{authority}关于安全培训考试专项整治工作情况的通报",
        addressees=ADDRESSEES.get(region.level, ADDRESSEES["county"]),
        paragraphs=paragraphs,
        tables=_tables(figures, region.level) if figures["by_subregion"] else [],
        issued_on=issued_on,
        headings=frozenset(headings),
    )
