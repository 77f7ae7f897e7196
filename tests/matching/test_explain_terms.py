"""Which shared words a sentence shows (the why keeps them all)."""

from tlr.matching.explain import display_terms, explain_zh_en


def test_fragments_inside_longer_words_and_stray_characters_are_not_shown():
    terms = ["碳排放", "氢冶金", "低碳", "二氧", "二氧化", "冶金", "化碳", "氧化碳", "炼铁", "轧"]
    assert display_terms(terms) == ["碳排放", "氢冶金", "低碳", "二氧化", "氧化碳", "炼铁"]


def test_single_characters_are_shown_when_few_longer_words_match():
    assert display_terms(["回收", "钴", "镍"]) == ["回收", "钴", "镍"]
    assert display_terms(["SCR", "x"]) == ["SCR", "x"]


def test_the_sentence_uses_the_chosen_words_and_the_cap():
    line = explain_zh_en({"shared_terms": [f"词{k:02d}" for k in range(20)]})[0]
    assert line.startswith("共同词：词00、") and "词07" in line and "词08" not in line
