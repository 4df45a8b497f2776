"""Every mask of personal data, in one place: pages, API, exports, logs, change-log snapshots and QR payloads.

Plain Python, no Django: the log filters, the signing code and the public service use it as they are.

- An ID number (GB 11643, 18 characters) keeps its first four characters (province and city) and its last four,
  as on printed certificates: ``350102199001011234`` → ``3501**********1234``.
- A special-operations certificate number is "T" + the holder's ID number: masked the same way, the T kept.
  Other certificate numbers carry no personal identifier and stay as they are.
- A name keeps its first and last character: 张三 → 张*, 欧阳小明 → 欧**明.
- Free text (a log line, a finding's description on a public case page) has every ID-number-shaped run of
  characters masked, and the names it is told of.

Every mask is idempotent: a masked value masked again is unchanged. Full numbers are shown only to roles that
need them, and each such view is logged (core.audit.log_id_number_view).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

# An 18-character ID number on its own, or inside a special-operations certificate number ("T" + ID number),
# not inside a longer run of letters and digits.
ID_NUMBER_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])([Tt]?\d{4})\d{10}(\d{3}[\dXx])(?![0-9A-Za-z])")
# A run of URL characters with at least one percent escape in it (a path or query string in a log line).
_ENCODED_TOKEN = re.compile(r"[^\s\"'<>]*%[0-9A-Fa-f]{2}[^\s\"'<>]*")


def mask_id_number(number: str | None) -> str:
    """``3501**********123X``: the first four and last four characters, the rest hidden; "" for nothing; a
    value this short that it cannot be masked meaningfully is hidden whole; a masked value is kept as it is."""
    value = (number or "").strip().upper()
    if not value or "*" in value:
        return value
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def id_number_in_certificate_number(number: str | None) -> str:
    """The ID number a special-operations certificate number carries ("T" + ID number), or "" — also for a
    number already masked."""
    if number and number[:1] == "T" and len(number) == 19 and "*" not in number:
        return number[1:]
    return ""


def mask_certificate_number(number: str | None) -> str:
    """``T3501**********123X`` for a special-operations number; other certificate numbers carry no personal
    identifier and stay as they are (so does one already masked)."""
    id_number = id_number_in_certificate_number(number)
    return "T" + mask_id_number(id_number) if id_number else number or ""


def mask_name(name: str | None) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: enough to recognise, not enough to learn."""
    name = name or ""
    if len(name) <= 1 or "*" in name:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_id_numbers_in_text(text: str) -> str:
    """Every ID number in ``text`` masked (a T-number's T kept): for log lines, free text and messages."""
    return ID_NUMBER_IN_TEXT.sub(lambda m: f"{m.group(1)}**********{m.group(2).upper()}", text)


def mask_id_numbers_in_log_line(text: str) -> str:
    """``mask_id_numbers_in_text``, and numbers percent-encoded in a URL too (``3501%32…``, as a server's access
    log writes the raw request line): a run with escapes that decodes (once, or again for double encoding) to text
    carrying an ID number is written decoded, the number masked; any other run is left as it was."""
    text = mask_id_numbers_in_text(text)
    if "%" not in text:
        return text
    return _ENCODED_TOKEN.sub(_mask_encoded_token, text)


def _mask_encoded_token(match: re.Match) -> str:
    token = decoded = match.group(0)
    for _ in range(3):
        once = unquote(decoded, errors="replace")
        if once == decoded:
            break
        decoded = once
    masked = mask_id_numbers_in_text(decoded)
    return masked if masked != decoded else token


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Free text for the public: ID numbers masked, and every name in ``names`` (the persons concerned)."""
    text = mask_id_numbers_in_text(text)
    for name in sorted({n for n in names if n}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    return text
