"""The platform's signing keys: a rotating ring of Ed25519 keys, one signing, older ones verify-only.

Private keys live in files (PKCS8 PEM, mode 0600, optionally encrypted with a passphrase taken from
the environment) or in an environment variable, never in the repository or the database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from peikao.certificates.signing.claims import CERTIFICATE_TYP, validate_certificate_claims
from peikao.lib.jws import (
    ALG,
    PublicKeySet,
    compact_json,
    encode_jws,
    jwk_thumbprint,
    public_jwk,
    public_key_x,
    verify_token,
)

logger = logging.getLogger(__name__)

KEY_ENV = "PEIKAO_SIGNING_KEY"
PASSPHRASE_ENV = "PEIKAO_SIGNING_KEY_PASSPHRASE"

_KEY_FILE = re.compile(r"^ed25519-(?P<kid>[A-Za-z0-9_-]{43})(?P<pub>\.pub)?\.pem$")


class KeyRingError(RuntimeError):
    """The key ring cannot be loaded, written or used as asked (message says what to do)."""


@dataclasses.dataclass(frozen=True)
class KeyEntry:
    """One key of the ring. ``private_key`` is None for a retired, verify-only key."""

    kid: str
    public_key: Ed25519PublicKey
    private_key: Ed25519PrivateKey | None = dataclasses.field(default=None, repr=False)
    created: float = 0.0  # seconds since the epoch; the newest key able to sign is the signer
    path: Path | None = None

    @property
    def can_sign(self) -> bool:
        return self.private_key is not None

    @classmethod
    def generate(cls) -> KeyEntry:
        private_key = Ed25519PrivateKey.generate()
        public_key = private_key.public_key()
        return cls(jwk_thumbprint(public_key_x(public_key)), public_key, private_key, time.time())

    @classmethod
    def from_private_key(
        cls, private_key: Ed25519PrivateKey, *, created: float = 0.0, path: Path | None = None
    ) -> KeyEntry:
        public_key = private_key.public_key()
        return cls(jwk_thumbprint(public_key_x(public_key)), public_key, private_key, created, path)

    def jwk(self) -> dict[str, str]:
        return public_jwk(self.public_key)

    def retired(self) -> KeyEntry:
        return dataclasses.replace(self, private_key=None)


def _passphrase_from(environ: Mapping[str, str] | None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(PASSPHRASE_ENV)
    return value.encode("utf-8") if value else None


def _load_private_pem(pem: bytes, passphrase: bytes | None, source: str) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(pem, passphrase)
    except TypeError as error:
        if passphrase is not None and "not encrypted" in str(error):
            # An unencrypted key next to a configured passphrase still works, but should be re-encrypted.
            logger.warning("%s is not encrypted although %s is set", source, PASSPHRASE_ENV)
            key = serialization.load_pem_private_key(pem, None)
        else:
            raise KeyRingError(f"{source} is encrypted: set {PASSPHRASE_ENV}") from None
    except ValueError as error:
        raise KeyRingError(f"{source} cannot be read as a PKCS8 PEM private key ({error})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyRingError(f"{source} is not an Ed25519 key")
    return key


def _private_pem(key: Ed25519PrivateKey, passphrase: bytes | None) -> bytes:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)


def _public_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def generate_private_pem(passphrase: bytes | None = None) -> bytes:
    """A new Ed25519 private key as PKCS8 PEM, e.g. for the ``PEIKAO_SIGNING_KEY`` environment variable."""
    return _private_pem(Ed25519PrivateKey.generate(), passphrase)


def _atomic_write(path: Path, data: bytes, mode: int) -> None:
    """Write ``data`` to ``path`` with ``mode`` from the first byte: no moment where a key is world-readable."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        os.fchmod(descriptor, mode)  # os.open's mode is filtered by the umask; set it exactly
        view = memoryview(data)
        while view:
            view = view[os.write(descriptor, view) :]
        os.fsync(descriptor)
    except BaseException:
        os.close(descriptor)
        temporary.unlink(missing_ok=True)
        raise
    os.close(descriptor)
    os.replace(temporary, path)
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be opened for fsync
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    """An exclusive lock on the key directory, so that workers starting together generate one key, not three."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: single-process use only
        yield
        return
    descriptor = os.open(directory / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _read_directory(directory: Path, passphrase: bytes | None) -> list[KeyEntry]:
    """Every key in ``directory``: ``ed25519-<kid>.pem`` (private) and ``ed25519-<kid>.pub.pem`` (retired).

    A ``.pub.pem`` marks its kid as retired even if the private file is still there (a rotation that
    was interrupted before deleting it), so a retired key can never sign again by accident.
    """
    private: dict[str, Path] = {}
    public: dict[str, Path] = {}
    for path in sorted(directory.iterdir()):
        match = _KEY_FILE.match(path.name)
        if match and path.is_file():
            (public if match["pub"] else private)[match["kid"]] = path
    entries = []
    for kid, path in private.items():
        mode = path.stat().st_mode & 0o777
        if mode & 0o077:
            logger.warning("%s is readable by others (mode %o): chmod 600 it", path, mode)
        key = _load_private_pem(path.read_bytes(), passphrase, str(path))
        entry = KeyEntry.from_private_key(key, created=path.stat().st_mtime, path=path)
        if entry.kid != kid:
            raise KeyRingError(f"{path} holds key {entry.kid}: a key file is named after its kid")
        if kid in public:
            logger.warning("%s is retired (%s exists) and is used to verify only", path, public[kid].name)
            entry = entry.retired()
        entries.append(entry)
    for kid, path in public.items():
        if kid in private:
            continue
        try:
            key = serialization.load_pem_public_key(path.read_bytes())
        except ValueError as error:
            raise KeyRingError(f"{path} cannot be read as a PEM public key ({error})") from None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyRingError(f"{path} is not an Ed25519 public key")
        entry = KeyEntry(jwk_thumbprint(public_key_x(key)), key, None, path.stat().st_mtime, path)
        if entry.kid != kid:
            raise KeyRingError(f"{path} holds key {entry.kid}: a key file is named after its kid")
        entries.append(entry)
    return entries


class KeyRing:
    """The platform's signing keys: one signs, older ones stay in the JWKS so older certificates still verify.

    Build one with :meth:`configured` (what the Django side calls), :meth:`load` (a directory such as
    ``var/keys``), :meth:`from_env` (the key in ``PEIKAO_SIGNING_KEY``) or :meth:`ephemeral` (tests,
    benchmarks). Files: ``ed25519-<kid>.pem`` is a private key (PKCS8 PEM, mode 0600, encrypted when
    ``PEIKAO_SIGNING_KEY_PASSPHRASE`` is set); ``ed25519-<kid>.pub.pem`` is a retired key, public part only.
    """

    def __init__(
        self,
        entries: Iterable[KeyEntry],
        *,
        directory: Path | None = None,
        passphrase: bytes | None = None,
        source: Literal["memory", "directory", "environment"] = "memory",
    ) -> None:
        self._lock = threading.RLock()
        self._directory = directory
        self._passphrase = passphrase
        self._source = source
        self._install(list(entries))

    def _install(self, entries: list[KeyEntry]) -> None:
        unique: dict[str, KeyEntry] = {}
        for entry in entries:  # the same key twice (env + directory): the one that can sign wins
            if entry.kid not in unique or (entry.can_sign and not unique[entry.kid].can_sign):
                unique[entry.kid] = entry
        ordered = sorted(unique.values(), key=lambda e: (e.can_sign, e.created, e.kid), reverse=True)
        signers = [entry for entry in ordered if entry.can_sign]
        if len(signers) > 1:
            logger.warning("%d keys can sign; the newest, %s, does", len(signers), signers[0].kid)
        # Swapped in one assignment each, so a concurrent sign() or verify() sees the old or the new ring.
        self._entries = tuple(ordered)
        self._signer = signers[0] if signers else None
        self._public = PublicKeySet({entry.kid: entry.public_key for entry in ordered})

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A ring with one fresh key in memory only."""
        return cls([KeyEntry.generate()])

    @classmethod
    def load(
        cls,
        directory: str | os.PathLike[str],
        *,
        create: bool = False,
        passphrase: bytes | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> KeyRing:
        """Load the keys in ``directory``; with ``create``, make the directory (0700) and a first key if none signs.

        ``passphrase`` defaults to ``$PEIKAO_SIGNING_KEY_PASSPHRASE``; when set, keys written here are encrypted.
        """
        directory = Path(directory)
        if passphrase is None:
            passphrase = _passphrase_from(environ)
        if create:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        elif not directory.is_dir():
            raise KeyRingError(f"{directory} does not exist: create it, or load with create=True")
        with _directory_lock(directory) if create else contextlib.nullcontext():
            entries = _read_directory(directory, passphrase)
            if create and not any(entry.can_sign for entry in entries):
                entry = KeyEntry.generate()
                entries.append(_write_private_key(directory, entry, passphrase))
                logger.info("generated signing key %s in %s", entry.kid, directory)
        if not entries:
            raise KeyRingError(f"no key in {directory}")
        return cls(entries, directory=directory, passphrase=passphrase, source="directory")

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        directory: str | os.PathLike[str] | None = None,
        passphrase: bytes | None = None,
    ) -> KeyRing:
        """The signing key from ``$PEIKAO_SIGNING_KEY`` (PKCS8 PEM; ``\\n`` escapes allowed, as in .env files).

        Keys found in ``directory``, if it exists, are added as verify-only: that is where the public
        halves of keys retired from the environment are kept.
        """
        environ = os.environ if environ is None else environ
        text = environ.get(KEY_ENV, "").strip()
        if not text:
            raise KeyRingError(f"{KEY_ENV} is not set")
        if passphrase is None:
            passphrase = _passphrase_from(environ)
        key = _load_private_pem(text.replace("\\n", "\n").encode("ascii"), passphrase, f"${KEY_ENV}")
        entries = [KeyEntry.from_private_key(key, created=time.time())]
        path = Path(directory) if directory is not None else None
        if path is not None and path.is_dir():
            entries += [entry.retired() for entry in _read_directory(path, passphrase)]
        return cls(entries, directory=path, passphrase=passphrase, source="environment")

    @classmethod
    def configured(cls, directory: str | os.PathLike[str], environ: Mapping[str, str] | None = None) -> KeyRing:
        """The ring for this installation: ``$PEIKAO_SIGNING_KEY`` if set, else ``directory`` (created on first use)."""
        environ = os.environ if environ is None else environ
        if environ.get(KEY_ENV, "").strip():
            return cls.from_env(environ, directory=directory)
        return cls.load(directory, create=True, environ=environ)

    # -- use ----------------------------------------------------------------------------------------

    @property
    def signing_kid(self) -> str | None:
        return self._signer.kid if self._signer else None

    @property
    def entries(self) -> tuple[KeyEntry, ...]:
        return self._entries

    @property
    def public_keys(self) -> PublicKeySet:
        return self._public

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        """The public JWKS to serve: the signing key first, then retired keys, newest first."""
        return {"keys": [entry.jwk() for entry in self._entries]}

    def sign(self, payload: Mapping[str, Any], *, typ: str = CERTIFICATE_TYP) -> str:
        """Sign ``payload`` as a compact JWS with the current key.

        A certificate payload (``typ`` "JWT") is validated first (:func:`validate_certificate_claims`).
        """
        signer = self._signer
        if signer is None or signer.private_key is None:
            raise KeyRingError("this key ring has no signing key")
        if typ == CERTIFICATE_TYP:
            validate_certificate_claims(payload)
        header = {"alg": ALG, "kid": signer.kid, "typ": typ}
        return encode_jws(header, compact_json(dict(payload)), signer.private_key)

    def verify(
        self, token: str, jwks: Mapping[str, Any] | PublicKeySet | None = None, *, typ: str | None = CERTIFICATE_TYP
    ) -> dict[str, Any]:
        """:func:`verify_token` against ``jwks``, or this ring's own public keys when it is None."""
        return verify_token(token, self._public if jwks is None else jwks, typ=typ)

    def rotate(self, *, keep_retired_private: bool = False) -> KeyEntry:
        """Generate a new signing key; the previous signers become verify-only and stay in the JWKS.

        In a directory, the retired key's public half is written as ``ed25519-<kid>.pub.pem`` and its
        private file is deleted (unless ``keep_retired_private``): a key that may no longer sign has no
        reason to exist where a leaked backup could expose it. Other processes see the new key when
        they load the ring again.
        """
        if self._source == "environment":
            raise KeyRingError(
                f"the signing key comes from {KEY_ENV}: save its public half with export_public_key() into the "
                f"key directory, then set {KEY_ENV} to a new key (generate_private_pem())"
            )
        with self._lock:
            new = KeyEntry.generate()
            if self._directory is None:
                self._install([new, *(entry.retired() for entry in self._entries)])
                return new
            with _directory_lock(self._directory):
                # Re-read under the lock: another process may have rotated since this ring was loaded.
                current = _read_directory(self._directory, self._passphrase)
                new = _write_private_key(self._directory, new, self._passphrase)
                retired = []
                for entry in current:
                    if entry.can_sign:
                        write_public_key(self._directory, entry)
                        if not keep_retired_private and entry.path is not None:
                            entry.path.unlink(missing_ok=True)
                            _fsync_directory(self._directory)
                        entry = entry.retired()
                    retired.append(entry)
                self._install([new, *retired])
            logger.info("rotated signing key to %s", new.kid)
            return new

    def export_public_key(self, directory: str | os.PathLike[str] | None = None) -> Path:
        """Write the signing key's public half as ``ed25519-<kid>.pub.pem`` (to keep it in the JWKS once retired)."""
        target = Path(directory) if directory is not None else self._directory
        if target is None or self._signer is None:
            raise KeyRingError("no directory or no signing key to export")
        target.mkdir(mode=0o700, parents=True, exist_ok=True)
        return write_public_key(target, self._signer)


def _write_private_key(directory: Path, entry: KeyEntry, passphrase: bytes | None) -> KeyEntry:
    assert entry.private_key is not None
    path = directory / f"ed25519-{entry.kid}.pem"
    _atomic_write(path, _private_pem(entry.private_key, passphrase), 0o600)
    return dataclasses.replace(entry, path=path, created=path.stat().st_mtime)


def write_public_key(directory: Path, entry: KeyEntry) -> Path:
    """Write ``ed25519-<kid>.pub.pem`` (mode 0644: it is public, and its presence retires the kid)."""
    path = Path(directory) / f"ed25519-{entry.kid}.pub.pem"
    _atomic_write(path, _public_pem(entry.public_key), 0o644)
    return path
