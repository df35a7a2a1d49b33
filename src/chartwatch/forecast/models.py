"""The renewal model: Cox proportional hazards over the early-run features.

Why Cox (lifelines ``CoxPHFitter``) and not a survival forest or a parametric model:

- most installments are censored (their next season may still come), which a survival
  model uses and a classifier of "renewed within 24 months" would have to throw away;
- a few hundred installments and about a hundred renewals are too few for a forest to
  beat a linear risk score, and a ridge-penalised Cox model stays stable with them;
- the semi-parametric baseline makes no assumption about when renewals come (they cluster
  around 12 months), while each feature's effect is one hazard ratio that reads as a
  plain-words factor ("debut far above a typical week raises the chance").

Features are standardised on the training set, so coefficients are per standard deviation
and the penalty treats them alike. The ridge penalty is chosen on the training set alone, the
way the model will be used: fitted on its earlier debuts, each penalty of :data:`PENALTIES` is
scored by how well it ranks the later ones (Harrell's C, averaged over four time splits), and
the best is refitted on all of it (:func:`choose_penalizer`). Small training sets get a
stronger penalty that way, large ones a weaker one.

``P(next within t) = 1 − exp(−H0(t)·exp(βx))``; past the
longest follow-up in the training data the baseline is held flat (no renewal assumed there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from chartwatch.errors import require_extra
from chartwatch.forecast.features import MODEL_FEATURES
from chartwatch.forecast.history import pandas

PENALIZER = 0.1  # when the training set is too small to choose
PENALTIES = (0.1, 0.3, 1.0, 3.0)
SPLITS = (0.5, 0.6, 0.7, 0.8)  # time splits of a training set that choose the penalty


def lifelines() -> Any:
    require_extra("forecast", ("lifelines",), "the renewal forecast")
    import lifelines as ll

    return ll


@dataclass
class RenewalModel:
    """A fitted model: standardisation, coefficients, baseline cumulative hazard."""

    features: tuple[str, ...]
    mean: Any  # pandas Series
    std: Any
    coef: Any  # pandas Series, per standard deviation
    baseline: Any  # pandas Series: months -> H0
    max_months: float
    n_train: int
    n_events: int
    penalizer: float = PENALIZER

    def z(self, rows: Any) -> Any:
        """Standardised features of ``rows`` (missing values at the training mean)."""
        x = rows[list(self.features)].astype(float)
        return ((x - self.mean) / self.std).fillna(0.0)

    def risk(self, rows: Any) -> Any:
        """The linear predictor βz (higher: the next installment comes sooner)."""
        return np.asarray(self.z(rows).to_numpy() @ self.coef.to_numpy(), dtype=float)

    def cum_hazard(self, months: Any) -> Any:
        t = np.asarray(self.baseline.index, dtype=float)
        return np.interp(np.asarray(months, dtype=float), t, self.baseline.to_numpy())

    def p_within(self, rows: Any, months: float) -> Any:
        """P(next installment charts within ``months`` of the debut), one per row."""
        h = float(self.cum_hazard(months))
        return 1.0 - np.exp(-h * np.exp(self.risk(rows)))

    def p_within_given(self, rows: Any, months: float, elapsed: Any) -> Any:
        """P(within ``months`` of the debut | not by ``elapsed`` months), one per row; NaN
        where ``elapsed`` ≥ ``months``."""
        el = np.asarray(elapsed, dtype=float)
        dh = float(self.cum_hazard(months)) - self.cum_hazard(el)
        p = 1.0 - np.exp(-np.clip(dh, 0, None) * np.exp(self.risk(rows)))
        return np.where(el < months, p, np.nan)

    def contributions(self, rows: Any) -> Any:
        """Each feature's share of the linear predictor (β·z), one column per feature."""
        return self.z(rows) * self.coef


