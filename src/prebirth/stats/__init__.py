"""Statistics every number in the book rests on (DESIGN sections 7 and 8).

- ``rounding``: half-up rounding for anything published.
- ``intervals``: Wilson intervals for shares; exact Poisson / Byar's limits for counts and rates.
- ``funnel``: funnel-plot control limits and significance (PHE method; Spiegelhalter overdispersion).
- ``glm``: quasi-Poisson trends in rates, quasi-binomial (logistic) trends in shares.
- ``segmented``: interrupted time series (segmented Poisson regression).
- ``survival``: Kaplan-Meier medians and curves, log-rank, Cox hazard ratios (Efron ties) with a
  test of proportional hazards, Aalen-Johansen cumulative incidence.
- ``regional``: how a share varies between and within English regions.

The submodules import statsmodels only when a model is fitted, and this package
imports a submodule only when one of its names is used, so importing it stays light.
"""

import importlib

# Where each public name lives. The submodules are imported when a name is first used, so
# that importing one light module (``prebirth.stats.rounding``, for reading the data) does
# not import SciPy's statistics and the models as well.
_WHERE = {
    **dict.fromkeys(["Overdispersion", "estimate_overdispersion", "funnel_significance", "proportion_funnel",
                     "proportion_funnel_limits", "proportion_funnel_significance", "rate_funnel",
                     "rate_funnel_limits", "rate_funnel_points", "rate_funnel_significance", "ratio_funnel"],
                    "funnel"),
    **dict.fromkeys(["TrendResult", "binomial_trend", "poisson_trend", "tidy_glm", "time_values"], "glm"),
    **dict.fromkeys(["byars", "exact_poisson", "poisson_limits", "proportion_ci", "rate_ci", "wilson", "z_value"],
                    "intervals"),
    **dict.fromkeys(["REGIONS", "RegionalModel", "canonical_region", "regional_model"], "regional"),
    **dict.fromkeys(["round_half_up", "round_to_nearest"], "rounding"),
    **dict.fromkeys(["SegmentedResult", "segmented_poisson"], "segmented"),
    **dict.fromkeys(["cox_hazard_ratio", "cumulative_incidence", "km_curve", "km_median", "logrank"], "survival"),
}


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))


__all__ = [
    "round_half_up", "round_to_nearest",
    "z_value", "wilson", "exact_poisson", "byars", "poisson_limits", "rate_ci", "proportion_ci",
    "Overdispersion", "estimate_overdispersion", "proportion_funnel_limits", "proportion_funnel",
    "rate_funnel_limits", "rate_funnel", "rate_funnel_points", "ratio_funnel", "funnel_significance",
    "proportion_funnel_significance", "rate_funnel_significance",
    "TrendResult", "poisson_trend", "binomial_trend", "tidy_glm", "time_values",
    "SegmentedResult", "segmented_poisson",
    "km_median", "km_curve", "logrank", "cox_hazard_ratio", "cumulative_incidence",
    "REGIONS", "canonical_region", "RegionalModel", "regional_model",
]
