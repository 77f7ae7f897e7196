"""The domain lexicon: groups of synonyms and abbreviations, and broader -> narrower relations between groups.

A *group* is one concept with its surface words (``lithium_ion_battery``: 锂离子电池, 锂电, 锂电池, li-ion);
a group may name *broader* groups (``steel_slag`` -> ``metallurgical_solid_waste``). When texts are matched,
every word of a group counts as the group's id, so 锂电 in a demand meets 锂离子电池 in an achievement; a
broader group is added at a reduced weight (see :mod:`tlr.matching.model`), so 冶金固废 meets 钢渣.

The shipped lexicon is ``tlr/matching/data/lexicon.yaml`` (written for this project; same licence as
``tlr``). Users extend it with their own YAML file of the same format (:func:`load_lexicon`): a new id adds a
group; an existing id adds words and broader links to it; a word already in another group moves to the
user's group (the user's file is the more specific knowledge).

File format::

    groups:
      steel_slag:
        terms: [钢渣, 转炉钢渣, steel slag]
        broader: [metallurgical_solid_waste]   # optional, ids of this or the shipped lexicon

Terms are single words (no spaces): each is added to the tokenizer's dictionary so it stays whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from tlr.errors import Diagnostic, Location, ValidationError
from tlr.matching.text import normalize

SHIPPED = Path(__file__).resolve().parent / "data" / "lexicon.yaml"
MAX_GROUPS = 20_000
MAX_TERMS = 200          # words in one group
MAX_TERM_CHARS = 40
_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Group:
    id: str
    terms: tuple[str, ...]            # normalised surface words, as written (first = the preferred name)
    broader: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """Groups by id, and each normalised word's group."""

    groups: MappingProxyType
    sources: tuple[str, ...] = ()
    _term_group: dict = field(default_factory=dict, repr=False, compare=False)
    _ancestors: dict = field(default_factory=dict, repr=False, compare=False)   # memo

    @classmethod
    def build(cls, groups: dict[str, Group], sources: tuple[str, ...] = ()) -> Lexicon:
        term_group = {t: g.id for g in groups.values() for t in g.terms}
        return cls(MappingProxyType(dict(groups)), sources, term_group)

    def group_of(self, word: str) -> str | None:
        return self._term_group.get(word)

    @property
    def words(self) -> frozenset[str]:
        return frozenset(self._term_group)

    def ancestors(self, group_id: str) -> tuple[tuple[str, int], ...]:
        """The broader groups of *group_id* with their distance (1 = direct parent), nearest first, no cycles."""
        found = self._ancestors.get(group_id)
        if found is None:
            found = self._ancestors[group_id] = _ancestors(self, group_id)
        return found

    def name(self, group_id: str) -> str:
        return self.groups[group_id].terms[0]

    def merged(self, other: Lexicon) -> Lexicon:
        """This lexicon extended by *other* (see the module docstring for the rules)."""
        groups = dict(self.groups)
        for gid, g in list(groups.items()):  # a word the user puts in another group leaves this one
            groups[gid] = Group(gid, tuple(t for t in g.terms if other.group_of(t) in (None, gid)), g.broader)
        for gid, g in other.groups.items():
            if gid in groups:
                old = groups[gid]
                groups[gid] = Group(gid, _unique(old.terms + g.terms), _unique(old.broader + g.broader))
            else:
                groups[gid] = g
        groups = {gid: g for gid, g in groups.items() if g.terms}
        return Lexicon.build(groups, self.sources + other.sources)

    @property
    def fingerprint(self) -> tuple:
        return tuple(sorted((g.id, g.terms, g.broader) for g in self.groups.values()))


def _unique(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _ancestors(lexicon: Lexicon, group_id: str) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}
    frontier, depth = [group_id], 0
    while frontier:
        depth += 1
        nxt = []
        for gid in frontier:
            for parent in lexicon.groups[gid].broader if gid in lexicon.groups else ():
                if parent != group_id and parent not in out and parent in lexicon.groups:
                    out[parent] = depth
                    nxt.append(parent)
        frontier = nxt
    return tuple(out.items())


@lru_cache(maxsize=1)
def shipped_lexicon() -> Lexicon:
    """The lexicon shipped with ``tlr``."""
    return _read(SHIPPED, known=frozenset(), label="shipped")


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    """The shipped lexicon, extended by the user's file at *path* (if given). Raises ValidationError, located."""
    base = shipped_lexicon()
    if path is None:
        return base
    return base.merged(_read(Path(path), known=frozenset(base.groups)))


