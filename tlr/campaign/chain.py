"""The audit chain's text and hashes: what the ledger writes and the audit replay and seals recompute.

An entry is ``{seq, ts, actor, action, payload}``; its hash is ``sha256(prev_hash + canonical JSON of
the entry)``, ``prev_hash`` being the previous entry's hash (:data:`GENESIS` for the first).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64
# the text of a JSON column as the ledger stores it (= json.dumps(v, ensure_ascii=False, sort_keys=True)), which the
# audit replay recomputes to compare
column_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, no whitespace, UTF-8 characters kept."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def entry_hash(prev_hash: str, entry: dict[str, Any]) -> str:
    """``sha256(prev_hash + canonical JSON of the entry)``."""
    return hashlib.sha256((prev_hash + canonical(entry)).encode("utf-8")).hexdigest()


def entry_text(seq: int, ts: str, actor: str, action: str, payload_text: str) -> str:
    """canonical({seq, ts, actor, action, payload}) built around the canonical payload text (keys in
    sorted order), so neither writing nor verification serialises a large payload twice."""
    def q(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)

    return (f'{{"action":{q(action)},"actor":{q(actor)},"payload":{payload_text},"seq":{int(seq)},'
            f'"ts":{q(ts)}}}')
