"""Seals over the audit chain: the secretary signs the chain's head with a key kept outside the ledger.

The hash chain alone has no secret: anyone who can write the SQLite file can append an entry
with a correctly recomputed hash, or rewrite the whole history. A seal closes that gap up to the
point it was made: ``tlr audit seal --key KEY`` signs ``{campaign, seq, head hash, time, actor}``
with

- **Ed25519** (a PEM private key, ``tlr audit keygen``; anyone holding the public key can verify), or
- **HMAC-SHA256** (a key file of at least 32 bytes, ``tlr audit keygen --hmac``; verifying needs
  the same secret key).

The key is never stored in the ledger; the seal (algorithm, key id, seq, head, time, actor,
signature) is, as a row of ``seals`` written with its own ``audit.seal`` entry.
:func:`tlr.campaign.audit.verify` checks the seals against the chain.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tlr.errors import CampaignError, Location

from .chain import canonical

if TYPE_CHECKING:  # pragma: no cover
    from .ledger import Ledger

ED25519 = "ed25519"
HMAC_SHA256 = "hmac-sha256"
DOMAIN = "tlr-audit-seal-1"
MIN_HMAC_BYTES = 32
MAX_KEY_FILE = 64 * 1024


@dataclass(frozen=True)
class SealKey:
    """A loaded key: ``private`` signs (Ed25519 private key or HMAC secret), ``public`` verifies."""

    alg: str
    key_id: str
    file: str
    private: Any = None
    public: Any = None

    @property
    def can_sign(self) -> bool:
        return self.private is not None

    def sign(self, message: bytes) -> str:
        if self.alg == HMAC_SHA256:
            return hmac.new(self.private, message, hashlib.sha256).hexdigest()
        return self.private.sign(message).hex()

    def verify(self, message: bytes, signature: str) -> bool:
        try:
            sig = bytes.fromhex(signature)
        except (TypeError, ValueError):
            return False
        if self.alg == HMAC_SHA256:
            return hmac.compare_digest(hmac.new(self.public, message, hashlib.sha256).digest(), sig)
        from cryptography.exceptions import InvalidSignature

        try:
            self.public.verify(sig, message)
        except InvalidSignature:
            return False
        return True


def short_id(key_id: str) -> str:
    return key_id[:16]


def _key_error(path: str, zh: str, en: str, hint: str | None = None) -> CampaignError:
    return CampaignError(f"{zh} / {en}", location=Location(file=path), code="bad_key",
                         hint=hint or "用 `tlr audit keygen --out FILE` 生成密钥 / make a key with "
                                      "`tlr audit keygen --out FILE`")


def _hmac_id(secret: bytes) -> str:
    return hashlib.sha256(b"tlr-hmac-key-id\0" + secret).hexdigest()


def _ed25519_id(public: Any) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_key(path: str | os.PathLike) -> SealKey:
    """An Ed25519 PEM private or public key, or an HMAC key file (any other file of >= 32 bytes)."""
    from tlr.errors import InputFileError
    from tlr.inputs import open_input

    file = str(path)
    try:
        fh, _size = open_input(path)  # a regular file: a FIFO would block, a device never ends
        with fh:
            data = fh.read(MAX_KEY_FILE + 1)
    except InputFileError as exc:
        if exc.code == "not_found":
            raise _key_error(file, "找不到密钥文件", "key file not found") from None
        raise
    except OSError as exc:
        raise _key_error(file, f"无法读取密钥文件（{exc.strerror}）", f"cannot read the key file ({exc.strerror})") from None
    if len(data) > MAX_KEY_FILE:
        raise _key_error(file, "不是密钥文件（太大）", "not a key file (too large)")
    if b"-----BEGIN" in data:
        return _load_pem(file, data)
    try:
        secret = data.decode("ascii").strip().encode("ascii")   # a text key: surrounding whitespace is not key
    except UnicodeDecodeError:
        secret = data
    if len(secret) < MIN_HMAC_BYTES:
        raise _key_error(file, f"HMAC 密钥太短（{len(secret)} 字节，至少 {MIN_HMAC_BYTES}）",
                         f"HMAC key too short ({len(secret)} bytes, at least {MIN_HMAC_BYTES})",
                         hint="用 `tlr audit keygen --hmac --out FILE` 生成 / make one with "
                              "`tlr audit keygen --hmac --out FILE`")
    return SealKey(HMAC_SHA256, _hmac_id(secret), file, private=secret, public=secret)


def _load_pem(file: str, data: bytes) -> SealKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

    if b"PRIVATE KEY" in data:
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except TypeError:
            raise _key_error(file, "私钥已加密，不支持", "the private key is encrypted: not supported",
                             hint="用未加密的 Ed25519 私钥，保存在加密的介质上 / use an unencrypted Ed25519 key "
                                  "kept on an encrypted medium") from None
        except (ValueError, UnsupportedAlgorithm) as exc:
            raise _key_error(file, f"无法读取私钥（{exc}）", f"cannot read the private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise _key_error(file, "只支持 Ed25519 密钥", "only Ed25519 keys are supported")
        public = key.public_key()
        return SealKey(ED25519, _ed25519_id(public), file, private=key, public=public)
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise _key_error(file, f"无法读取公钥（{exc}）", f"cannot read the public key ({exc})") from None
    if not isinstance(public, Ed25519PublicKey):
        raise _key_error(file, "只支持 Ed25519 密钥", "only Ed25519 keys are supported")
    return SealKey(ED25519, _ed25519_id(public), file, public=public)


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a new file atomically with ``mode`` from the start; never replace an existing file."""
    import tempfile  # only `tlr audit keygen` writes: not on the path of every audit verify

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.link(tmp, path)           # fails if the file exists: a key is never overwritten
    finally:
        os.unlink(tmp)


