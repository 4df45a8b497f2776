"""The counters behind what Peikao publishes: status-list slots, numbering sequences and the register version.

Status-list slots are a keyed permutation of a counter, so a slot says nothing about issue order or volume
(W3C asks for random assignment) and two certificates never collide.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from peikao.certificates import status_list
from peikao.certificates.models import Counter, StatusListVersion

SLOT_BITS = 22  # 4,194,304 slots: four times a province-year of certificates, 512 KiB before gzip
STATUS_LIST_SIZE = 1 << SLOT_BITS
_HALF = SLOT_BITS // 2
_MASK = (1 << _HALF) - 1
SLOT_COUNTER = "status_slot"


def _permute(value: int, key: bytes) -> int:
    """A four-round Feistel permutation of SLOT_BITS-bit integers keyed with ``key``."""
    left, right = value >> _HALF, value & _MASK
    for round_number in range(4):
        digest = hmac.new(key, f"{round_number}:{right}".encode(), hashlib.sha256).digest()
        left, right = right, left ^ (int.from_bytes(digest[:4], "big") & _MASK)
    return (left << _HALF) | right


def status_slots_allocate(*, count: int) -> list[int]:
    """``count`` unused status-list slots, reserved in the caller's transaction."""
    if count <= 0:
        return []
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(
            name=SLOT_COUNTER, defaults={"secret": secrets.token_hex(32)}
        )
        start = counter.value
        if start + count > STATUS_LIST_SIZE:
            raise status_list.StatusListError(status_list.StatusListErrorCode.RANGE, "the status list is full")
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    key = bytes.fromhex(counter.secret)
    return [_permute(sequence, key) for sequence in range(start, start + count)]


def counter_reserve(*, name: str, count: int = 1) -> list[int]:
    """``count`` consecutive values of the counter ``name`` (starting at 1), reserved in this transaction."""
    with transaction.atomic():
        counter, _created = Counter.objects.select_for_update().get_or_create(name=name)
        start = counter.value
        Counter.objects.filter(pk=counter.pk).update(value=F("value") + count)
    return list(range(start + 1, start + count + 1))


def status_version_bump() -> None:
    """Call in the transaction of every certificate write: the status list and the answer caches of the public
    verification (verification.RegisterCache) are rebuilt from the next version."""
    updated = StatusListVersion.objects.filter(name="certificates").update(
        version=F("version") + 1, changed_at=timezone.now()
    )
    if not updated:
        StatusListVersion.objects.get_or_create(name="certificates", defaults={"version": 1})
