"""Question banks through the import (real files from ../shared/data/question-banks, marked shared_data as they may
not be copied into the repository; and a hand-made one), sittings.csv, results.csv."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from peikao.core.exchange.runner import run_export, run_import
from peikao.exams import services
from peikao.exams.banks import parse_bank
from peikao.exams.models import Question, Result, Sitting
from peikao.testing.exams import sitting_at
from peikao.testing.shared_data import QUESTION_BANKS

pytestmark = pytest.mark.django_db


def bank(name: str) -> Path:
    path = next(QUESTION_BANKS.glob(f"*/{name}"), None)
    assert path is not None, f"{name} is missing from {QUESTION_BANKS}"
    return path


@pytest.mark.shared_data
def test_a_real_bank_imports_every_valid_question_and_names_every_bad_row():
    path = bank("national_welding_2018.xlsx")
    parsed = parse_bank(path, path.name)
    rejected = run_import(kind_name="questions", source=path, filename=path.name, options={"operation_item": "2.1"})
    assert rejected.status == "rejected" and not Question.objects.exists()
    assert {p.row for p in rejected.problems} == {p.row for p in parsed.problems}
    assert all(p.zh and p.en for p in rejected.problems)
    imported = run_import(
        kind_name="questions", source=path, filename=path.name, skip_invalid=True, options={"operation_item": "2.1"}
    )
    assert imported.ok and imported.counts.imported == len(parsed.questions)
    assert Question.objects.filter(operation_item__code="2.1").count() == len(parsed.questions)
    again = run_import(
        kind_name="questions", source=path, filename=path.name, skip_invalid=True, options={"operation_item": "2.1"}
    )
    assert again.counts.imported == 0 and again.counts.unchanged == len(parsed.questions) + parsed.duplicates


@pytest.mark.shared_data
def test_a_clean_bank_imports_whole_and_its_item_comes_from_the_file():
    path = bank("high_voltage_electrician_basic.json")
    result = run_import(kind_name="questions", source=path, filename=path.name, options={"operation_item": "1.1"})
    assert result.ok, result.problems[:3]
    assert Question.objects.filter(operation_item__code="1.1", qtype="judge").count() == 650


def test_a_bank_without_an_item_is_refused_with_the_reason(tmp_path):
    path = tmp_path / "single_choice.txt"  # the layout of diyadiangong's 选择.txt, which names no operation item
    path.write_text("0#电工作业人员必须年满（）周岁。#18$16$20$22\n1#绝缘手套属于（）安全用具。#辅助$基本$一般$特殊\n")
    result = run_import(kind_name="questions", source=path, filename=path.name)
    assert result.status == "rejected" and result.problems[0].code == "bank_unknown"


def test_questions_export_reimports_unchanged(exam_world, tmp_path):
    path = tmp_path / "questions.csv"
    with open(path, "wb") as fh:
        count = run_export(kind_name="questions", target=fh, filename=path.name)
    assert count == Question.objects.count() == 120
    again = run_import(kind_name="questions", source=path, filename=path.name)
    assert again.ok and again.counts.imported == 0 and again.counts.unchanged == 120


def test_sittings_and_results_round_trip(exam_world, tmp_path):
    sitting = sitting_at(exam_world)
    services.staff_assign(actor=exam_world["staff"], sitting=sitting, person=exam_world["proctor"], role="proctor")
    for person in exam_world["candidates"][:2]:
        registration = services.register(actor=exam_world["staff"], sitting=sitting, person=person)
        Result.objects.create(
            registration=registration,
            score=86,
            passed=True,
            status="valid",
            answers={"Q1": "A"},
            submitted_at=sitting.starts_at + dt.timedelta(minutes=50),
        )
    for kind in ("sittings", "results"):
        path = tmp_path / f"{kind}.csv"
        with open(path, "wb") as fh:
            assert run_export(kind_name=kind, target=fh, filename=path.name) > 0
        again = run_import(kind_name=kind, source=path, filename=path.name)
        assert again.ok and again.counts.imported == 0 and again.counts.updated == 0, (kind, again.problems)
    text = (tmp_path / "results.csv").read_text(encoding="utf-8-sig")
    assert "Q1=A" in text and exam_world["candidates"][0].id_number in text


def test_results_of_another_system_are_imported_for_a_sitting(exam_world):
    import io

    sitting_at(exam_world, "HIST-1")
    person = exam_world["candidates"][3]
    lines = [
        "sitting_code,id_number,attempt,score,started_at,submitted_at,answers,status",
        f"HIST-1,{person.id_number},1,74.0,2026-09-15T09:00:00,2026-09-15T10:30:00,,valid",
        f"HIST-1,{exam_world['candidates'][4].id_number},1,,,,,absent",
        f"HIST-1,{exam_world['candidates'][5].id_number},1,,,,,valid",
    ]
    result = run_import(kind_name="results", source=io.BytesIO("\n".join(lines).encode()), filename="r.csv")
    assert result.status == "rejected" and [(p.row, p.column) for p in result.problems] == [(4, "score")]
    fixed = io.BytesIO(("\n".join(lines[:3]) + "\n").encode())
    assert run_import(kind_name="results", source=fixed, filename="r.csv").ok
    assert Result.objects.get(registration__person=person).score == 74 and Sitting.objects.count() == 1