def _read(path: Path, *, known: frozenset[str], label: str | None = None) -> Lexicon:
    from tlr.yamlio import parse_file

    name = str(path)
    parsed = parse_file(path, as_json=False)
    problems = list(parsed.diagnostics)
    pos = parsed.positions
    data = parsed.data

    def bad(where: tuple, message: str, hint: str, *, key: bool = False) -> None:
        problems.append(Diagnostic("error", message, pos.locate(where, key=key), hint, "lexicon"))

    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise ValidationError([Diagnostic(
            "error", "词表须有 groups 映射 / the lexicon needs a `groups:` mapping",
            Location(file=name, line=1), "start the file with `groups:` and one entry per concept id", "lexicon")])
    unknown_top = [k for k in data if k not in ("groups", "version")]
    for k in unknown_top:
        bad((k,), f"未知字段 / unknown field {k!r}", "only `groups:` (and `version:`) are allowed", key=True)
    raw = data["groups"]
    if len(raw) > MAX_GROUPS:
        bad(("groups",), f"词组过多 / too many groups ({len(raw)} > {MAX_GROUPS})", "split the lexicon")
    groups: dict[str, Group] = {}
    seen_term: dict[str, str] = {}
    for gid, body in raw.items():
        where = ("groups", gid)
        if not isinstance(gid, str) or not _ID.match(gid):
            bad(where, f"词组编号无效 / invalid group id {gid!r}",
                "use lower-case latin letters, digits and _ (e.g. steel_slag)", key=True)
            continue
        if not isinstance(body, dict):
            bad(where, f"词组 {gid} 须为映射 / group {gid} must be a mapping", "give `terms: [...]`")
            continue
        for k in body:
            if k not in ("terms", "broader"):
                bad(where + (k,), f"未知字段 / unknown field {k!r}", "a group has `terms` and `broader`", key=True)
        terms = body.get("terms")
        if not isinstance(terms, list) or not terms or len(terms) > MAX_TERMS:
            bad(where + ("terms",), f"词组 {gid} 须有 1-{MAX_TERMS} 个词 / group {gid} needs 1-{MAX_TERMS} terms",
                "e.g. terms: [锂离子电池, 锂电]")
            continue
        clean = []
        for i, term in enumerate(terms):
            if not isinstance(term, (str, int, float)) or isinstance(term, bool):
                bad(where + ("terms", i), f"词须为文字 / a term must be text: {term!r}", "write the word")
                continue
            word = normalize(str(term)).strip()
            if not word or any(ch.isspace() for ch in word) or len(word) > MAX_TERM_CHARS:
                bad(where + ("terms", i), f"词无效 / invalid term {term!r}",
                    f"one word, no spaces, at most {MAX_TERM_CHARS} characters (write 锂离子电池, not 锂离子 电池)")
                continue
            if word in seen_term and seen_term[word] != gid:
                bad(where + ("terms", i), f"词 {word!r} 已在词组 {seen_term[word]} / {word!r} is already in group "
                    f"{seen_term[word]}", "a word belongs to one group: keep it in one of them")
                continue
            seen_term[word] = gid
            clean.append(word)
        broader = body.get("broader", [])
        if isinstance(broader, str):
            broader = [broader]
        if not isinstance(broader, list) or not all(isinstance(b, str) for b in broader):
            bad(where + ("broader",), f"broader 须为编号列表 / broader must be a list of group ids",
                "e.g. broader: [metallurgical_solid_waste]")
            broader = []
        groups[gid] = Group(gid, _unique(tuple(clean)), _unique(tuple(broader)))
    for gid, g in groups.items():
        for i, parent in enumerate(g.broader):
            if parent not in groups and parent not in known:
                bad(("groups", gid, "broader", i), f"上位词组不存在 / unknown broader group {parent!r}",
                    "name a group id defined in this file or the shipped lexicon")
            elif parent == gid:
                bad(("groups", gid, "broader", i), f"词组不能是自己的上位 / group {gid} cannot be its own broader group",
                    "remove it")
    if problems:
        raise ValidationError(problems)
    return Lexicon.build(groups, (label or name,))