def fit(
    train: Any, features: tuple[str, ...] = MODEL_FEATURES, penalizer: float | None = None
) -> RenewalModel:
    """Fit on ``train`` (features plus ``months``, ``event`` and ``debut``); the penalty is
    chosen on ``train`` itself unless ``penalizer`` is given."""
    if penalizer is None:
        penalizer = choose_penalizer(train, features)
    pd = pandas()
    x = train[list(features)].astype(float)
    mean = x.mean()
    std = x.std(ddof=0).fillna(0.0)
    used = [f for f in features if std[f] > 1e-12]  # a constant column carries nothing
    std = std.replace(0.0, 1.0)
    z = ((x - mean) / std).fillna(0.0)
    df = z[used].assign(months=train["months"].clip(lower=1e-3).to_numpy())
    df["event"] = train["event"].astype(int).to_numpy()
    cph, used_penalizer = _fit_cox(df, penalizer)
    coef = cph.params_.reindex(list(features)).astype(float).fillna(0.0)
    # lifelines centres the covariates before the baseline: move that into H0
    h0 = cph.baseline_cumulative_hazard_.iloc[:, 0]
    shift = float(np.exp(-(z.mean().to_numpy() @ coef.to_numpy())))
    baseline = pd.concat([pd.Series([0.0], index=[0.0]), h0 * shift])
    baseline = baseline[~baseline.index.duplicated(keep="last")].sort_index()
    return RenewalModel(
        features=tuple(features),
        mean=mean,
        std=std,
        coef=coef,
        baseline=baseline,
        max_months=float(train["months"].max()),
        n_train=len(train),
        n_events=int(train["event"].sum()),
        penalizer=used_penalizer,
    )


def choose_penalizer(train: Any, features: tuple[str, ...] = MODEL_FEATURES) -> float:
    """The penalty of :data:`PENALTIES` that ranks later debuts best on ``train`` alone.

    ``train`` is ordered by debut and split in time at each share of :data:`SPLITS`: the model
    fitted on the earlier part ranks the later part, scored by Harrell's C; the penalty with
    the best mean C wins (ties to the smaller one, so the choice is deterministic). A split
    with fewer than five renewals before it, or none after it, is not used;
    :data:`PENALIZER` when no split is."""
    from chartwatch.errors import NotFoundError
    from chartwatch.forecast.metrics import c_index

    ordered = train.sort_values(["debut", "title"], kind="stable")
    splits = []
    for share in SPLITS:
        cut = round(len(ordered) * share)
        early, late = ordered.iloc[:cut], ordered.iloc[cut:]
        if early["event"].sum() >= 5 and late["event"].any():
            splits.append((early, late))
    best: tuple[float, float] | None = None
    for penalty in PENALTIES:
        scores = []
        for early, late in splits:
            try:
                model = fit(early, features, penalizer=penalty)
            except NotFoundError:
                continue
            score = c_index(late["months"], model.risk(late), late["event"])
            if score is not None:
                scores.append(score)
        if scores:
            mean = sum(scores) / len(scores)
            if best is None or mean > best[0] + 1e-12:
                best = (mean, penalty)
    return PENALIZER if best is None else best[1]


def _fit_cox(df: Any, penalizer: float) -> tuple[Any, float]:
    """lifelines' Cox fit, quietly; a stronger penalty if Newton–Raphson fails."""
    import warnings

    ll = lifelines()
    for penalty in (penalizer, max(penalizer, 1.0), 3.0 * max(penalizer, 1.0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cph = ll.CoxPHFitter(penalizer=penalty)
            try:
                return cph.fit(df, duration_col="months", event_col="event"), penalty
            except ll.exceptions.ConvergenceError:
                continue
    from chartwatch.errors import NotFoundError

    raise NotFoundError("the renewal model did not converge on this view's data")


def base_rate(train: Any, months: float) -> float:
    """Kaplan–Meier P(next installment within ``months``) over ``train``: the base rate."""
    km = lifelines().KaplanMeierFitter()
    km.fit(train["months"].clip(lower=1e-3), train["event"].astype(int))
    return float(1.0 - km.predict(months))
