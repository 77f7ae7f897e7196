"""Words of a Chinese (or mixed Chinese/English) text: NFKC, lower-case latin, jieba segmentation, stop words out.

jieba (MIT) is imported lazily. Its default start-up (``jieba.initialize``) writes a marshal cache
``jieba.cache`` into the temp folder; ``tlr`` writes nothing outside its output folder, so the prefix
dictionary is built here with jieba's own ``Tokenizer.gen_pfdict`` from the shipped ``dict.txt`` and the
tokenizer is marked initialised: no cache is read or written (a ~0.5 s build, once per process).

A :class:`Segmenter` holds its own copy of the dictionary with the lexicon's terms added, so domain words stay
whole (钢渣, 锂离子电池, 选择性催化还原) and two segmenters with different lexicons never affect each other.
Segmentation is deterministic (jieba's DAG + Viterbi HMM involve no randomness).
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Function words and form boilerplate that carry no technical meaning. Single Chinese characters that do
# (钢, 氢, 铁, 煤, 药 …) are kept; a lone character not listed here is a token like any other.
STOP_WORDS = frozenset("""
的 了 和 与 及 或 等 在 对 为 以 于 是 将 把 被 从 由 向 到 其 之 并 而 且 也 又 就 都 所 该 此 这 那 各 每 个 中
上 下 内 外 后 前 时 可 能 会 要 需 有 无 不 非 一 二 三 年 月 日 项 种 类 次 多 少 高 低 大 小 新 如 若 则 即
通过 进行 实现 具有 采用 利用 基于 针对 用于 相关 以及 以上 以下 及其 其中 能够 可以 需要 主要 方面 方式 同时
目前 现有 问题 我们 公司 企业 单位 本 项目 本项目 技术 研究 开发 研发 产品 工作 提供 希望 寻求 要求 期望 解决
达到 提高 提升 降低 实现 形成 开展 推进 完成 建立 建设 取得 获得 具备 满足 一种 一套 一个 方法 系统 应用
领域 方向 水平 能力 情况 国内 国际 国内外 合作 对接 万元 万吨 亿元 左右 以内 不少 不低于 不高于 大于 小于
the a an of and or for to in on with by at from as is are be this that we our
""".split())

_KEEP = re.compile(r"[\w\u4e00-\u9fff]")       # a token with at least one letter, digit or CJK character
_NUMBER = re.compile(r"^[\d.%]+$")              # bare numbers and percentages carry no topic
_LOCK = threading.Lock()
HMM = False


def normalize(text: str) -> str:
    """NFKC (full-width -> half-width letters and digits) and case-folded latin."""
    return unicodedata.normalize("NFKC", text).casefold()


@lru_cache(maxsize=1)
def _base_dictionary() -> tuple[dict[str, int], int]:
    """jieba's prefix dictionary (word -> frequency, total), built from its shipped dict.txt, no cache file."""
    import jieba

    probe = jieba.Tokenizer()
    return probe.gen_pfdict(probe.get_dict_file())


class Segmenter:
    """A jieba tokenizer with extra whole words (the lexicon's terms), independent of jieba's global one."""

    def __init__(self, words: Iterable[str] = (), *, search: bool = True, hmm: bool = HMM):
        import jieba

        freq, total = _base_dictionary()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ, tokenizer.total = dict(freq), total
        tokenizer.initialized = True  # built above: jieba must not read or write its temp-folder cache
        for word in sorted(set(words)):
            word = normalize(word)
            if word and not any(ch.isspace() for ch in word):
                tokenizer.add_word(word)
        self._tokenizer = tokenizer
        self.search = search
        self.hmm = hmm
        self._keep: dict[str, bool] = {}   # word -> is a content word (memo: words repeat)

    def tokens(self, text: str) -> list[str]:
        """The text's content words in order (repeats kept).

        With ``search`` (the default), a long dictionary word also yields its dictionary sub-words
        (锂离子电池 -> 锂离子电池, 锂离子, 离子, 电池), so a partial phrase still meets the whole one.
        """
        text = normalize(text)
        with _LOCK:  # jieba's tokenizer is not re-entrant across threads
            words = (self._tokenizer.cut_for_search(text, HMM=self.hmm) if self.search
                     else self._tokenizer.cut(text, HMM=self.hmm))
            words = list(words)
            keep = self._keep
            for w in words:
                if w not in keep:
                    keep[w] = _content_word(w)
            return [w.strip() for w in words if keep[w]]


def _content_word(word: str) -> bool:
    word = word.strip()
    return bool(word) and word not in STOP_WORDS and bool(_KEEP.search(word)) and not _NUMBER.match(word)


@lru_cache(maxsize=8)
def segmenter(words: frozenset[str] = frozenset(), search: bool = True) -> Segmenter:
    """A shared :class:`Segmenter` for a set of extra words (cached: building one copies jieba's dictionary)."""
    return Segmenter(words, search=search)


def tokenize(text: str, *, words: Iterable[str] = ()) -> list[str]:
    """Convenience: the tokens of *text* with *words* kept whole."""
    return segmenter(frozenset(words)).tokens(text)
