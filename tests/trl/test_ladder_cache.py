"""A ladder file is parsed once per content: ranking evaluates every recorded assessment against the same
shipped ladder. A changed file is read again; the recorded sha256 is always that of the bytes on disk."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from tlr.trl import ladders
from tlr.trl.ladders import load_ladder, shipped_ladders

SHIPPED = "trl-cn-development"


@pytest.fixture
def reads(monkeypatch):
    """The files the rubric loader parsed, in order (the cache starts empty)."""
    monkeypatch.setattr(ladders, "_LIBRARIES", {})
    seen = []
    real = ladders._read_library

    def spy(path):
        seen.append(path)
        return real(path)

    monkeypatch.setattr(ladders, "_read_library", spy)
    return seen


def test_shipped_ladder_is_parsed_once(reads):
    first, second = load_ladder(SHIPPED), load_ladder(SHIPPED)
    assert len(reads) == 1
    digest = hashlib.sha256(shipped_ladders()[SHIPPED].read_bytes()).hexdigest()
    assert first.sha256 == second.sha256 == digest
    assert first.scale == second.scale and first.id == second.id == SHIPPED


def test_changed_file_is_read_again(tmp_path, reads):
    path = tmp_path / "ladder.yaml"
    shutil.copy(shipped_ladders()[SHIPPED], path)
    before = load_ladder(path)
    text = path.read_text(encoding="utf-8")
    assert "green_threshold: 1.0" in text
    path.write_text(text.replace("green_threshold: 1.0", "green_threshold: 0.9", 1), encoding="utf-8")
    after = load_ladder(path)
    assert len(reads) == 2
    assert (before.scale.green_threshold, after.scale.green_threshold) == (1.0, 0.9)
    assert after.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != before.sha256
    path.write_text(text, encoding="utf-8")            # the first content again: known, not parsed
    assert load_ladder(path).sha256 == before.sha256 and len(reads) == 2


def test_file_changed_while_read_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(ladders, "_LIBRARIES", {})
    path = tmp_path / "ladder.yaml"
    shutil.copy(shipped_ladders()[SHIPPED], path)
    real = ladders._read_library
    calls = []

    def read_then_edit(p):
        calls.append(p)
        library = real(p)
        p.write_text(p.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        return library

    monkeypatch.setattr(ladders, "_read_library", read_then_edit)
    ladder = load_ladder(path)
    assert ladder.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()   # the bytes now on disk, as before
    assert ladders._LIBRARIES == {}
    load_ladder(path)
    assert len(calls) == 2


def test_cache_is_bounded(tmp_path, reads):
    source = shipped_ladders()[SHIPPED].read_text(encoding="utf-8")
    for k in range(ladders._LIBRARIES_KEPT + 3):
        path = tmp_path / f"l{k}.yaml"
        path.write_text(source + f"\n# copy {k}\n", encoding="utf-8")
        load_ladder(path)
    assert len(ladders._LIBRARIES) == ladders._LIBRARIES_KEPT
    assert len(reads) == ladders._LIBRARIES_KEPT + 3


def test_missing_or_broken_file_fails_as_before(tmp_path, reads):
    from tlr.errors import TlrError

    broken = tmp_path / "broken.yaml"
    broken.write_text("kind: scale_library\nscales: [\n", encoding="utf-8")
    with pytest.raises(TlrError) as first:
        load_ladder(broken)
    with pytest.raises(TlrError) as second:
        load_ladder(broken)
    assert str(first.value) == str(second.value) and len(reads) == 2 and ladders._LIBRARIES == {}
