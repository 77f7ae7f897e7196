"""The portfolio's two charts — the value-for-money curve and the efficient frontier — as PNG (``--out``) or SVG
(the report), drawn from the JSON-ready dict of :func:`tlr.app.portfolio.build_portfolio`."""

from __future__ import annotations

import io

from tlr.text import pick

STRINGS = {
    "vfm_title": ("性价比曲线：按每万元价值排序的累计价值", "Value for money: cumulative value, best value per 万元 first"),
    "cum_cost": ("累计申请经费（万元）", "cumulative ask (万元)"),
    "cum_value": ("累计价值", "cumulative value"),
    "selected": ("入选", "selected"),
    "not_selected": ("未入选", "not selected"),
    "budget": ("各池各年预算合计", "budgets, all pools and years"),
    "frontier_title": ("有效前沿：各资金池预算同比例缩放时的最优目标值", "Efficient frontier: best objective as every "
                                                             "pool's budget is scaled"),
    "budget_axis": ("预算合计（万元）", "total budget (万元)"),
    "value_axis": ("最优目标值", "best objective value"),
    "as_written": ("当前预算", "budgets as written"),
}


def _figure_bytes(fig, plt, fmt: str, title: str, uid: str) -> bytes:
    if fmt == "svg":
        from tlr.report.charts import _to_svg

        return _to_svg(fig, plt, title, uid).encode("utf-8")
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        fig.savefig(buf, format="png", dpi=150, bbox_inches="tight", pad_inches=0.05, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def vfm_chart(data: dict, lang: str = "zh", fmt: str = "png") -> bytes:
    """Cumulative value against cumulative ask along decreasing value per 万元; selected projects filled."""
    from tlr.report.charts import BLUE, GREY, NAVY, _style

    s = pick(STRINGS, lang)
    curve = data["value_for_money"]
    with _style() as plt:
        fig = plt.figure(figsize=(7.0, 3.0))
        ax = fig.add_subplot(111)
        xs = [0.0] + [p["cum_cost"] for p in curve]
        ys = [0.0] + [p["cum_value"] for p in curve]
        ax.plot(xs, ys, color=GREY, lw=0.8)
        sel = [p for p in curve if p["selected"]]
        rest = [p for p in curve if not p["selected"]]
        ax.plot([p["cum_cost"] for p in sel], [p["cum_value"] for p in sel], "o", color=NAVY, ms=4,
                label=s["selected"])
        ax.plot([p["cum_cost"] for p in rest], [p["cum_value"] for p in rest], "o", mfc="none", mec=BLUE, ms=4,
                label=s["not_selected"])
        if len(curve) <= 40:   # beyond that the labels would only overprint each other
            for p in curve:
                ax.annotate(p["project"], (p["cum_cost"], p["cum_value"]), textcoords="offset points", xytext=(3, -8),
                            fontsize=5.5, color=NAVY if p["selected"] else GREY)
        ax.axvline(data["budget_total"], color="#c0504d", lw=0.9, ls="--")
        ax.text(data["budget_total"], max(ys + [0.0]) * 1.01, f" {s['budget']} {data['budget_total']:g}",
                color="#c0504d", fontsize=7.5, va="bottom")
        ax.set_xlabel(s["cum_cost"], fontsize=8)
        ax.set_ylabel(s["cum_value"], fontsize=8)
        ax.tick_params(labelsize=7.5)
        ax.legend(loc="lower right", fontsize=7, frameon=False)
        ax.set_title(s["vfm_title"], fontsize=9)
        return _figure_bytes(fig, plt, fmt, s["vfm_title"], "ch-pf-vfm")


def frontier_chart(data: dict, lang: str = "zh", fmt: str = "png") -> bytes:
    """Best objective value against the total budget; the budgets as written marked."""
    from tlr.report.charts import NAVY, _style

    s = pick(STRINGS, lang)
    pts = [p for p in (data.get("frontier") or {}).get("points", []) if p["value"] is not None]
    with _style() as plt:
        fig = plt.figure(figsize=(7.0, 3.0))
        ax = fig.add_subplot(111)
        ax.plot([p["budget"] for p in pts], [p["value"] for p in pts], "-o", color=NAVY, ms=3, lw=1.4)
        at = data["frontier"]["at"] if data.get("frontier") else None
        if at is not None and at["value"] is not None:
            ax.axvline(at["budget"], color="#c0504d", lw=0.9, ls="--")
            ax.plot([at["budget"]], [at["value"]], "D", color="#c0504d", ms=5, label=s["as_written"])
            ax.legend(loc="lower right", fontsize=7, frameon=False)
        ax.set_xlabel(s["budget_axis"], fontsize=8)
        ax.set_ylabel(s["value_axis"], fontsize=8)
        ax.tick_params(labelsize=7.5)
        ax.set_title(s["frontier_title"], fontsize=9)
        return _figure_bytes(fig, plt, fmt, s["frontier_title"], "ch-pf-frontier")


def write_outputs(data: dict, out_dir, lang: str) -> list[dict]:
    """The value-for-money chart, the frontier chart (when computed) and portfolio.json into *out_dir*."""
    import hashlib

    from tlr.numeric.results import json_text
    from tlr.outputs import make_folder, write_file
    from tlr.report.render import output_path

    make_folder(out_dir)
    bodies = {"portfolio-value-for-money.png": vfm_chart(data, lang)}
    if data.get("frontier"):
        bodies["portfolio-frontier.png"] = frontier_chart(data, lang)
    bodies["portfolio.json"] = json_text(data).encode("utf-8")
    out = []
    for name, body in bodies.items():
        path = output_path(out_dir, name)
        write_file(path, body)
        out.append({"path": str(path), "sha256": hashlib.sha256(body).hexdigest()})
    return out
