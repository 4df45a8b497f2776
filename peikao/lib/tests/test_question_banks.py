"""The question-bank parser against the real banks (../shared/data/question-banks; those tests are marked
shared_data, as the banks may not be copied into the repository) and small hand-made files.

No database: plain test functions. The per-file numbers below were checked by hand against the files
and their NOTE.txt counts; each entry's comment explains where the NOTE's count goes.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import openpyxl
import pytest

from peikao.lib.question_banks import MESSAGES, BankResult, ParsedQuestion, parse_bank, split_options
from peikao.testing.shared_data import QUESTION_BANKS as BANKS

needs_banks = pytest.mark.shared_data  # deselected where ../shared is absent (peikao/conftest.py)

# ---------------------------------------------------------------------------------------------
# The real banks
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    format: str
    judge: int
    single: int
    multi: int
    duplicates: int
    rejected: dict[int, str | tuple[str, ...]] = field(default_factory=dict)  # row -> code(s)
    skipped_sheets: tuple[str, ...] = ()


EXPECTED: dict[str, Expected] = {
    # NOTE: 402 单选 + 516 判断 (sheets xz and pd, no header). Single: 3 questions repeat with the same
    # options in another order (rows 390, 395, 388 repeat 381, 382, 383: same correct first option);
    # judge: row 93 repeats row 85. The sheets' rows are numbered from 1: there is no header.
    "diyadiangong/low_voltage_processed.xlsx": Expected("xlsx-diyadiangong", 515, 399, 0, 4),
    # NOTE: 402 单选 (same data as sheet xz above; the same 3 repeats).
    "diyadiangong/low_voltage_single_choice.txt": Expected("txt-diyadiangong", 0, 399, 0, 3),
    # NOTE: 516 判断 (same as sheet pd; line 93 repeats line 85).
    "diyadiangong/low_voltage_true_false.txt": Expected("txt-diyadiangong", 515, 0, 0, 1),
    # NOTE: 1363 q (702 判断, 661 单选), 1318 unique stems: the 45 repeated stems all have other options,
    # so none is a duplicate. Item 145 has an empty option A.
    "gtpx_web/fusion_welding_thermal_cutting_basic.json": Expected("json", 702, 660, 0, 0, {145: "empty_option"}),
    # NOTE: 249 rows: 109 判断, 90 单选, 50 多选 — all valid.
    "gtpx_web/general_enterprise_principal_responsible.xlsx": Expected("xlsx-bank", 109, 90, 50, 0),
    # NOTE: 299 rows: 94 判断 + 35 是非题 (= 129 judge), 110 单选, 60 多选. Row 274 repeats row 235 with
    # "，" for "、" and no final "。": 109 single.
    "gtpx_web/general_enterprise_safety_manager.xlsx": Expected("xlsx-bank", 129, 109, 60, 1),
    # NOTE: 1318 q (650 判断, 668 单选), 1311 unique stems: the 7 repeated stems have other options.
    "gtpx_web/high_voltage_electrician_basic.json": Expected("json", 650, 668, 0, 0),
    # NOTE: 628 q (319 判断, 309 单选): 6 items have only empty options "**A、 **B、 **C、 ", and item 317
    # repeats item 77 with "," for "，": 309 - 7 = 302.
    "gtpx_web/low_voltage_electrician_basic.json": Expected(
        "json",
        319,
        302,
        0,
        1,
        {243: "empty_option", 316: "empty_option", 327: "empty_option", 342: "empty_option"}
        | {574: "empty_option", 576: "empty_option"},
    ),
    # NOTE: 1303 rows: 709 判断, 594 单选. 6 single rows are broken: a label without its separator
    # (743 "仓库B棉织品", 782 "**A水**C湿布D灭火器", 1180 "…规程B服从管理C…"), label B twice (851),
    # options without any separator (880), answer C with only 2 options (1160).
    "gtpx_web/national_welding_2018.xlsx": Expected(
        "xlsx-bank",
        709,
        588,
        0,
        0,
        {743: "option_labels", 782: "option_labels", 851: "option_labels", 880: "too_few_options"}
        | {1160: "answer_out_of_range", 1180: "option_labels"},
    ),
    # NOTE: 628 rows: 305 判断, 323 单选. Judge row 459 repeats 379; single row 9 has labels A, B, B
    # and row 49 answers C with 2 options. Sheet2 is a task list (names and ranges), not questions.
    "gtpx_web/prov_low_voltage_electrician_628.xlsx": Expected(
        "xlsx-bank", 304, 321, 0, 1, {9: "option_labels", 49: "answer_out_of_range"}, ("Sheet2",)
    ),
    # NOTE: "735 rows" counts the header: 734 questions, 375 判断, 295 单选, 64 多选. Five judge statements
    # appear twice with opposite answers (552/608, 554/609, 618/669, 629/643, 662/670): all 10 rows are
    # rejected; rows 518 and 615 repeat 515 and 540 (judge), row 274 repeats 272 (single: "(" vs "（").
    # Rows 420/421 differ only in case (e、u、i vs E、U、I) and are two questions. Row 170: labels A B C C.
    "gtpx_web/prov_low_voltage_electrician_735.xlsx": Expected(
        "xlsx-bank",
        363,
        293,
        64,
        3,
        {170: "option_labels"}
        | dict.fromkeys([552, 554, 608, 609, 618, 629, 643, 662, 669, 670], "conflicting_duplicate"),
    ),
    # NOTE: 594 real rows + 46 trailing empty rows (skipped silently): 286 判断, 223 单选, 85 多选.
    # 4 judge and 1 single repeats; rows 64 ("8三次结晶" for B), 181 (idem), 128 and 280 (the "**C"
    # artefact of "CO2"/"C2H2" makes the C label ambiguous) cannot be split.
    "gtpx_web/prov_welding.xlsx": Expected(
        "xlsx-bank",
        282,
        219,
        84,
        5,
        {64: "option_labels", 128: "option_labels", 181: "option_labels", 280: "option_labels"},
    ),
    # NOTE: 742 real rows + 164 trailing empty rows: 294 判断, 279 单选, 169 多选. Judge 482 repeats 458;
    # multi 327 repeats 303 and 383 repeats 382 ("102附着式…": a number glued to the stem). Rows 26
    # (no B), 48/167/396 ("30**C.m" = 30cm makes C ambiguous), 404 (answer BD, 3 options) are rejected.
    "gtpx_web/prov_work_at_height.xlsx": Expected(
        "xlsx-bank",
        293,
        276,
        165,
        3,
        {26: "option_labels", 48: "option_labels", 167: "option_labels", 396: "option_labels"}
        | {404: "answer_out_of_range"},
    ),
    # NOTE: 1597 rows: 736 判断, 717 单选, 144 多选. Judge: 2 empty answers, 5 repeats. Single: 4 repeats,
    # 2 contradicting pairs (1338/1339 and 1397/1398 differ only in their running number), and 15
    # broken rows (labels C or D lost or glued: "…用D提升…", answers past the last option, empty B).
    # Multi: 1581 answers ABCD with 3 options. 835/838 (bare "**E", "**F" labels) are accepted.
    "gtpx_web/special_equipment_safety_management.xlsx": Expected(
        "xlsx-bank",
        729,
        694,
        143,
        9,
        {518: "empty_answer", 579: "empty_answer", 711: "empty_option"}
        | dict.fromkeys([721, 775, 779, 997, 1581], "answer_out_of_range")
        | dict.fromkeys([726, 727, 965, 989, 1003, 1009, 1016, 1024, 1041], "option_labels")
        | {966: ("answer_out_of_range", "too_few_options")}
        | dict.fromkeys([1338, 1339, 1397, 1398], "conflicting_duplicate"),
    ),
    # NOTE: 74 rows of type 数字类选择题 (numeric fill-in, no options column): every one is rejected.
    "gtpx_web/welding_numeric_fill_2018-10.xlsx": Expected(
        "xlsx-bank", 0, 0, 0, 0, dict.fromkeys(range(2, 76), "unknown_qtype_no_options")
    ),
    # NOTE: 909 q (278 判断, 631 单选): item 898 repeats item 696.
    "gtpx_web/work_at_height_install_maint_dismantle_basic.json": Expected("json", 277, 631, 0, 1),
}


@cache
def parsed(name: str) -> BankResult:
    return parse_bank(BANKS / name, name)


def bank_files() -> list[str]:
    if not BANKS.is_dir():
        return []
    return sorted(str(p.relative_to(BANKS)) for p in BANKS.glob("*/*") if p.is_file() and p.name != "NOTE.txt")


@needs_banks
def test_every_bank_file_has_expected_numbers():
    """A file added to the folder without checked numbers here must not pass unnoticed."""
    assert bank_files() == sorted(EXPECTED)


@needs_banks
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_bank(name):
    expected = EXPECTED[name]
    result = parsed(name)
    assert result.format == expected.format
    assert result.counts() == {"judge": expected.judge, "single": expected.single, "multi": expected.multi}
    assert result.duplicates == expected.duplicates
    rejected: dict[int, set[str]] = defaultdict(set)
    for problem in result.problems:
        rejected[problem.row].add(problem.code)
    as_codes = {row: (code,) if isinstance(code, str) else code for row, code in expected.rejected.items()}
    assert {row: tuple(sorted(codes)) for row, codes in rejected.items()} == as_codes
    assert result.rejected_rows == len(expected.rejected)
    assert result.skipped_sheets == list(expected.skipped_sheets)
    # Every problem speaks both languages and names its column.
    for problem in result.problems:
        assert problem.zh and problem.en and problem.zh != problem.en
        assert problem.column


@needs_banks
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_bank_questions_are_normalised(name):
    """Whatever the source, accepted questions satisfy the ParsedQuestion contract."""
    for question in parsed(name).questions:
        assert question.stem and question.stem == question.stem.strip() and "\t" not in question.stem
        if question.qtype == "judge":
            assert question.options == [] and question.answer in ("T", "F")
            continue
        assert all(option and option == option.strip() and "**" not in option for option in question.options)
        assert 2 <= len(question.options) <= 6
        assert question.answer == "".join(sorted(set(question.answer)))
        assert max(question.answer) <= "ABCDEF"[len(question.options) - 1]
        if question.qtype == "single":
            assert len(question.answer) == 1
        else:
            assert len(question.answer) >= 2


def question_at(name: str, row: int, sheet: str | None = None) -> ParsedQuestion:
    found = [q for q in parsed(name).questions if q.source_row == row and (sheet is None or q.sheet == sheet)]
    assert len(found) == 1, f"row {row} of {name} was not accepted"
    return found[0]


@needs_banks
def test_real_rows_spot_checks():
    # diyadiangong: the first option is the correct one; $1 = 错误.
    first = question_at("diyadiangong/low_voltage_single_choice.txt", 1)
    assert (first.qtype, first.answer, first.options) == ("single", "A", ["他人", "线路", "电缆", "配电室"])
    assert question_at("diyadiangong/low_voltage_true_false.txt", 4).answer == "F"
    assert question_at("diyadiangong/low_voltage_processed.xlsx", 4, "pd").answer == "F"
    assert question_at("diyadiangong/low_voltage_processed.xlsx", 1, "xz").options[0] == "他人"
    # gtpx JSON: the type sits in "category", options "**A、…" with trailing spaces.
    fusion = question_at("gtpx_web/fusion_welding_thermal_cutting_basic.json", 1)
    assert (fusion.qtype, fusion.category, fusion.options, fusion.answer) == (
        "single",
        "",
        ["煤油", "蜡烛", "豆油"],
        "C",
    )
    # Labels in shuffled order: "**C电磁场**A电伤**B电击", answer B = 电击.
    shuffled = question_at("gtpx_web/national_welding_2018.xlsx", 1250)
    assert (shuffled.options, shuffled.answer) == (["电伤", "电击", "电磁场"], "B")
    # Tabs and the running number leave the stem; the category is the 作业种类 column.
    tabbed = question_at("gtpx_web/national_welding_2018.xlsx", 2)
    assert (tabbed.stem, tabbed.category) == ("“安全第一,预防为主,综合治理”的安全生产方针是不合理的。", "电焊")
    # "**A.30m**A**B.50m**A…": the converter's "**A" inside the text is the unit mA.
    assert question_at("gtpx_web/prov_low_voltage_electrician_735.xlsx", 57).options == [
        "30mA",
        "50mA",
        "100mA",
        "150 mA",
    ]
    # "**A**CO   **B**CO2  **CH2   **DH2O": the glued "**C" are artefacts, the spaced ones labels.
    gases = question_at("gtpx_web/prov_welding.xlsx", 264)
    assert (gases.qtype, gases.options, gases.answer) == ("multi", ["CO", "CO2", "H2", "H2O"], "ACD")
    # Bare "**E…**F…" after "**D、": six options, answer ABCDEF.
    assert len(question_at("gtpx_web/special_equipment_safety_management.xlsx", 835).options) == 6
    # Labels written without a separator: "**A、参数B、特征C、载客量".
    assert question_at("gtpx_web/special_equipment_safety_management.xlsx", 1061).options == ["参数", "特征", "载客量"]
    # 是非题 is true/false; its options read 正确/不正确. Wrapped lines are joined ("爆\n破" → "爆破").
    yes_no = question_at("gtpx_web/general_enterprise_safety_manager.xlsx", 201)
    assert (yes_no.qtype, yes_no.answer, yes_no.options) == ("judge", "T", [])
    assert yes_no.stem.startswith("生产中接触二氧化硅粉尘的作业非常多，如冶金、爆破、修路")
    # Case matters: these two are different questions with opposite answers.
    assert question_at("gtpx_web/prov_low_voltage_electrician_735.xlsx", 420).answer == "T"
    assert question_at("gtpx_web/prov_low_voltage_electrician_735.xlsx", 421).answer == "F"
    # Running numbers: glued ("102附着式…"), before content digits ("260.1kW…"); content numbers stay.
    assert question_at("gtpx_web/prov_low_voltage_electrician_628.xlsx", 261).stem.startswith("1kW以上的电容器组")
    assert question_at("gtpx_web/fusion_welding_thermal_cutting_basic.json", 271).stem == "1个标准大气压为()。"
    assert question_at("gtpx_web/high_voltage_electrician_basic.json", 1).stem.startswith("1000kW以下")


@needs_banks
def test_real_reasons_name_the_row_and_cell():
    problems = {p.row: p for p in parsed("gtpx_web/special_equipment_safety_management.xlsx").problems}
    assert problems[721].column == "题目答案" and problems[721].value == "D"
    assert problems[721].zh == "答案“D”超出选项范围：只有 3 个选项（A–C）。"
    assert problems[721].en == 'Answer "D" points past the last option: there are only 3 options (A–C).'
    assert problems[1338].zh == "与第 1339 行题干和选项相同，但题型或答案不同，无法判断哪一个正确。"
    numeric = parsed("gtpx_web/welding_numeric_fill_2018-10.xlsx").problems[0]
    assert (numeric.row, numeric.column, numeric.value) == (2, "试题类型", "数字类选择题")
    assert "数字类选择题" in numeric.zh and "no options" in numeric.en


# ---------------------------------------------------------------------------------------------
# Small in-memory files
# ---------------------------------------------------------------------------------------------

GTPX_HEADER = ["作业种类", "试题类型", "题目内容", "题目选项", "题目答案"]


def xlsx(*sheets: tuple[str, list[list[object]]]) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def bank(*rows: list[object], header: list[str] = GTPX_HEADER) -> BankResult:
    """A training-site workbook: header on row 1, the given rows from row 2."""
    return parse_bank(xlsx(("Sheet1", [header, *rows])), "bank.xlsx")


def only(result: BankResult) -> ParsedQuestion:
    assert result.problems == [], result.problems
    assert len(result.questions) == 1
    return result.questions[0]


def codes(result: BankResult) -> list[tuple[int, str]]:
    return [(p.row, p.code) for p in result.problems]


@pytest.mark.parametrize(
    ("cell", "options"),
    [
        ("**A、甲**B、乙**C、丙", ["甲", "乙", "丙"]),
        ("**A.甲**B.乙**C.丙", ["甲", "乙", "丙"]),
        ("**A:甲**B:乙**C:丙", ["甲", "乙", "丙"]),
        ("**A：甲**B：乙**C：丙", ["甲", "乙", "丙"]),
        ("**A．甲**B．乙**C．丙", ["甲", "乙", "丙"]),
        ("**A:甲**B：乙**C:丙", ["甲", "乙", "丙"]),  # half- and full-width colons mixed
        ("##A、甲##B、乙##C、丙", ["甲", "乙", "丙"]),
        ("**甲**乙**丙", ["甲", "乙", "丙"]),  # no labels at all
        ("##甲##乙##丙##", ["甲", "乙", "丙"]),  # a trailing separator is no empty option
        ("甲##乙##丙", ["甲", "乙", "丙"]),  # no separator before the first
        ("**A甲**B乙**C丙", ["甲", "乙", "丙"]),  # bare letters
        ("A、甲 B、乙 C、丙", ["甲", "乙", "丙"]),  # labels without separators
        (" **A、 甲 **B、乙\n**C、丙 \n", ["甲", "乙", "丙"]),
        ("**C丙**A甲**B乙", ["甲", "乙", "丙"]),  # labels in shuffled order
        ("****A、甲***B、乙**C、丙", ["甲", "乙", "丙"]),  # extra stars
        ("**A、甲，乙。**B、（丙）", ["甲，乙。", "（丙）"]),  # Chinese punctuation is kept
        ("**A.30m**A**B.50m**A**C.10m**A", ["30mA", "50mA", "10mA"]),  # "**A" inside the text is a letter
        ("**A**CO   **B**CO2  **CH2", ["CO", "CO2", "H2"]),
        ("**A、参数B、特征C、载客量", ["参数", "特征", "载客量"]),  # separators lost inside the cell
        ("**A、甲**B、乙**C、丙**D丁", ["甲", "乙", "丙", "丁"]),  # the last label lost its punctuation
        ("**A.甲**B.乙**C.丙**D.**A、**B两种", ["甲", "乙", "丙", "A、B两种"]),  # "A、B" inside D
    ],
)
def test_split_options(cell, options):
    split = split_options(cell)
    assert (split.options, split.detail) == (options, None)


@pytest.mark.parametrize(
    ("cell", "detail_en"),
    [
        ("**A.甲**C.丙**D.丁", "label B missing or out of place"),
        ("**A.4**B.6**B.10", "a label occurs more than once and it is unclear which one starts the option"),
        (
            "**A、甲**B、乙**C、停电时用D提升高度",
            "option C seems to contain label D without a separator (…停电时用D提升高度…)",
        ),
        ("**B.乙**C.丙", "the first option is labelled B, A is missing"),
    ],
)
def test_split_options_refuses_to_guess(cell, detail_en):
    split = split_options(cell)
    assert split.options == []
    assert split.detail is not None and split.detail[1] == detail_en


def test_options_in_separate_columns_lose_their_labels():
    header = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "答案"]
    question = only(bank(["单选题", "下列正确的是（）。", "A. 甲", "B．乙", "丙", None, "B"], header=header))
    assert (question.options, question.answer) == (["甲", "乙", "丙"], "B")
    header = ["qtype", "stem", "A", "B", "C", "answer"]
    assert only(bank(["multi", "选出", "x", "y", "z", "AC"], header=header)).options == ["x", "y", "z"]


@pytest.mark.parametrize(
    ("answer", "options", "expected"),
    [
        ("对", None, "T"),
        ("错", None, "F"),
        ("正确", None, "T"),
        ("错误", None, "F"),
        ("√", None, "T"),
        ("×", None, "F"),
        ("T", None, "T"),
        ("f", None, "F"),
        ("true", None, "T"),
        ("A", "**A.正确**B.错误", "T"),
        ("B ", "**A:正确**B:不正确", "F"),
        ("A", "**A.错误**B.正确", "F"),  # the letter means what its option says
        ("B", None, "F"),  # no options: A = 正确, B = 错误 as in every bank we know
    ],
)
def test_judge_answers(answer, options, expected):
    question = only(bank(["电工", "判断题", "1.接地线可以缠绕。", options, answer]))
    assert (question.qtype, question.answer, question.options, question.stem) == (
        "judge",
        expected,
        [],
        "接地线可以缠绕。",
    )


def test_zero_and_one_are_judge_answers_only_where_the_file_says_so():
    # In an ordinary bank nobody says whether 1 means true.
    assert codes(bank(["", "判断题", "接地线可以缠绕。", None, 1])) == [(2, "ambiguous_judge_answer")]
    # diyadiangong: $0 = 正确, $1 = 错误.
    result = parse_bank(b"0#statement one$0\n1#statement two$1\n", "pd.txt")
    assert [(q.source_row, q.answer) for q in result.questions] == [(1, "T"), (2, "F")]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("ABD", "ABD"), ("A,B,D", "ABD"), ("A、B、D", "ABD"), ("a b d", "ABD"), ("ＡＢＤ", "ABD"), ("DBA", "ABD")],
)
def test_multi_answer_spellings(answer, expected):
    assert only(bank(["", "多选题", "选出正确的。", "**A.甲**B.乙**C.丙**D.丁", answer])).answer == expected


@pytest.mark.parametrize(
    ("row", "code"),
    [
        (["", "单选题", "题目", "**A.甲**B.乙**C.丙", "D"], "answer_out_of_range"),
        (["", "单选题", "题目", "**A.甲**B.乙**C.丙", None], "empty_answer"),
        (["", "单选题", "  ", "**A.甲**B.乙**C.丙", "A"], "empty_stem"),
        (["", "单选题", "题目", "**A.甲", "A"], "too_few_options"),
        (["", "多选题", "题目", "**A.甲**B.乙", "AB"], "too_few_options"),
        (["", "多选题", "题目", "**A.甲**B.乙**C.丙", "B"], "multi_one_answer"),
        (["", "单选题", "题目", "**A.甲**B.乙**C.丙", "AB"], "single_many_answers"),
        (["", "单选题", "题目", "**A.甲**B.乙**C.丙", "A?"], "invalid_answer"),
        (["", "多选题", "题目", "**A.甲**B.乙**C.丙", "AAB"], "repeated_answer"),
        (["", "单选题", "题目", "**A.甲**B.**C.丙", "A"], "empty_option"),
        (["", "单选题", "题目", "**A.甲**C.丙**D.丁", "A"], "option_labels"),
        (["", "单选题", "题目", "**一**二**三**四**五**六**七", "A"], "too_many_options"),
        (["", "数字类选择题", "题目()mm", None, 2.5], "unknown_qtype_no_options"),
        (["", "填空题", "题目", "**A.甲**B.乙", "A"], "unknown_qtype"),
        (["", None, "题目", "**A.甲**B.乙", "A"], "empty_qtype"),
        (["", "判断题", "题目", None, "也许"], "invalid_judge_answer"),
        (["", "判断题", "题目", "**A.甲**B.乙", "A"], "judge_options"),
    ],
)
def test_defects_are_reported_with_row_and_reason(row, code):
    good = ["", "单选题", "好题目", "**A.甲**B.乙", "A"]
    result = bank(good, row, good)
    assert codes(result) == [(3, code)]
    assert len(result.questions) == 1 and result.duplicates == 1  # the two good rows are one question
    problem = result.problems[0]
    assert problem.zh and problem.en and problem.zh != problem.en
    assert problem.column in GTPX_HEADER


def test_a_row_with_several_defects_reports_each():
    result = bank(["", "单选题", "", "**A.甲", ""])
    assert sorted(codes(result)) == [(2, "empty_answer"), (2, "empty_stem"), (2, "too_few_options")]
    assert result.rejected_rows == 1


def test_trailing_empty_rows_are_skipped_but_a_row_with_any_content_is_not():
    good = ["电工", "判断题", "接地线可以缠绕。", None, "错"]
    result = bank(good, *([None] * 5 for _ in range(300)), ["电工", None, None, None, None], [None] * 5)
    assert len(result.questions) == 1
    assert sorted(codes(result)) == [(303, "empty_answer"), (303, "empty_qtype"), (303, "empty_stem")]


def test_row_numbers_are_those_a_person_sees():
    title = ["2024 题库", None, None, None, None]  # a title line above the header
    result = parse_bank(xlsx(("Sheet1", [title, GTPX_HEADER, ["", "单选题", "题", "**A.甲", "A"]])), "t.xlsx")
    assert codes(result) == [(3, "too_few_options")]
    data = [{"category": "判断题", "title": "t", "choices": "**A、正确**B、错误", "answer": "C"}]
    assert codes(parse_bank(json.dumps(data).encode(), "q.json")) == [(1, "invalid_judge_answer")]
    text = b"0#fine$0\n\nthis line is broken\n"
    assert codes(parse_bank(text, "pd.txt")) == [(3, "bad_line")]


def test_gtpx_json_layout():
    data = [
        {"category": "判断题", "title": "接地线可以缠绕。", "choices": "**A、正确**B、错误", "answer": "B"},
        {"category": "单选题", "title": "电压单位是()。", "choices": "**A、V **B、A **C、W ", "answer": "A"},
        "not an object",
    ]
    result = parse_bank(io.BytesIO(json.dumps(data, ensure_ascii=False).encode()), "basic.json")
    assert result.format == "json"
    assert [(q.qtype, q.answer, q.options) for q in result.questions] == [
        ("judge", "F", []),
        ("single", "A", ["V", "A", "W"]),
    ]
    assert codes(result) == [(3, "bad_record")]


def test_diyadiangong_text_and_workbook():
    text = "0#电压的单位符号是( )。#V$kW$J$A\n1#电流的单位是( )。#A$V\n2#broken line\n".encode()
    result = parse_bank(text, "xz.txt")
    assert result.format == "txt-diyadiangong"
    assert [(q.source_row, q.answer, q.options) for q in result.questions] == [
        (1, "A", ["V", "kW", "J", "A"]),
        (2, "A", ["A", "V"]),
    ]
    assert codes(result) == [(3, "bad_line")]
    workbook = xlsx(("xz", [["电压的单位符号是( )。", "V", "kW", "J", "A"]]), ("pd", [["大地是导体。", 0], ["", 1]]))
    result = parse_bank(workbook, "processed.xlsx")
    assert result.format == "xlsx-diyadiangong"
    assert [(q.sheet, q.source_row, q.answer) for q in result.questions] == [("xz", 1, "A"), ("pd", 1, "T")]
    assert [(p.sheet, p.row, p.code) for p in result.problems] == [("pd", 2, "empty_stem")]


def test_exchange_layout_with_english_keys_csv():
    rows = [
        "question_code,operation_item,qtype,stem,option_a,option_b,option_c,answer,knowledge_point,difficulty,explanation",
        "Q1,1.2,single,电压单位是,V,A,W,A,单位,2,伏特",
        "Q2,1.2,judge,大地是导体,,,,对,,,",
        "Q3,1.2,multi,选出导体,铜,铝,木,AB,,9,",
        "Q1,1.2,judge,重复编号,,,,错,,,",
        ",1.2,judge,没有编号,,,,错,,,",
    ]
    result = parse_bank(("\ufeff" + "\n".join(rows)).encode(), "questions.csv")
    assert result.format == "csv-exchange"
    first = result.questions[0]
    assert (first.code, first.category, first.knowledge_point, first.difficulty, first.explanation) == (
        "Q1",
        "1.2",
        "单位",
        2,
        "伏特",
    )
    assert [(q.code, q.qtype, q.answer) for q in result.questions] == [("Q1", "single", "A"), ("Q2", "judge", "T")]
    assert codes(result) == [(4, "invalid_difficulty"), (5, "duplicate_code"), (6, "missing_code")]
    assert result.problems[1].zh == "试题编号“Q1”重复：第 2 行已使用。"


def test_exchange_layout_with_chinese_labels_xlsx_and_gbk_csv():
    header = ["试题编号", "作业项目", "题型", "题干", "选项A", "选项B", "选项C", "答案", "知识点", "难度", "解析"]
    row = ["Q9", "焊接", "多选", "选出气体", "氧气", "氩气", "铁", "AB", "气体", 3, ""]
    result = bank(row, header=header)
    assert result.format == "xlsx-exchange"
    question = only(result)
    assert (question.code, question.qtype, question.answer, question.category) == ("Q9", "multi", "AB", "焊接")
    gbk = "试题编号,题型,题干,答案\nQ1,判断,大地是导体,错\n".encode("gbk")
    assert only(parse_bank(gbk, "questions.csv")).answer == "F"


def test_duplicates_ignore_whitespace_width_labels_and_numbering():
    result = bank(
        ["", "单选题", "1.电压的单位是（ ）。", "**A.伏特**B.安培", "A"],
        ["", "单选题", "2、电压的单位是(  )", "##伏特##安培", "A"],  # half-width brackets, no labels
        ["", "单选题", "3 电压的单位是 ()。", "**B:安培**A:伏特", "A"],  # other label style and order
        ["", "单选题", "4.电压的单位是（）。", "**A.伏特**B.千伏", "A"],  # other options: another question
    )
    assert [q.source_row for q in result.questions] == [2, 5]
    assert result.duplicates == 2 and result.problems == []


def test_reordered_options_with_the_same_correct_text_are_duplicates():
    result = bank(
        ["", "单选题", "电压的单位是（）。", "**A.伏特**B.安培", "A"],
        ["", "单选题", "电压的单位是（）。", "**A.安培**B.伏特", "B"],
    )
    assert (len(result.questions), result.duplicates) == (1, 1)


def test_copies_that_disagree_are_all_rejected():
    result = bank(
        ["", "判断题", "接地线可以缠绕。", None, "错"],
        ["", "判断题", "接地线可以缠绕。", None, "对"],
        ["", "单选题", "电压的单位是（）。", "**A.伏特**B.安培", "A"],
        ["", "单选题", "电压的单位是（）。", "**A.安培**B.伏特", "A"],  # same options, other correct text
    )
    assert result.questions == [] and result.duplicates == 0
    assert codes(result) == [(row, "conflicting_duplicate") for row in (2, 3, 4, 5)]
    assert result.problems[0].zh == "与第 3 行题干和选项相同，但题型或答案不同，无法判断哪一个正确。"


def test_letter_case_is_not_folded_when_comparing():
    result = bank(
        ["", "判断题", "瞬时值一般用大写字母e、u、i来表示。", None, "对"],
        ["", "判断题", "瞬时值一般用大写字母E、U、I来表示。", None, "错"],
    )
    assert [q.answer for q in result.questions] == ["T", "F"] and result.problems == []


def test_stem_cleaning():
    result = bank(
        ["", "判断题", "1\t接地线\t可以缠绕。\t\t", None, "错"],
        ["", "判断题", "2特种设备包括锅炉、压力\n管道。", None, "对"],  # glued number continues the count
        ["", "判断题", "3.1kW以上的电容器组采用三角形。", None, "对"],  # number before a content digit
        ["", "判断题", "1000kW以下的电动机装设速断保护。", None, "对"],  # no count to continue: content
    )
    assert [q.stem for q in result.questions] == [
        "接地线 可以缠绕。",
        "特种设备包括锅炉、压力管道。",
        "1kW以上的电容器组采用三角形。",
        "1000kW以下的电动机装设速断保护。",
    ]


def test_unknown_and_unreadable_files():
    result = parse_bank(xlsx(("Sheet1", [["姓名", "电话"], ["张三", "1"]])), "people.xlsx")
    assert (result.format, codes(result), result.questions) == ("unknown", [(1, "unknown_layout")], [])
    assert codes(parse_bank(b"not a zip", "broken.xlsx")) == [(1, "unknown_layout")]
    assert "xlsx" in parse_bank(b"\xd0\xcf\x11\xe0", "old.xls").problems[0].en
    assert codes(parse_bank(b"{not json", "q.json")) == [(1, "unknown_layout")]
    assert codes(parse_bank("随便写的文字\n".encode(), "notes.txt")) == [(1, "unknown_layout")]


def test_extra_sheets_without_questions_are_named_not_parsed():
    workbook = xlsx(("Sheet1", [GTPX_HEADER, ["", "判断题", "题", None, "对"]]), ("Sheet2", [[None, "任务分配"]]))
    result = parse_bank(workbook, "bank.xlsx")
    assert (len(result.questions), result.skipped_sheets, result.problems) == (1, ["Sheet2"], [])


def test_every_message_has_both_languages_with_the_same_parameters():
    import string

    for code, (zh, en) in MESSAGES.items():
        fields_zh = {name for _, name, _, _ in string.Formatter().parse(zh) if name}
        fields_en = {name for _, name, _, _ in string.Formatter().parse(en) if name}
        # qtype_zh / detail_zh pair with qtype_en / detail_en; every other parameter appears in both.
        assert {f.removesuffix("_zh") for f in fields_zh} == {f.removesuffix("_en") for f in fields_en}, code
        assert zh != en, code
