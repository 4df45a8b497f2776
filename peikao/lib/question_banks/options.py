"""Splitting an options cell ("**A、…**B、…", "A. … B. …", unlabelled lists) into option texts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from peikao.lib.question_banks.results import LETTERS
from peikao.lib.question_banks.text import clean_text

# Label punctuation, grouped so that "A:" and "A：" (or "A." and "A．") count as the same style.
_PUNCT_CLASS = {
    ".": "dot",
    "．": "dot",
    "、": "comma",
    ",": "comma",
    "，": "comma",
    ":": "colon",
    "：": "colon",
    ")": "paren",
    "）": "paren",
}
_PUNCT = "".join(_PUNCT_CLASS)
_SEP_RE = re.compile(r"\*{2,}|#{2,}")
# After a separator: an optional label. Upper-case letters may stand alone ("**A弧柱"); a lower-case
# one only with punctuation ("**c、润滑系"), since "**cm" is text.
_SEP_LABEL_RE = re.compile(rf"\s*(?:([A-Z])\s*([{_PUNCT}])?|([a-z])\s*([{_PUNCT}]))[{_PUNCT}]?")
# A label inside the text without a separator ("…部门C、国务院…"): a letter not glued to other
# letters or digits ("GB、" is text), followed by label punctuation.
_INLINE_LABEL_RE = re.compile(rf"(?<![A-Za-z0-9])([A-Z])\s*([{_PUNCT}])")
_START_LABEL_RE = re.compile(rf"^\s*([A-Z])\s*([{_PUNCT}])[{_PUNCT}]?")
# The label after the last one, glued between Chinese characters at the end of the cell ("…楼梯用D提升
# 高度大"): a fourth option that lost its separator and punctuation. "A、B、C、D级" (after 、) is text.
_HIDDEN_LABEL = r"(?<=[\u4e00-\u9fff.。]){letter}(?=[\u4e00-\u9fff])"
_MAX_CHAINS = 20000  # the search below is tiny on real cells; this only guards against a pathological one


@dataclass(frozen=True)
class _Marker:
    """A possible option label: where it starts, where its text starts, its letter and punctuation class."""

    start: int
    text_start: int
    letter: str | None
    style: str | None  # punctuation class, None when the letter stands alone


@dataclass
class OptionSplit:
    """The options found in one cell, or why they could not be found."""

    options: list[str]
    detail: tuple[str, str] | None = None  # (zh, en) when the labels are broken


def _strip_separators(text: str) -> str:
    # A converter that wrote "**A" for every label also turned letters inside the text into "**C"
    # ("**CO2", "30m**A"): once the labels are known, a leftover separator is that artefact.
    return clean_text(_SEP_RE.sub("", text))


def _separator_markers(text: str) -> list[_Marker]:
    markers = []
    for match in _SEP_RE.finditer(text):
        label = _SEP_LABEL_RE.match(text, match.end())
        if label and (label.group(1) or label.group(3)):
            letter = (label.group(1) or label.group(3)).upper()
            punct = label.group(2) or label.group(4)
            end = label.end()
            markers.append(_Marker(match.start(), end, letter, _PUNCT_CLASS[punct] if punct else None))
        else:
            markers.append(_Marker(match.start(), match.end(), None, None))
    return markers


def _inline_markers(text: str, after: int, seps: list[_Marker]) -> list[_Marker]:
    # A separator's own label ("**B、") also looks like an inline label two characters later; skip those.
    inside = [(m.start, m.text_start) for m in seps]
    return [
        _Marker(m.start(), m.end(), m.group(1), _PUNCT_CLASS[m.group(2)])
        for m in _INLINE_LABEL_RE.finditer(text, after)
        if not any(lo <= m.start() < hi for lo, hi in inside)
    ]


def _chain_texts(text: str, chain: list[_Marker]) -> list[str]:
    ends = [m.start for m in chain[1:]] + [len(text)]
    return [_strip_separators(text[m.text_start : end]) for m, end in zip(chain, ends, strict=True)]


def _best_chain(text: str, first: _Marker, candidates: list[_Marker], style: str | None) -> tuple[list[_Marker], bool]:
    """The label chain A, B, C… (in text order, starting at ``first``) that best explains the cell, and
    whether it is ambiguous.

    Preference: more options; then fewer empty options (a label directly after a label is an artefact,
    "**A**CO   **B**CO2"); then more labels in the row's own punctuation style; then fewer labels glued to
    the marker before them ("**C**CO2": the second one is the artefact). Chains that tie on all four mean
    the cell cannot be split reliably (e.g. "**A.4**B.6**B.10").
    """
    by_letter: dict[str, list[_Marker]] = {}
    for marker in sorted(candidates, key=lambda m: m.start):
        if marker.letter and marker.start > first.start:
            by_letter.setdefault(marker.letter, []).append(marker)
    glued = {m.start for m in candidates for other in candidates if other.text_start == m.start}
    best: tuple[int, int, int, int] | None = None
    best_chains: list[list[_Marker]] = []
    visited = 0

    def score(chain: list[_Marker]) -> tuple[int, int, int, int]:
        texts = _chain_texts(text, chain)
        empty = sum(1 for t in texts if not t)
        return (len(chain), -empty, sum(1 for m in chain if m.style == style), -sum(m.start in glued for m in chain))

    def walk(chain: list[_Marker]) -> None:
        nonlocal best, best_chains, visited
        visited += 1
        if visited > _MAX_CHAINS:
            return
        current = score(chain)
        if best is None or current > best:
            best, best_chains = current, [list(chain)]
        elif current == best:
            best_chains.append(list(chain))
        following = chr(ord(chain[-1].letter or "A") + 1)
        for nxt in by_letter.get(following, []):
            if nxt.start > chain[-1].start:
                walk([*chain, nxt])

    walk([first])
    return best_chains[0], len(best_chains) > 1


def _misplaced_labels(chain: list[_Marker], markers: Iterable[_Marker]) -> list[str]:
    """Labels the chain could not reach: letters after its last one ("**A…**B…**D…" lacks C)."""
    last = chain[-1].letter or "A"
    beyond = sorted({m.letter for m in markers if m.letter and m.letter > last})
    if not beyond:
        return []
    skipped = [chr(c) for c in range(ord(last) + 1, ord(beyond[-1])) if chr(c) not in beyond]
    return skipped or beyond  # nothing skipped: a later label stands before an earlier one


def split_options(cell: str) -> OptionSplit:
    """Split one options cell into option texts, labels removed, in label order.

    Handles ``**`` and ``##`` separators, labels ``A、`` ``A.`` ``A:`` ``A：`` ``A．`` ``A)`` or bare
    ``A``, unlabelled lists, labels in shuffled order ("**C…**A…**B…"), labels written without a
    separator ("A、… B、… C、…"), and the "**X" artefacts inside option texts. When the labels are
    missing, repeated or ambiguous, returns no options and a (zh, en) detail instead of guessing.
    """
    text = cell.strip()
    if not text:
        return OptionSplit([])
    seps = _separator_markers(text)
    prefix = text[: seps[0].start] if seps else text
    start_label = _START_LABEL_RE.match(prefix)
    virtual = (
        [_Marker(0, start_label.end(), start_label.group(1), _PUNCT_CLASS[start_label.group(2)])] if start_label else []
    )
    if not seps and not virtual:
        # No separator and no label: one option per line, or the whole cell is one option.
        return OptionSplit([clean_text(line) for line in text.splitlines() if line.strip()])
    if prefix.strip() and not virtual:
        # Text before the first separator that is no label: an unlabelled list whose first item has no
        # separator in front of it ("甲##乙##丙").
        return _unlabelled(text, seps, include_prefix=True)

    head = virtual[0] if virtual else seps[0]
    if head.letter != "A":
        letters = [m.letter for m in seps if m.letter]
        shuffled = len(letters) == len(seps) and sorted(letters) == list(LETTERS[: len(letters)])
        if not virtual and shuffled and len(letters) >= 2:
            # Labels in shuffled order ("**C电磁场**A电伤**B电击"): each label still names its option.
            texts = dict(zip(letters, _chain_texts(text, seps), strict=True))
            return OptionSplit([texts[letter] for letter in sorted(texts)])
        if head.letter and head.style:
            return OptionSplit(
                [],
                (
                    f"第一个选项标为 {head.letter}，缺少 A",
                    f"the first option is labelled {head.letter}, A is missing",
                ),
            )
        return _unlabelled(text, seps, include_prefix=False)

    labelled = [m for m in seps if m.letter]
    # The row's label style is the most common punctuation among its labels (a tie goes to punctuation
    # over none). In a punctuated row a bare "**C" is the letter artefact, so it is no label candidate.
    styles = Counter(m.style for m in [*virtual, *labelled])
    style = max(styles, key=lambda s: (styles[s], s is not None))
    inline = [] if seps else _inline_markers(text, head.text_start, seps)
    strict = [m for m in [*labelled, *inline] if style is None or m.style == style]

    chain, ambiguous = _best_chain(text, head, strict, style)
    in_text = _inline_markers(text, head.text_start, seps)
    following = chr(ord(chain[-1].letter or "A") + 1)
    if _misplaced_labels(chain, labelled) or any(m.letter == following and m.start > chain[-1].start for m in in_text):
        # A label lost its separator ("…**B、…部门C、国务院…**D、…", "**A、参数B、特征C、载客量") or its
        # punctuation ("**D、…**E压力容器…"): look again, accepting labels inside the text and of any style.
        chain, ambiguous = _best_chain(text, head, [*labelled, *in_text], style)
    misplaced = _misplaced_labels(chain, labelled)
    if misplaced:
        labels = ", ".join(misplaced)
        return OptionSplit([], (f"缺少或错位的标号 {labels}", f"label {labels} missing or out of place"))
    if ambiguous:
        return OptionSplit(
            [],
            (
                "同一标号出现多次，无法确定哪一个是选项的开始",
                "a label occurs more than once and it is unclear which one starts the option",
            ),
        )
    options = _chain_texts(text, chain)
    following = chr(ord(chain[-1].letter or "A") + 1)
    hidden = re.search(_HIDDEN_LABEL.format(letter=following), options[-1])
    if hidden:
        context = options[-1][max(0, hidden.start() - 4) : hidden.end() + 4]
        return OptionSplit(
            [],
            (
                f"选项 {chain[-1].letter} 中似乎夹着没有分隔符的标号 {following}（…{context}…）",
                f"option {chain[-1].letter} seems to contain label {following} without a separator (…{context}…)",
            ),
        )
    return OptionSplit(options)


def _unlabelled(text: str, seps: list[_Marker], *, include_prefix: bool) -> OptionSplit:
    """Options separated by ** / ## without labels. An empty piece between separators is kept (and
    reported later); empty pieces at the end are a trailing separator, not options."""
    pieces = [text[: seps[0].start]] if include_prefix else []
    ends = [m.start for m in seps[1:]] + [len(text)]
    pieces += [text[m.start : end] for m, end in zip(seps, ends, strict=True)]
    options = [_strip_separators(p) for p in pieces]
    while options and not options[-1]:
        options.pop()
    return OptionSplit(options)


def strip_label(text: str, letter: str) -> str:
    """An option from its own column: drop a leading label equal to the column's letter ("A．…")."""
    match = re.match(rf"^\s*{letter}\s*[{_PUNCT}]", text, re.IGNORECASE)
    return clean_text(text[match.end() :] if match else text)
