"""The backtest's calibration plot (a PNG, drawn with matplotlib's Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chartwatch.forecast.backtest import Backtest

LABELS = {
    "model": "model",
    "debut_only": "debut figure alone",
    "base_rate": "base rate",
    "charts_only": "charts alone",
}


def calibration_plot(result: Backtest, path: Path) -> Path:
    """Forecast vs observed share renewed within the horizon, per bin, one line per method;
    marker area grows with the number of forecasts in the bin."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6), dpi=100)
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label="perfect")
    for method, bins in result.calibration.items():
        pts = [(b.mean_forecast, b.observed, b.n) for b in bins if b.n]
        if not pts:
            continue
        xs = [float(p[0] or 0) for p in pts]
        ys = [float(p[1] or 0) for p in pts]
        sizes = [20 + 4 * p[2] for p in pts]
        ax.plot(xs, ys, marker="o", label=LABELS.get(method, method))
        ax.scatter(xs, ys, s=sizes, alpha=0.3)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"forecast P(next installment charts within {result.horizon_months} months)")
    ax.set_ylabel("share that did")
    pooled = {s.method: s for s in result.pooled}
    model = pooled.get("model")
    auc = f"AUC {model.auc:.2f}" if model and model.auc is not None else ""
    ax.set_title(f"Renewal forecast calibration, rolling-origin backtest\n{auc}", fontsize=10)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    plt.close(fig)
    return path
