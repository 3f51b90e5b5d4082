"""Richardson fits: least squares against hand and scipy results, recovery from simulated
races, closed forms for the equilibrium and stability, CSV errors, and the replications."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from numpy.testing import assert_allclose
from scipy import stats

from security_dilemma import data
from security_dilemma.cli import main
from security_dilemma.errors import BadInput
from security_dilemma.history import (
    REPLICATIONS,
    RaceSeries,
    fit_bloc,
    fit_dyad,
    fit_richardson,
    nmc_series,
    ols,
    read_series_csv,
    replicate,
    richardson_equilibrium,
    simulate_richardson,
)

COEFS = ("k", "a", "g", "l", "b", "h")


def dilemma(capfd: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capfd.readouterr()
    with pytest.raises(SystemExit) as info:
        main(list(args))
    out, err = capfd.readouterr()
    code = info.value.code
    return (code if isinstance(code, int) else 0), out, err


# --- least squares -------------------------------------------------------------------------


def test_ols_matches_a_hand_computed_example() -> None:
    # x = 0..3, y = 1, 3, 2, 5: x-bar 1.5, Sxx 5, Sxy 5.5, slope 1.1, intercept 1.1,
    # residuals -0.1, 0.8, -1.3, 0.6, SSR 2.7, s^2 = 1.35, SST 8.75.
    x = np.array([0.0, 1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 2.0, 5.0])
    reg = ols(np.column_stack([np.ones(4), x]), y, ("c", "slope"))
    assert_allclose(reg.values, [1.1, 1.1], rtol=1e-12)
    assert_allclose(reg["slope"].se, np.sqrt(1.35 / 5), rtol=1e-12)
    assert_allclose(reg["c"].se, np.sqrt(1.35 * (1 / 4 + 1.5**2 / 5)), rtol=1e-12)
    assert_allclose(reg.r2, 1 - 2.7 / 8.75, rtol=1e-12)
    assert_allclose(reg.resid_se, np.sqrt(1.35), rtol=1e-12)
    assert reg.dof == 2
    # HC1 by hand: (X'X)^-1 = [[14, -6], [-6, 4]] / 20; meat = sum e^2 [1 x; x x^2]
    # = [[2.7, 5.1], [5.1, 10.64]]; slope HC0 variance 0.0566, HC1 = HC0 * 4 / 2.
    assert_allclose(reg["slope"].se_hc1, np.sqrt(0.0566 * 2), rtol=1e-12)
    assert_allclose(reg["c"].se_hc1, np.sqrt(0.1386 * 2), rtol=1e-12)
    q = stats.t.ppf(0.975, 2)
    assert_allclose(reg["slope"].ci_high, 1.1 + q * np.sqrt(0.27), rtol=1e-12)


@given(
    st.lists(st.floats(-100, 100), min_size=4, max_size=30, unique=True),
    st.integers(0, 2**32 - 1),
)
def test_single_regressor_agrees_with_scipy_linregress(xs: list[float], seed: int) -> None:
    x = np.array(xs)
    assume(np.ptp(x) > 1e-3)
    y = 3.0 - 0.7 * x + np.random.default_rng(seed).normal(0, 5, len(x))
    reg = ols(np.column_stack([x, np.ones_like(x)]), y, ("slope", "c"))
    ref = stats.linregress(x, y)
    assert_allclose(reg["slope"].value, ref.slope, rtol=1e-8, atol=1e-10)
    assert_allclose(reg["c"].value, ref.intercept, rtol=1e-8, atol=1e-9)
    assert_allclose(reg["slope"].se, ref.stderr, rtol=1e-7)
    assert_allclose(reg["c"].se, ref.intercept_stderr, rtol=1e-7)
    assert_allclose(reg["slope"].p, ref.pvalue, rtol=1e-6, atol=1e-12)
    assert_allclose(reg.r2, ref.rvalue**2, rtol=1e-8, atol=1e-12)


def test_confidence_intervals_cover_at_their_nominal_rate() -> None:
    rng = np.random.default_rng(20240601)
    beta = np.array([0.4, -1.5, 2.0])
    reps, n, covered = 1000, 25, np.zeros(3)
    for _ in range(reps):
        X = np.column_stack([rng.normal(0, 3, n), rng.normal(0, 1, n), np.ones(n)])
        y = X @ beta + rng.normal(0, 2, n)
        reg = ols(X, y, ("b1", "b2", "c"))
        covered += [e.ci_low <= b <= e.ci_high for e, b in zip(reg.estimates, beta, strict=True)]
    # 1000 draws: the standard error of a 95% coverage rate is 0.0069
    assert np.all(covered / reps > 0.925) and np.all(covered / reps < 0.975), covered / reps


def test_ols_rejects_too_few_rows_and_collinear_regressors() -> None:
    with pytest.raises(BadInput, match="at least 3"):
        ols(np.ones((2, 2)), np.ones(2), ("a", "b"))
    x = np.arange(6.0)
    with pytest.raises(BadInput, match="collinear"):
        ols(np.column_stack([x, 2 * x, np.ones(6)]), x, ("a", "b", "c"))


# --- recovering known coefficients ------------------------------------------------------------


@given(
    k=st.floats(0.0, 0.4),
    a=st.floats(0.05, 0.6),
    g=st.floats(-5, 5),
    l_=st.floats(0.0, 0.4),
    b=st.floats(0.05, 0.6),
    h=st.floats(-5, 5),
    x0=st.floats(0, 100),
    y0=st.floats(0, 100),
)
def test_noise_free_data_give_back_the_coefficients(
    *, k: float, a: float, g: float, l_: float, b: float, h: float, x0: float, y0: float
) -> None:
    s = simulate_richardson(k=k, a=a, g=g, l=l_, b=b, h=h, x0=x0, y0=y0, steps=12)
    design = np.column_stack([s.y[:-1], s.x[:-1], np.ones(12)])
    assume(np.linalg.cond(design) < 1e6)
    fit = fit_dyad(s)
    got = [fit.k, fit.a, fit.g, fit.l, fit.b, fit.h]
    assert_allclose(got, [k, a, g, l_, b, h], atol=1e-6 * (1 + max(abs(g), abs(h))))
    assert fit.x_eq.resid_se < 1e-6 * (1 + np.abs(s.x).max())


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_noisy_data_give_the_coefficients_within_their_standard_errors(seed: int) -> None:
    true = {"k": 0.1, "a": 0.3, "g": 2.0, "l": 0.15, "b": 0.25, "h": 1.0}
    rng = np.random.default_rng(seed)
    s = simulate_richardson(**true, x0=5.0, y0=20.0, steps=500, noise=1.0, rng=rng)
    fit = fit_dyad(s)
    for name, value in true.items():
        est = (fit.x_eq if name in "kag" else fit.y_eq)[name]
        assert abs(est.value - value) < 3.5 * est.se, (name, est)
        if name in "kalb":  # slopes are well identified in 500 years; the intercepts less so
            assert est.se < 0.05, (name, est)


def test_simulated_race_settles_at_the_fitted_equilibrium() -> None:
    params = {"k": 0.2, "a": 0.3, "g": 1.0, "l": 0.1, "b": 0.25, "h": 2.0}
    long = simulate_richardson(**params, x0=1.0, y0=30.0, steps=400)
    eq = richardson_equilibrium(*params.values())
    assert eq is not None
    assert_allclose([long.x[-1], long.y[-1]], eq, rtol=1e-9)
    fit = fit_dyad(simulate_richardson(**params, x0=1.0, y0=30.0, steps=12))
    assert fit.equilibrium is not None
    assert_allclose(fit.equilibrium, eq, rtol=1e-6)
    assert fit.stable_continuous and fit.stable_discrete and fit.condition_holds


def test_a_runaway_race_is_reported_unstable() -> None:
    s = simulate_richardson(k=0.5, a=0.1, g=1.0, l=0.4, b=0.1, h=1.0, x0=10.0, y0=12.0, steps=10)
    fit = fit_dyad(s)
    assert fit.margin < 0 and not fit.condition_holds
    assert not fit.stable_continuous and not fit.stable_discrete
    assert "fails" in " ".join(fit.summary())


# --- closed forms -------------------------------------------------------------------------


params = st.tuples(*(st.floats(-2, 2, allow_subnormal=False) for _ in range(6)))


@given(params)
def test_equilibrium_solves_the_linear_system(p: tuple[float, ...]) -> None:
    k, a, g, l_, b, h = p
    m = np.array([[-a, k], [l_, -b]])
    assume(abs(np.linalg.det(m)) > 1e-3)
    eq = richardson_equilibrium(k, a, g, l_, b, h)
    assert eq is not None
    assert_allclose(eq, np.linalg.solve(m, [-g, -h]), rtol=1e-8, atol=1e-8)


@given(params)
def test_stability_condition_matches_the_eigenvalues(p: tuple[float, ...]) -> None:
    k, a, _, l_, b, _ = p
    jac = np.array([[-a, k], [l_, -b]])
    assume(abs(a * b - k * l_) > 1e-6 and abs(a + b) > 1e-6)
    closed_form = a * b > k * l_ and a + b > 0
    assert closed_form == bool(np.max(np.linalg.eigvals(jac).real) < 0)


def test_fit_reports_the_eigenvalues_and_delta_method_errors() -> None:
    rng = np.random.default_rng(7)
    s = simulate_richardson(
        k=0.1, a=0.3, g=2.0, l=0.15, b=0.25, h=1.0, x0=5, y0=20, steps=40, noise=1.0, rng=rng
    )
    fit = fit_dyad(s)
    jac = np.array([[-fit.a, fit.k], [fit.l, -fit.b]])
    assert_allclose(
        np.sort_complex(fit.eigenvalues_continuous),
        np.sort_complex(np.linalg.eigvals(jac).astype(complex)),
    )
    assert_allclose(
        np.sort_complex(fit.eigenvalues_discrete), np.sort_complex(fit.eigenvalues_continuous + 1)
    )
    # delta method, recomputed with a numerical gradient
    theta = np.array([fit.k, fit.a, fit.g, fit.l, fit.b, fit.h])
    cov = np.zeros((6, 6))
    cov[:3, :3], cov[3:, 3:] = fit.x_eq.cov, fit.y_eq.cov

    def se(f):  # type: ignore[no-untyped-def]
        grad = np.array([(f(theta + e) - f(theta - e)) / 2e-7 for e in np.eye(6) * 1e-7])
        return float(np.sqrt(grad @ cov @ grad))

    assert_allclose(fit.margin_se, se(lambda t: t[1] * t[4] - t[0] * t[3]), rtol=1e-5)
    ex, ey = fit.equilibrium_se or (np.nan, np.nan)
    assert_allclose(ex, se(lambda t: richardson_equilibrium(*t)[0]), rtol=1e-4)
    assert_allclose(ey, se(lambda t: richardson_equilibrium(*t)[1]), rtol=1e-4)


def test_bloc_form_is_a_regression_on_the_mean_total() -> None:
    s = RaceSeries(
        np.arange(1909.0, 1914.0),
        np.array([100.0, 103.0, 108.0, 118.0, 150.0]),
        np.array([90.0, 92.0, 95.0, 101.0, 122.0]),
    )
    fit = fit_bloc(s)
    total = s.x + s.y
    ref = stats.linregress((total[1:] + total[:-1]) / 2, np.diff(total))
    assert_allclose([fit.k_minus_a, fit.g_plus_h], [ref.slope, ref.intercept], rtol=1e-10)
    assert_allclose(fit.regression["k_minus_a"].se, ref.stderr, rtol=1e-8)
    assert fit.zero == pytest.approx(-ref.intercept / ref.slope)
    start = fit_bloc(s, regressor="start")
    ref0 = stats.linregress(total[:-1], np.diff(total))
    assert_allclose(start.k_minus_a, ref0.slope, rtol=1e-10)


def test_gaps_are_not_differenced() -> None:
    s = simulate_richardson(k=0.2, a=0.3, g=1.0, l=0.1, b=0.25, h=2.0, x0=1.0, y0=30.0, steps=12)
    keep = np.r_[0:6, 7:13]  # drop one year: the two steps across it are left out
    cut = RaceSeries(s.time[keep], s.x[keep], s.y[keep])
    fit = fit_dyad(cut)
    assert fit.x_eq.n == 10
    assert_allclose(fit.k, 0.2, rtol=1e-8)
    assert fit.to_dict()["gaps"] == [[5, 7]]


# --- CSV input -------------------------------------------------------------------------------


def write(tmp_path: Path, text: str, name: str = "race.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(exc: pytest.ExceptionInfo[BadInput]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_csv_is_read_with_comments_and_blank_lines(tmp_path: Path) -> None:
    s = simulate_richardson(
        k=0.2, a=0.3, g=1.0, l=0.1, b=0.25, h=2.0, x0=1.0, y0=30.0, steps=6, start=1950
    )
    rows = "\n".join(
        f"{int(t)}, {float(x)!r}, {float(y)!r}" for t, x, y in zip(s.time, s.x, s.y, strict=True)
    )
    path = write(tmp_path, f"# a comment\nyear,x,y\n\n{rows}\n")
    got = read_series_csv(path)
    assert_allclose(got.x, s.x) and assert_allclose(got.time, s.time)
    renamed = write(tmp_path, "t;a;b\n".replace(";", ",") + "1,2,3\n", "r.csv")
    assert read_series_csv(renamed, time="t", x="a", y="b").y.tolist() == [3.0]


def test_csv_errors_are_located(tmp_path: Path) -> None:
    path = write(tmp_path, "year,x,y\n1950,1,2\n1951,abc,2\n1952,3\n1953,,4\n1953,5,6\n1952,1,1\n")
    with pytest.raises(BadInput) as exc:
        read_series_csv(path)
    msgs = problems(exc)
    assert msgs == [
        f"{path}:3: column 'x': 'abc' is not a number",
        f"{path}:4: 2 fields, but the header (line 1) has 3",
        f"{path}:5: column 'x' is empty",
        f"{path}:7: year 1952 comes before 1953 (line 6): sort the rows by year, one row per year",
    ]
    dup = write(tmp_path, "year,x,y\n1950,1,2\n1950,1,2\n", "dup.csv")
    with pytest.raises(BadInput, match="repeats"):
        read_series_csv(dup)


def test_csv_header_problems_suggest_the_column(tmp_path: Path) -> None:
    path = write(tmp_path, "Year,milex_usa,milex_sun\n1950,1,2\n")
    with pytest.raises(BadInput) as exc:
        read_series_csv(path, x="milex_us", y="milex_ussr")
    msgs = problems(exc)
    assert msgs[0] == (
        f"{path}:1: no column 'year' (did you mean 'Year'?); the header has: Year, milex_usa, "
        "milex_sun"
    )
    assert "did you mean 'milex_usa'" in msgs[1] and "milex_sun" in msgs[2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"year,x,y\n", "no data rows"),
        (b"year,x,y\n1950,\xff,1\n", "not a UTF-8 text file"),
        (b"year,x,y\n1950,inf,1\n", "'inf' is not finite"),
    ],
)
def test_csv_bad_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(BadInput, match=message):
        read_series_csv(path)
    with pytest.raises(BadInput, match="no such file"):
        read_series_csv(tmp_path / "missing.csv")


def test_too_short_series_are_bad_input(tmp_path: Path) -> None:
    path = write(tmp_path, "year,x,y\n1,1,2\n2,2,3\n3,4,1\n4,5,5\n")
    with pytest.raises(BadInput, match="at least 4 yearly changes"):
        fit_richardson(read_series_csv(path), "dyad")
    with pytest.raises(BadInput, match="unknown form 'blok' \\(did you mean 'bloc'\\?\\)"):
        fit_richardson(read_series_csv(path), "blok")


def test_cli_fits_a_csv_and_reports_bad_files(
    capfd: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    s = simulate_richardson(
        k=0.2, a=0.3, g=1.0, l=0.1, b=0.25, h=2.0, x0=1.0, y0=30.0, steps=8, start=1990
    )
    rows = "\n".join(
        f"{int(t)},{float(x)!r},{float(y)!r}" for t, x, y in zip(s.time, s.x, s.y, strict=True)
    )
    path = write(tmp_path, f"year,x,y\n{rows}\n")
    code, out, _ = dilemma(capfd, "fit", "richardson", str(path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] and doc["file"] == str(path)
    assert_allclose(
        [doc["fit"]["coefficients"][c] for c in COEFS], [0.2, 0.3, 1.0, 0.1, 0.25, 2.0], rtol=1e-6
    )
    code, out, _ = dilemma(
        capfd, "fit", "richardson", str(path), "--form", "bloc", "--start", "1991"
    )
    assert code == 0 and "k_minus_a" in out
    bad = write(tmp_path, "year,x,y\n1990,1,2\n1991,x,2\n", "bad.csv")
    code, out, err = dilemma(capfd, "fit", "richardson", str(bad))
    assert (
        code == 2 and f"{bad}:3: column 'x': 'x' is not a number" in err and "Traceback" not in err
    )
    code, out, _ = dilemma(capfd, "fit", "richardson", str(bad), "--json")
    assert code == 2 and json.loads(out)["problems"][0]["line"] == 3
    code, _, err = dilemma(capfd, "fit", "richardson")
    assert code == 2 and "neither" in err
    code, _, err = dilemma(capfd, "fit", "richardson", str(path), "--builtin", "us-ussr")
    assert code == 2 and "both" in err
    code, _, err = dilemma(capfd, "fit", "richardson", "--builtin", "us-usr")
    assert code == 2 and "did you mean 'us-ussr'" in err


# --- the replications on the shipped COW data ----------------------------------------------


def milex(ccodes: tuple[int, ...], years: range) -> np.ndarray:
    nmc = data.nmc()
    rows = nmc[nmc.ccode.isin(ccodes) & nmc.year.isin(list(years))]
    return rows.groupby("year").milex.sum().reindex(list(years)).to_numpy()


def test_1909_1913_uses_the_cow_blocs() -> None:
    rep = replicate("1909-1913")
    years = range(1909, 1914)
    assert_allclose(rep.series.x, milex((220, 365), years) / 1000)
    assert_allclose(rep.series.y, milex((255, 300), years) / 1000)
    fit = rep.fit
    assert fit.form == "bloc" and fit.regression.n == 4 and fit.regression.dof == 2
    # robust in these data: the total's yearly change rises steeply with the total
    assert fit.k_minus_a > 0 and fit.regression["k_minus_a"].p < 0.05
    assert fit.zero is not None and 150 < fit.zero < 200
    text = " ".join(fit.summary())
    assert "2 residual degrees of freedom" in text and "very wide" in text


def test_1909_1913_dyad_form_has_one_degree_of_freedom() -> None:
    fit = replicate("1909-1913", form="dyad").fit
    assert fit.form == "dyad" and fit.x_eq.dof == 1 and fit.y_eq.dof == 1
    assert all(np.isfinite([fit.k, fit.a, fit.g, fit.l, fit.b, fit.h]))
    assert "1 residual degree of freedom" in fit.summary()[0]


def test_us_ussr_replication_is_complete_and_reproducible() -> None:
    one, two = replicate("us-ussr"), replicate("us-ussr")
    assert one.to_dict() == two.to_dict()
    doc = one.to_dict()
    fit = doc["fit"]
    assert fit["form"] == "dyad" and fit["first"] == 1948 and fit["last"] == 1988
    assert fit["n"] == 40 and fit["dof"] == 37
    assert all(np.isfinite(list(fit["coefficients"].values())))
    assert set(fit["stability"]) >= {
        "margin",
        "margin_se",
        "condition_holds",
        "stable_continuous",
        "stable_discrete",
        "eigenvalues_continuous",
        "eigenvalues_discrete",
        "spectral_radius",
    }
    assert_allclose(one.series.x, milex((2,), range(1948, 1989)) / 1e6)
    assert len(fit["summary"]) >= 6


def test_replication_windows_are_checked() -> None:
    with pytest.raises(BadInput, match="pounds sterling to 1913"):
        replicate("1909-1913", end=1915)
    with pytest.raises(BadInput, match="covers 1816-"):
        nmc_series((2,), (365,), 1800, 1810)
    with pytest.raises(BadInput, match="before start"):
        replicate("us-ussr", start=1970, end=1960)
    assert set(REPLICATIONS) == {"1909-1913", "us-ussr"}


def test_cli_replications(capfd: pytest.CaptureFixture[str]) -> None:
    code, out, _ = dilemma(capfd, "fit", "replications", "--json")
    assert code == 0
    doc = json.loads(out)
    assert [(r["name"], r["fit"]["form"]) for r in doc["replications"]] == [
        ("1909-1913", "dyad"),
        ("1909-1913", "bloc"),
        ("us-ussr", "dyad"),
        ("us-ussr", "bloc"),
    ]
    code, out, _ = dilemma(capfd, "fit", "richardson", "--builtin", "1909-1913")
    assert code == 0 and "degrees of freedom" in out and "France+Russia" in out
