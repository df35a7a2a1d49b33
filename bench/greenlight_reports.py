"""What the engagement reports add to the renewal forecast: the rolling backtest with and
without the report features, at 12 and 24 months, on the bundled data.

For each horizon it runs ``chartwatch greenlight --backtest`` (the same origins, windows and
scored installments) as shipped (the model reads the reports as published by each
installment's forecast week and the origin; the charts-only model is scored beside it), and
two study variants:

- ``reported renewals``: the training outcomes also count a next installment that a report
  dates, charted or not (the scored outcome stays a next installment that charts);
- ``hindsight``: every installment's report features as the bundled store has them on its
  last week, whatever had been published at the forecast, learnt at every origin however
  few renewals had them: leaky on purpose, a rough bound of what the features could add if
  Netflix had published its reports from 2021, never a forecast figure.

Recorded in docs/forecast.md ("What the engagement reports add").

    .venv/bin/python bench/greenlight_reports.py [--json bench/results/greenlight_reports.json]

Needs the forecast extra (lifelines, pandas). About a minute on the bundled data.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import ROOT

VARIANTS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("shipped: reports as published by the forecast", {"reports": True}),
    ("study: reported renewals in the training outcomes", {"reported_renewals": True}),
    ("study: hindsight (leaky), reports as at the store's last week", {"hindsight": True}),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    from chartwatch.bundled import ensure_data
    from chartwatch.forecast.backtest import backtest
    from chartwatch.forecast.features import MODEL_FEATURES
    from chartwatch.forecast.history import load_history
    from chartwatch.forecast.report_features import REPORT_FEATURES
    from chartwatch.store.store import open_store
    from chartwatch.view import View

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store.duckdb")
        ensure_data(store)
        view = View.of(store)
        last = load_history(view).last_week
        for horizon in (24, 12):
            for name, options in VARIANTS:
                kw: dict[str, Any] = {"reports": True}
                if options.get("reported_renewals"):
                    kw["reported_renewals"] = True
                if options.get("hindsight"):
                    kw["reports_as_of"] = last
                    # learnt at every origin, however few renewals had them
                    kw["features"] = (*MODEL_FEATURES, *REPORT_FEATURES)
                result = backtest(view, horizon=horizon, **kw)
                pooled = {s.method: s for s in result.pooled}
                for method in ("model", "charts_only", "debut_only"):
                    s = pooled[method]
                    rows.append(
                        {
                            "horizon": horizon,
                            "variant": name,
                            "method": method,
                            "n": s.n,
                            "renewed": s.renewed,
                            "auc": s.auc,
                            "brier": s.brier,
                            "c_index": s.c_index,
                            "auc_interval": result.auc_interval if method == "model" else None,
                            "origins": len([o for o in result.origins if o.scores]),
                            "reports": list(result.reports),
                        }
                    )
                print(f"{horizon} months, {name}: done", file=sys.stderr)
        store.close()
    print("| horizon | variant | method | n | renewed | AUC | Brier | C-index |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['horizon']} | {r['variant']} | {r['method']} | {r['n']} | {r['renewed']} | "
            f"{r['auc']:.3f} | {r['brier']:.3f} | {r['c_index']:.3f} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"root": str(ROOT.name), "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
