"""The stages walk the score cube in blocks of projects and share per-cell sums (issue 16): the numbers are
those of the plain whole-cube formulas. Each test compares with a direct computation (numpy's nan-functions,
the textbook formula, an explicit resample) or with the same call on one block, on small seeded cubes with
missing scores, recusals, indicators that do not apply, ties and lone experts; tiny blocks make the block
edges fall everywhere."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tlr.numeric.arrays as arrays
from tlr.evaluation import EvaluationOptions, ScoreCube, evaluate
from tlr.evaluation.agreement import design_of, designs_of
from tlr.evaluation.consensus import consensus_of
from tlr.evaluation.utilities import utilities_of
from tlr.numeric.arrays import add_along, project_blocks
from tlr.numeric.errors import InvalidValueError
from tlr.panel.agreement import expert_diagnostics, icc, icc_oneway, kendall_w
from tlr.panel.cells import cells_of
from tlr.panel.consensus import consensus, leniency_correct
from tlr.panel.krippendorff import krippendorff_alpha, krippendorff_alphas
from tlr.rubric import rubric_from_data

NAN = np.nan


@pytest.fixture
def tiny_blocks(monkeypatch):
    """Blocks of one to a few projects: every block edge a whole-cube formula could trip on."""
    monkeypatch.setattr(arrays, "BLOCK_CELLS", 40)


def cube(E=6, P=40, I=4, seed=0, missing=0.3, levels=5):
    rng = np.random.default_rng(seed)
    x = rng.integers(1, levels + 1, (E, P, I)).astype(float)
    x[rng.random(x.shape) < missing] = NAN
    x[:, 0] = NAN                 # nobody scored the first project
    x[1:, 1] = NAN                # one expert only on the second
    return x


RUBRIC = {
    "id": "b", "version": "1", "title": "B", "normalize": True, "readiness": "trl",
    "panel": {"consensus": "trimmed_mean", "trim": 1, "min_after_trim": 2, "min_experts": 2, "quorum": 0.6},
    "scales": {"l5": {"kind": "likert", "min": 1, "max": 5}, "yn": {"kind": "boolean"},
               "trl": {"kind": "levels", "levels": [{"level": k, "label": f"L{k}"} for k in range(1, 10)]},
               "g": {"kind": "grades", "grades": [{"id": k, "label": k, "value": v}
                                                  for k, v in (("A", 100), ("B", 80), ("C", 60))]},
               "num": {"kind": "numeric", "min": 0, "max": 100,
                       "transform": {"kind": "linear", "lower": 0, "upper": 80}}},
    "dimensions": [
        {"id": "t", "label": "T", "weight": 1, "children": [
            {"id": "a", "label": "A", "scale": "l5", "weight": 1},
            {"id": "trl", "label": "TRL", "scale": "trl", "weight": 1},
            {"id": "ok", "label": "OK", "scale": "yn", "role": "gate"},
            {"id": "b", "label": "B", "scale": "l5", "weight": 1}]},
        {"id": "m", "label": "M", "weight": 1, "children": [
            {"id": "g", "label": "G", "scale": "g", "weight": 1},
            {"id": "n", "label": "N", "scale": "num", "weight": 1}]}],
    "gates": [{"id": "ko", "label": "KO", "when": {"ref": "ok", "op": "==", "value": False}}],
    "tiers": [{"id": "A", "label": "A", "min_score": 60}, {"id": "D", "label": "D"}],
}


def panel_cube(P=60, seed=3):
    """A campaign-like cube of the rubric above: 7 experts, 4 per project, recusals, lone and absent experts."""
    rng = np.random.default_rng(seed)
    E = 7
    lows, highs = np.array([1, 1, 0, 1, 0, 0]), np.array([5, 9, 1, 5, 2, 100])
    x = np.stack([rng.integers(lo, hi + 1, (E, P)) for lo, hi in zip(lows, highs)], axis=2).astype(float)
    assigned = np.argsort(rng.random((E, P)), axis=0) < 4
    recused = assigned & (rng.random((E, P)) < 0.1)
    x[~assigned | recused] = NAN
    x[rng.random(x.shape) < 0.1] = NAN
    x[:, :2] = NAN
    applicable = rng.random((P, 6)) > 0.05
    ids = ("a", "trl", "ok", "b", "g", "n")
    return ScoreCube(x, tuple(f"e{k}" for k in range(E)), tuple(f"p{k}" for k in range(P)), ids, assigned,
                     recused, applicable)


def arrays_of(obj, prefix="", out=None):
    """Every array and number of a result, by path (dataclasses, dicts, lists), for whole-result comparisons."""
    import dataclasses

    out = {} if out is None else out
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        for f in dataclasses.fields(obj):
            if f.name != "rubric":
                arrays_of(getattr(obj, f.name), f"{prefix}.{f.name}", out)
    elif isinstance(obj, dict):
        for k, v in obj.items():
            arrays_of(v, f"{prefix}[{k!r}]", out)
    elif isinstance(obj, (list, tuple)):
        for k, v in enumerate(obj):
            arrays_of(v, f"{prefix}[{k}]", out)
    else:
        out[prefix] = obj
    return out


def same(a, b, rtol=0.0):
    """Equal results: arrays bit for bit (rtol=0) or within rtol, NaN where NaN; everything else equal."""
    assert a.keys() == b.keys()
    for k in a:
        x, y = a[k], b[k]
        if isinstance(x, (np.ndarray, float, np.floating)) and np.asarray(x).dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(y, float), np.asarray(x, float), rtol=rtol, atol=rtol, err_msg=k)
        elif isinstance(x, np.ndarray):
            np.testing.assert_array_equal(y, x, err_msg=k)
        else:
            assert x == y, k


def test_project_blocks_cover_every_project_once():
    for P, per in ((0, 5), (1, 5), (10, 3), (10, 100)):
        blocks = project_blocks(P, per, cells=12)
        covered = np.concatenate([np.arange(P)[sl] for sl in blocks])
        assert covered.tolist() == list(range(P)) and all(sl.stop > sl.start for sl in blocks if P)


def test_add_along_is_numpys_own_sum_bit_for_bit():
    x = np.random.default_rng(1).normal(size=(3, 1000, 4)) * 1e3
    total = None
    for sl in project_blocks(1000, 12, cells=12 * 7):
        total = add_along(total, x[:, sl], axis=1)
    assert np.array_equal(total, x.sum(axis=1))


def test_cells_are_numpys_nan_functions_bit_for_bit(tiny_blocks):
    x = cube()
    c = cells_of(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        assert np.array_equal(c.n, (~np.isnan(x)).sum(axis=0))
        assert np.array_equal(c.total, np.nansum(x, axis=0))
        assert np.array_equal(c.sd(), np.nanstd(x, axis=0, ddof=1), equal_nan=True)
        assert np.array_equal(c.mean(), np.nanmean(x, axis=0), equal_nan=True)
    assert np.array_equal(c.experts, ~np.isnan(x).all(axis=1))


@pytest.mark.parametrize("method", ["mean", "median", "median_low", "trimmed", "weighted", "leniency"])
def test_panel_consensus_in_blocks_is_the_consensus_in_one(monkeypatch, method):
    x = cube(E=7, P=30, I=3, seed=2)
    kwargs = {"trimmed": dict(trim=1, min_remaining=2), "weighted": dict(expert_weights=np.arange(1.0, 8.0)),
              "leniency": dict(lo=1, hi=5)}.get(method, {})
    whole = arrays_of(consensus(x, method, **kwargs))
    monkeypatch.setattr(arrays, "BLOCK_CELLS", 21)
    same(whole, arrays_of(consensus(x, method, **kwargs)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if method == "mean":
            assert np.array_equal(whole[".values"], np.nanmean(x, axis=0), equal_nan=True)
        if method == "median":
            assert np.array_equal(whole[".values"], np.nanmedian(x, axis=0), equal_nan=True)


def test_leniency_statistics_are_numpys_over_every_project(tiny_blocks):
    x = cube(P=50, seed=4)
    corrected, ok = leniency_correct(x, 1, 5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m, s = np.nanmean(x, axis=1), np.nanstd(x, axis=1, ddof=1)
    expect_ok = ((~np.isnan(x)).sum(axis=1) >= 2) & (np.nan_to_num(s) > 4e-9)
    M = np.where(expect_ok, m, 0).sum(axis=0) / expect_ok.sum(axis=0)
    S = np.sqrt(np.where(expect_ok, s ** 2, 0).sum(axis=0) / expect_ok.sum(axis=0))
    z = (x - m[:, None]) / np.where(expect_ok, s, 1)[:, None]
    expect = np.where(expect_ok[:, None], np.clip(M + S * z, 1, 5), x)
    assert np.array_equal(ok, expect_ok)
    assert np.array_equal(corrected, expect, equal_nan=True)


def test_weighted_consensus_names_the_first_cells_of_zero_weight_across_blocks(tiny_blocks):
    x = np.full((2, 30, 2), NAN)
    x[0, 3, 1] = x[0, 17, 0] = x[0, 29, 1] = 4.0       # only the expert of weight 0 scored these cells
    x[1, :3] = 2.0
    with pytest.raises(InvalidValueError, match=r"\[\[3, 1\], \[17, 0\], \[29, 1\]\]"), np.errstate(invalid="ignore"):
        consensus(x, "weighted", expert_weights=[0.0, 1.0])


def test_evaluate_in_tiny_blocks_gives_the_same_evaluation(monkeypatch):
    rubric, cube_ = rubric_from_data(RUBRIC), panel_cube()
    opts = EvaluationOptions(draws=50, bootstrap_draws=20)
    whole = arrays_of(evaluate(rubric, cube_, options=opts))
    monkeypatch.setattr(arrays, "BLOCK_CELLS", 30)
    blocked = arrays_of(evaluate(rubric, cube_, options=opts))
    agreement = {k for k in whole if k.startswith((".agreement", ".expert_flags"))}
    same({k: whole[k] for k in whole.keys() - agreement}, {k: blocked[k] for k in blocked.keys() - agreement})
    same({k: whole[k] for k in agreement}, {k: blocked[k] for k in agreement}, rtol=1e-12)


@pytest.mark.parametrize("rule", ["mean", "median", "trimmed_mean"])
def test_consensus_stage_is_the_per_cell_rule(tiny_blocks, rule):
    """Ratings by the rule, levels by the lower median, yes/no by majority (a tie unknown), grades lower median."""
    rubric, cube_ = rubric_from_data(RUBRIC), panel_cube(seed=5)
    x = np.asarray(cube_.values)
    c = consensus_of(rubric, x, EvaluationOptions(consensus=rule, trim=1))
    for p in range(x.shape[1]):
        for i in range(x.shape[2]):
            v = np.sort(x[:, p, i][~np.isnan(x[:, p, i])])
            if not v.size:
                assert np.isnan(c.values[p, i])
                continue
            if i in (1, 4):                                    # TRL, grades
                expect = v[(v.size - 1) // 2]
            elif i == 2:                                       # yes / no
                expect = NAN if 2 * v.sum() == v.size else float(2 * v.sum() > v.size)
            elif rule == "median":
                expect = np.median(v)
            elif rule == "trimmed_mean" and v.size - 2 >= 2:
                expect = v[1:-1].mean()
            elif rule == "trimmed_mean":
                expect = np.median(v)
            else:
                expect = v.mean()
            np.testing.assert_allclose(c.values[p, i], expect, rtol=1e-15, err_msg=f"{p} {i}")
            assert c.n_experts[p, i] == v.size
            if v.size >= 2:
                np.testing.assert_allclose(c.spread[p, i], v.std(ddof=1), rtol=1e-14)


def test_a_refused_score_is_reported_as_the_whole_column_reports_it(tiny_blocks):
    """The first indicator with a bad score names its bad values over every project, wherever the blocks fall."""
    rubric = rubric_from_data(RUBRIC)
    x = np.asarray(panel_cube().values).copy()
    x[2, 50, 3] = 7.0      # indicator b, late project
    x[0, 5, 3] = 0.0       # indicator b, early project
    x[1, 55, 0] = 9.0      # indicator a: the first indicator, its bad value in the last block
    with pytest.raises(InvalidValueError, match=r"\[9\.0\]"):
        utilities_of(rubric.indicators, np.full((60, 6), NAN), x, np.ones((60, 6), bool))
    x[1, 55, 0] = 3.0
    with pytest.raises(InvalidValueError, match=r"\[0\.0, 7\.0\]"):
        utilities_of(rubric.indicators, np.full((60, 6), NAN), x, np.ones((60, 6), bool))


def _expert_diagnostics_whole(cube):
    """The textbook computation on the whole cube at once (the formulas of the class doc)."""
    E, P, I = cube.shape
    present = ~np.isnan(cube)
    x0 = np.where(present, cube, 0.0)
    n, tot = present.sum(axis=0), x0.sum(axis=0)
    n_other = n[None] - present
    usable = present & (n_other >= 1)
    loo = np.where(usable, (tot[None] - x0) / np.maximum(n_other, 1), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        s_i = np.nanstd(cube.transpose(2, 0, 1).reshape(I, -1), axis=1, ddof=1)
        sd_ei = np.nanstd(cube, axis=1, ddof=1)
    s_i = np.where(np.nan_to_num(s_i) > 0, s_i, 1.0)
    d = np.where(usable, (cube - loo) / s_i, 0.0)
    ns = usable.sum(axis=(1, 2))
    bias = d.sum(axis=(1, 2)) / ns
    se = np.sqrt((np.where(usable, d - bias[:, None, None], 0.0) ** 2).sum(axis=(1, 2)) / (ns - 1) / ns)
    cnt = usable.sum(axis=1)
    mx = np.where(usable, cube, 0).sum(axis=1) / cnt
    my = loo.sum(axis=1) / cnt
    dx, dy = np.where(usable, cube - mx[:, None], 0.0), np.where(usable, loo - my[:, None], 0.0)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        r = (dx * dy).sum(axis=1) / np.sqrt((dx * dx).sum(axis=1) * (dy * dy).sum(axis=1))
        return bias, bias / se, np.nanmean(np.where(cnt >= 3, r, NAN), axis=1), sd_ei


def test_expert_diagnostics_in_two_reads_are_the_whole_cube_formulas(tiny_blocks):
    x = cube(E=5, P=60, I=3, seed=6)
    x[3] = np.where(np.isnan(x[3]), NAN, np.clip(x[3] + 2, 1, 5))     # a lenient expert
    x[4] = np.where(np.isnan(x[4]), NAN, 3.0)                          # a flat one
    d = expert_diagnostics(x)
    bias, z, corr, sd_ei = _expert_diagnostics_whole(x)
    np.testing.assert_allclose(d.bias, bias, rtol=1e-13)
    np.testing.assert_allclose(d.bias_z, z, rtol=1e-12)
    np.testing.assert_allclose(d.corr[:4], corr[:4], rtol=1e-12)
    assert d.systematic[3] and not d.systematic[[0, 1, 2]].any()
    assert d.non_discriminating.tolist() == [False, False, False, False, True]
    assert np.array_equal(d.flat_share, ((sd_ei <= 1e-9) & ~np.isnan(sd_ei)).sum(axis=1) / (~np.isnan(sd_ei)).sum(axis=1))


def test_icc_oneway_from_the_cells_is_the_anova(tiny_blocks):
    x = cube(E=5, P=30, I=2, seed=7)
    r = icc_oneway(x)
    for i in range(2):
        groups = [v[~np.isnan(v)] for v in x[:, :, i].T if (~np.isnan(v)).sum() >= 2]
        k = np.array([len(g) for g in groups], float)
        N, n = k.sum(), len(groups)
        grand = np.concatenate(groups).mean()
        msb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups) / (n - 1)
        msw = sum(((g - g.mean()) ** 2).sum() for g in groups) / (N - n)
        k0 = (N - (k ** 2).sum() / N) / (n - 1)
        np.testing.assert_allclose(r.icc[i], (msb - msw) / (msb + (k0 - 1) * msw), rtol=1e-12)


def test_kendall_and_icc_on_the_complete_block_only_are_the_same_numbers():
    """A sparse panel with a complete block on some projects: dropping the others changes no bit."""
    x = cube(E=4, P=50, I=3, seed=8, missing=0.5)
    x[:, 10:20, :2] = np.random.default_rng(9).integers(1, 6, (4, 10, 2))      # complete block, indicators 0-1
    x[0, :10, :2] = x[0, 20:, :2] = NAN                                          # ... and nowhere else
    c = cells_of(x)
    for fn in (kendall_w, icc):
        plain, with_cells = arrays_of(fn(x)), arrays_of(fn(x, cells=c))
        same(plain, with_cells)
    w = kendall_w(x)
    assert w.n_used.tolist()[:2] == [10, 10] and w.m_used.tolist() == [4, 4, 4]


def test_designs_from_the_cells_are_the_block_definition():
    x = cube(E=4, P=20, I=4, seed=10, missing=0.0)
    x[:, :, 1] = NAN
    x[0, :, 1] = 2.0                    # one expert only: no pair, "none"
    x[2, 3, 2] = NAN                    # one score missing: sparse
    x[3, :, 3] = NAN                    # an expert who scored nothing there: still complete
    x[:, :2] = NAN                      # projects nobody scored: still complete
    assert designs_of(cells_of(x)) == ["complete", "none", "sparse", "complete"]
    for i in range(4):
        block = x[:, :, i]
        present = ~np.isnan(block)
        expect = ("none" if not (present.sum(axis=0) >= 2).any() else
                  "complete" if present[present.any(axis=1)][:, present.any(axis=0)].all() else "sparse")
        assert design_of(block) == expect


@pytest.mark.parametrize("per_chunk", [None, 5])
@pytest.mark.parametrize("level", ["interval", "ordinal", "nominal"])
def test_alpha_bootstrap_is_alpha_of_the_resampled_units(level, per_chunk, monkeypatch):
    """Each draw of the one-matrix bootstrap is alpha recomputed on the units the draw picked; with
    several chunks (drawn by a second thread while the first is summed) the draws come in order."""
    import tlr.panel.krippendorff as kmod

    x = cube(E=4, P=25, I=2, seed=11, missing=0.35)
    draws = 12
    if per_chunk:
        monkeypatch.setattr(kmod, "_CHUNK", per_chunk * 25)
        monkeypatch.setattr(kmod, "_MIN_DRAWS", 1)
    a = krippendorff_alpha(x, level=level, bootstrap=draws, seed=5)
    rng = np.random.default_rng(5)
    sizes = [draws] if per_chunk is None else [5, 5, 2]      # the chunks the bootstrap draws, in order
    picks = np.concatenate([rng.integers(0, 25, size=(k, 25)) for k in sizes])
    values = np.array([[float(krippendorff_alpha(x[:, p, i], level=level).alpha) for i in range(2)] for p in picks])
    tail = 0.025
    for i in range(2):
        good = values[:, i][~np.isnan(values[:, i])]
        np.testing.assert_allclose([a.ci_low[i], a.ci_high[i]], np.quantile(good, [tail, 1 - tail]), rtol=1e-12)
        assert a.n_boot_defined[i] == good.size


@pytest.mark.parametrize("units", [25, 65_537, 1_000_001])
def test_alpha_bootstrap_picks_are_the_same_in_the_narrow_type(units):
    """The bootstrap draws its unit indices as int32 (half the memory, faster counts): numpy's bounded
    integers give the same numbers in either type, so the draws are those of ``rng.integers`` (int64)."""
    from tlr.panel.krippendorff import _pick_type

    wide = np.random.default_rng(5).integers(0, units, size=(3, units))
    narrow = np.random.default_rng(5).integers(0, units, size=(3, units), dtype=_pick_type(units))
    assert narrow.dtype == np.int32 and np.array_equal(wide, narrow)


def test_alphas_of_mixed_levels_are_each_levels_alpha():
    x = cube(E=5, P=40, I=3, seed=12)
    by_level = krippendorff_alphas(x, ["interval", "ordinal", "interval"], bootstrap=30, seed=2)
    assert by_level["interval"][0] == [0, 2] and by_level["ordinal"][0] == [1]
    for level, (cols, a) in by_level.items():
        alone = krippendorff_alpha(x[:, :, cols], level=level, bootstrap=30, seed=2)
        same(arrays_of(alone), arrays_of(a))