def keygen(out: str | os.PathLike, *, use_hmac: bool = False) -> dict[str, Any]:
    """Write a new private key to ``out`` (mode 0600) and, for Ed25519, its public key to ``out.pub``."""
    out = Path(out)
    if not out.name:
        raise CampaignError(f"--out 须为文件名 / --out must name a file: {str(out)!r}", location=Location(file=str(out)),
                            code="usage", hint="例如 / e.g. --out /media/usb/secretary.pem")
    pub = out.with_name(out.name + ".pub")
    for target in ([out] if use_hmac else [out, pub]):
        try:
            os.lstat(target)
        except FileNotFoundError:
            continue
        except OSError as exc:  # e.g. a file name too long for the file system
            raise CampaignError(f"无法写入密钥 / cannot write the key: {exc.strerror}",
                                location=Location(file=str(target)), code="io_error") from None
        raise CampaignError(f"文件已存在，不覆盖 / file exists, not overwritten: {target}",
                            location=Location(file=str(target)), code="exists", hint="换一个文件名 / choose another name")
    try:
        if use_hmac:
            secret = os.urandom(32).hex().encode("ascii")
            _write_new(out, secret + b"\n", 0o600)
            return {"alg": HMAC_SHA256, "key_id": _hmac_id(secret), "private": str(out)}
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        key = Ed25519PrivateKey.generate()
        private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
        public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo)
        _write_new(out, private_pem, 0o600)
        _write_new(pub, public_pem, 0o644)
    except FileExistsError:
        raise CampaignError(f"文件已存在，不覆盖 / file exists, not overwritten: {out}", code="exists",
                            location=Location(file=str(out))) from None
    except OSError as exc:
        raise CampaignError(f"无法写入密钥 / cannot write the key: {exc.strerror}", location=Location(file=str(out)),
                            code="io_error") from None
    return {"alg": ED25519, "key_id": _ed25519_id(key.public_key()), "private": str(out), "public": str(pub),
            "public_pem": public_pem.decode("ascii")}


def seal_message(campaign_id: str, seal: dict[str, Any]) -> bytes:
    """The signed bytes: a domain tag and the canonical JSON of the campaign id and the seal's fields."""
    body = {"campaign_id": campaign_id, **{k: seal[k] for k in ("seq", "head", "ts", "actor", "alg", "key_id")}}
    return (DOMAIN + "\n" + canonical(body)).encode("utf-8")


def seal_head(ledger: "Ledger", key: SealKey, *, actor: str | None = None) -> dict[str, Any]:
    """Sign the current head (the last entry before this seal's own ``audit.seal`` entry)."""
    if not key.can_sign:
        raise CampaignError("签封需要私钥（或 HMAC 密钥），不是公钥 / sealing needs the private key (or the HMAC "
                            "key), not the public key", location=Location(file=key.file), code="bad_key")
    campaign_id = ledger.meta.get("campaign_id", "")
    with ledger.write("audit.seal", actor=actor) as tx:
        row = {"seq": tx.seq - 1, "head": tx.prev_hash, "ts": tx.ts, "actor": tx.actor, "alg": key.alg,
               "key_id": key.key_id}
        row["signature"] = key.sign(seal_message(campaign_id, row))
        tx.put("seals", [row])
    return row
