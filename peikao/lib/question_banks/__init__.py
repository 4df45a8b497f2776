"""Parse the question-bank files the industry actually uses into normalised questions.

Pure Python (openpyxl for XLSX, nothing from Django or the rest of Peikao): the exams app wires
``parse_bank`` into its questions import (peikao/exams/banks.py). The parser accepts every well-formed
question, names every defective row with a bilingual reason, and drops duplicate questions (counting
them).

Modules: ``reader`` (the entry point), ``formats`` (one reader per layout), ``rows`` (a row → a question),
``options`` (splitting an options cell), ``answers`` (types and answers), ``dedupe``, ``text``,
``messages`` (the reasons, in both languages) and ``results`` (what the parser returns).

Layouts understood (see ../../../../shared/spec/exchange.md and the NOTE.txt files of the real banks):

* spreadsheets (XLSX, or CSV) with a header row: the training-site layout
  ``作业种类 | 试题类型 | 题目内容 | 题目选项 | 题目答案`` where all options sit in one cell joined with
  ``**`` or ``##``, and the exchange layout ``questions.csv`` (English keys or Chinese labels, one
  column per option ``option_a`` … ``option_f`` / ``选项A`` … ``选项F``);
* JSON: a list of objects ``{"category": <question type>, "title", "choices", "answer"}`` (gtpx_web);
* the diyadiangong scrapes: ``<n>#<statement>$<0|1>`` and ``<n>#<stem>#<o1>$<o2>$…`` text lines, and
  their headerless XLSX (sheets ``xz`` and ``pd``); there the FIRST option is the correct one and
  ``0`` means 正确.

Row numbers are what a person sees: the spreadsheet row (header = row 1), the line of a text file,
or the 1-based index in a JSON list.

Normalisation, and why:

* stems lose the bank's running number ("12.", "12、", "178关于…" when it continues the count), tabs
  become spaces, and lines wrapped inside a cell are joined (PDF copies: "压力管\n道" → "压力管道");
* options lose their labels and outer blanks, nothing else; a "**C" left inside an option by the
  converter that wrote the "**A" labels ("**CO2", "30m**A") becomes the plain letter again;
* a cell whose labels are missing, repeated or ambiguous is rejected with ``option_labels`` rather
  than split by guesswork: a wrongly split question is worse than a reported one;
* duplicates are the same stem and the same set of options after folding whitespace and full-width
  forms (not letter case); copies that disagree on the answer are all rejected as contradictions.
"""

from __future__ import annotations

from peikao.lib.question_banks.messages import MESSAGES
from peikao.lib.question_banks.options import OptionSplit, split_options
from peikao.lib.question_banks.reader import parse_bank
from peikao.lib.question_banks.results import BankProblem, BankResult, ParsedQuestion, QType

__all__ = [
    "MESSAGES",
    "BankProblem",
    "BankResult",
    "OptionSplit",
    "ParsedQuestion",
    "QType",
    "parse_bank",
    "split_options",
]
