"""The tokenizer: domain words whole, NFKC and lower-case latin, stop words out, deterministic, no cache file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tlr.matching.lexicon import shipped_lexicon
from tlr.matching.text import STOP_WORDS, Segmenter, normalize, segmenter


def _tokens(text: str) -> list[str]:
    return segmenter(shipped_lexicon().words).tokens(text)


def test_lexicon_terms_stay_whole():
    tokens = _tokens("钢渣综合利用，选择性催化还原脱硝，锂离子电池正极回收")
    for word in ("钢渣", "选择性催化还原", "锂离子电池"):
        assert word in tokens


def test_search_mode_adds_sub_words_of_long_words():
    tokens = _tokens("锂离子电池")
    assert "锂离子电池" in tokens and "电池" in tokens


def test_latin_is_nfkc_and_lower_case():
    tokens = _tokens("ＡＩ视觉与SCR脱硝")
    assert "ai" in tokens and "scr" in tokens
    assert normalize("ＳＣＲ") == "scr"


def test_stop_words_punctuation_and_bare_numbers_are_dropped():
    tokens = _tokens("本项目的钢渣处理能力为 20 万吨，效率 95%。")
    assert not {"的", "本项目", "20", "95%", "，", "。", " "} & set(tokens)
    assert "钢渣" in tokens
    assert "的" in STOP_WORDS


def test_deterministic_and_independent_segmenters():
    text = "基于深度学习的热轧带钢表面缺陷视觉检测系统"
    a = Segmenter(["表面缺陷"]).tokens(text)
    b = Segmenter(["表面缺陷"]).tokens(text)
    plain = Segmenter().tokens(text)
    assert a == b
    assert "表面缺陷" in a
    assert Segmenter().tokens(text) == plain  # a word added to one segmenter does not leak into another


def test_nothing_is_written_to_the_temp_folder(tmp_path):
    """jieba's default start-up writes jieba.cache into the temp folder; tlr must not."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    code = ("from tlr.matching import Demand, Achievement, match\n"
            "r = match([Demand('D1', '锂电回收')], [Achievement('A1', '锂离子电池回收')])\n"
            "assert r.matches[0].candidates\n")
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp)}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=tmp_path,
                   capture_output=True, timeout=120)
    assert list(temp.iterdir()) == []
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == ["tmp"]
