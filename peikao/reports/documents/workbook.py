"""The notice's tables in Excel (openpyxl): a sheet of the region's figures with the sentence, and a sheet per
table of the notice (a row per sub-region and the total). Numbers are numbers, fines in yuan and in 万元."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import save_workbook

from peikao.lib.notice_numbers import count_text, wan_yuan_text
from peikao.reports.documents.content import PRACTICE_PHRASES, NoticeContent, figures_sentence

LABELS = {
    "training_institutions": (
        "培训机构",
        {
            "inspected": "检查（家）",
            "problems": "发现问题（项）",
            "closed": "淘汰清退（家）",
            "suspended": "停业整顿（家）",
            "ordered_to_rectify": "责令整改（家）",
        },
    ),
    "exam_bodies": (
        "考试机构",
        {
            "inspected": "检查（家）",
            "problems": "发现问题（项）",
            "exam_points_cancelled": "取消考试点（家）",
            "exams_suspended": "停考整顿（家）",
            "ordered_to_rectify": "责令整改（家）",
        },
    ),
    "enterprises": (
        "企业",
        {
            "inspected": "抽查（家）",
            "problems": "发现问题（项）",
            "penalised": "行政处罚（家）",
            "fines_yuan": "罚款（元）",
        },
    ),
    "remote_patrols": (
        "远程巡考",
        {"sittings_patrolled": "巡考（场次）", "persons_sanctioned": "警告或取消成绩（人次）"},
    ),
}


def notice_xlsx(content: NoticeContent) -> bytes:
    figures = content.figures
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    summary.append([content.title])
    summary["A1"].font = Font(bold=True, size=14)
    summary.append(["地区", figures["region"]["name"], figures["region"]["code"]])
    summary.append(["期间", figures["period"]["from"], figures["period"]["to"]])
    summary.append([])
    summary.append(["类别", "项目", "数值", "通报写法"])
    for group, (label, names) in LABELS.items():
        for key, name in names.items():
            value = figures[group][key]
            written = f"{wan_yuan_text(value)}元" if key == "fines_yuan" else count_text(value)
            summary.append([label, name, value, written])
    summary.append(["曝光", "典型案例（起）", figures["cases_publicized"], count_text(figures["cases_publicized"])])
    for key, label in PRACTICE_PHRASES.items():
        value = figures["practices"][key]
        summary.append(["工作举措", f"{label}的下级地区（个）", value, count_text(value)])
    summary.append([])
    summary.append(["通报表述", figures_sentence(figures)])
    summary.column_dimensions["A"].width = 12
    summary.column_dimensions["B"].width = 24
    summary.column_dimensions["C"].width = 14
    for table in content.tables:
        sheet = book.create_sheet(table.caption.split("　", 1)[0])
        sheet.append([table.caption])
        sheet["A1"].font = Font(bold=True)
        sheet.append(table.headings)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, horizontal="center")
        for row in table.rows:
            sheet.append([row[0], *(int(v) for v in row[1:])])
        sheet.column_dimensions["A"].width = 20
    out = io.BytesIO()
    save_workbook(book, out)  # to bytes in memory (openpyxl's writer; nothing of the database)
    return out.getvalue()
