"""History: Richardson arms-race fits and replications; backtests of the lenses against a case's
coded record (scoring rules, climatology, calibration, fitting on a training window); the COW
MID base rates behind the crisis defaults (:mod:`.base_rates`). What-if worlds are in
:mod:`security_dilemma.whatif`."""

from typing import TYPE_CHECKING

from .._lazy import attach

if TYPE_CHECKING:
    from .backtest import (
        CLIMATOLOGY_DEFINITION,
        Backtest,
        Comparison,
        LensBacktest,
        Prediction,
        Scores,
        backtest,
        classify_observables,
        score,
        simulations_needed,
    )
    from .fitting import (
        DEFAULT_FIT,
        Fit,
        FitParameter,
        fit_lens,
        fit_parameter,
        predict_observables,
    )
    from .richardson import (
        REPLICATIONS,
        RICHARDSON_FORMS,
        BlocFit,
        DyadFit,
        Estimate,
        RaceSeries,
        Regression,
        Replication,
        ReplicationSpec,
        RichardsonForm,
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
    from .scoring import (
        CLIP,
        CalibrationBin,
        Interval,
        bootstrap_difference,
        brier,
        brier_terms,
        calibration,
        climatology,
        log_loss,
        log_loss_terms,
        skill_score,
    )

__all__ = [
    "CLIMATOLOGY_DEFINITION",
    "CLIP",
    "DEFAULT_FIT",
    "REPLICATIONS",
    "RICHARDSON_FORMS",
    "Backtest",
    "BlocFit",
    "CalibrationBin",
    "Comparison",
    "DyadFit",
    "Estimate",
    "Fit",
    "FitParameter",
    "Interval",
    "LensBacktest",
    "Prediction",
    "RaceSeries",
    "Regression",
    "Replication",
    "ReplicationSpec",
    "RichardsonForm",
    "Scores",
    "backtest",
    "bootstrap_difference",
    "brier",
    "brier_terms",
    "calibration",
    "classify_observables",
    "climatology",
    "fit_bloc",
    "fit_dyad",
    "fit_lens",
    "fit_parameter",
    "fit_richardson",
    "log_loss",
    "log_loss_terms",
    "nmc_series",
    "ols",
    "predict_observables",
    "read_series_csv",
    "replicate",
    "richardson_equilibrium",
    "score",
    "simulate_richardson",
    "simulations_needed",
    "skill_score",
]

# The names above are imported when first used (see ``security_dilemma._lazy``).
if not TYPE_CHECKING:
    __getattr__, __dir__ = attach(__name__, __all__)
