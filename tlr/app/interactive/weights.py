"""An expert giving pairwise judgements at a terminal (``tlr weights answer --expert E07``).

Node by node, pair by pair (A before B in the children's order): the question "A 与 B 相比", the current
answer, then a judgement on the verbal scale or as a number; each answer is committed to the ledger at once
(a killed session keeps every answer given) and the next run starts at the first pair still unanswered.
When a node's matrix is complete its CR and GCI are shown and, when it is inconsistent, the judgement to
revisit and the value that would fix it (``r`` jumps to it). Same terminal interface and commands as
``tlr score`` (:mod:`tlr.app.interactive`).
"""

from __future__ import annotations

from typing import Any

from tlr.app.interactive.terminal import BACK, HELP, QUIT, SKIP, Terminal
from tlr.weighting.survey import (
    SCALE_HELP,
    VERBAL,
    AnswerError,
    consistency,
    consistency_line,
    describe,
    fmt,
    matrix,
    parse_answer,
)

COMMANDS_HELP = "回车=保留 keep · b=上一题 back · s=跳过 skip · q=退出 quit · ?=帮助 help"
REVISE = frozenset({"r", "revise", "修改"})


def _plain(value: Any) -> str:
    from tlr.safetext import terminal_safe

    return terminal_safe(value)


class WeightsSession:
    def __init__(self, ledger, expert_id: str, terminal: Terminal, *, restart: bool = False):
        from tlr.campaign.weighting_round import answers, round_nodes

        self.ledger = ledger
        self.terminal = terminal
        self.expert = ledger.expert(expert_id)
        self.expert_id = expert_id
        _scope, self.nodes = round_nodes(ledger)
        self.questions = [(node, a, b) for node in self.nodes for a, b in node.pairs()]
        self.answers = {k: r["value"] for k, r in answers(ledger, expert_id).get(expert_id, {}).items()}
        self.restart = restart
        self.shown_node: str | None = None
        self.rubric = ledger.rubric

    def say(self, text: str = "") -> None:
        self.terminal.say(text)

    def label(self, node_id: str) -> str:
        from tlr.text import both

        if node_id == "root":
            return "顶层维度 / top-level dimensions"
        try:
            return f"{node_id}  {both(self.rubric.node(node_id).label)}"
        except KeyError:
            return node_id

    def key(self, idx: int) -> tuple[str, str, str]:
        node, a, b = self.questions[idx]
        return node.node, a, b

    def next_open(self, idx: int) -> int:
        """The first unanswered question after ``idx``, else the first anywhere; ``len`` when all are answered."""
        n = len(self.questions)
        for k in list(range(idx + 1, n)) + list(range(idx + 1)):
            if self.key(k) not in self.answers:
                return k
        return n

    def node_answers(self, node) -> dict[tuple[str, str], float]:
        return {(a, b): v for (n, a, b), v in self.answers.items() if n == node.node}

    # ------------------------------------------------------------------ showing
    def show_node(self, node) -> None:
        say = self.say
        say("")
        say("=" * 70)
        k = self.nodes.index(node) + 1
        say(f"节点 / Node {k}/{len(self.nodes)}: {_plain(self.label(node.node))}")
        for cid in node.children:
            say(f"  · {_plain(self.label(cid))}")
        say("标度 / scale: " + " · ".join(f"{v}={VERBAL[v][0]}" for v in (1, 3, 5, 7, 9))
            + "（2、4、6、8 居中 / between）")
        say(SCALE_HELP)
        say("=" * 70)
        self.shown_node = node.node

    def show_consistency(self, node) -> dict | None:
        got = self.node_answers(node)
        if len(got) < len(node.pairs()):
            return None
        c = consistency(node, matrix(node, got))
        weights = ", ".join(f"{cid} {w:.3f}" for cid, w in c["weights"].items())
        self.say(f"  {node.node}: 权重 / weights {weights}")
        self.say("  " + consistency_line(c))
        return c

    # ------------------------------------------------------------------ the loop
    def run(self) -> None:
        from tlr.campaign.weighting_round import record

        total = len(self.questions)
        self.say(f"专家 / Expert {_plain(self.expert_id)} {_plain(self.expert['name'])}: {len(self.answers)}/{total} "
                 f"已答 / answered. {COMMANDS_HELP}")
        idx = 0 if self.restart else self.next_open(-1)
        while 0 <= idx < total:
            node, a, b = self.questions[idx]
            if node.node != self.shown_node:
                self.show_node(node)
            cur = self.answers.get(self.key(idx))
            self.say("")
            self.say(f"[{idx + 1}/{total}] {_plain(node.node)}: A = {_plain(a)} 与 / vs  B = {_plain(b)} — "
                     f"A 比 B 重要多少？/ how much more important is A than B?")
            if cur is not None:
                self.say(f"  当前 / current: {describe(cur, a, b)}")
            raw = self.terminal.ask("判断 / judgement", "", show_default=False).strip()
            low = raw.lower()
            if low in HELP:
                self.say(COMMANDS_HELP)
                self.say(SCALE_HELP)
                continue
            if low in QUIT:
                self.say(f"已退出，已答 {len(self.answers)}/{total}，下次从未答处继续 / stopped with "
                         f"{len(self.answers)}/{total} answered; next time you resume at the first open pair")
                return
            if low in BACK:
                idx = max(idx - 1, 0)
                continue
            if low in SKIP or not raw:
                idx += 1
                continue
            try:
                value = parse_answer(raw, a, b)
            except AnswerError as exc:
                self.say(f"  ✗ {exc}")
                continue
            record(self.ledger, self.expert_id, [(node, a, b, value, raw)], source="interactive")
            self.answers[self.key(idx)] = value
            self.say(f"  ✓ 已保存 / saved: {describe(value, a, b)}")
            c = self.show_consistency(node)
            if c is not None and c["fix"] is not None:
                fix = c["fix"]
                go = self.terminal.ask(f"  r=现在修改 ({fix['a']}, {fix['b']}) 为 {fmt(fix['suggested'])} 附近 / revise it "
                                       f"now · 回车=继续 Enter goes on", "", show_default=False).strip().lower()
                if go in REVISE:
                    idx = next(k for k, q in enumerate(self.questions)
                               if q[0].node == node.node and (q[1], q[2]) == (fix["a"], fix["b"]))
                    continue
            idx = self.next_open(idx)
        self.finish()

    def finish(self) -> None:
        total = len(self.questions)
        self.say("")
        missing = total - len(self.answers)
        if missing:
            self.say(f"尚缺 {missing} 个判断 / {missing} judgement(s) still missing")
        else:
            self.say(f"全部完成 / all {total} judgements given. 谢谢 / thank you!")
        for node in self.nodes:
            if self.show_consistency(node) is None:
                got = len(self.node_answers(node))
                self.say(f"  {node.node}: {got}/{len(node.pairs())} 已答 / answered")
