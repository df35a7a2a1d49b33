"""How far can the charts alone go? The renewal backtest for variants of the model.

Runs ``chartwatch greenlight --backtest`` (the same origins, windows and scored installments)
for the shipped model and for variants of it: each feature left out, a few fixed ridge
penalties, country breadth added, the debut figure alone. If no variant comes near the aim
(AUC at 24 months ≥ 0.80), the gap is in what the charts say, not in the model's settings.
Recorded in docs/forecast.md ("How far the charts can go").

    .venv/bin/python bench/greenlight_variants.py [--json bench/results/greenlight_variants.json]

Needs the forecast extra (lifelines, pandas). About a minute on the bundled data.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import ROOT


def variants() -> list[tuple[str, tuple[str, ...], float | None]]:
    from chartwatch.forecast.features import MODEL_FEATURES

    out: list[tuple[str, tuple[str, ...], float | None]] = [
        ("shipped model (penalty chosen on each training set)", MODEL_FEATURES, None)
    ]
    for penalty in (0.03, 0.1, 0.3, 1.0, 3.0):
        out.append((f"fixed penalty {penalty:g}", MODEL_FEATURES, penalty))
    for feature in MODEL_FEATURES:
        out.append((f"without {feature}", tuple(f for f in MODEL_FEATURES if f != feature), None))
    breadth = (*MODEL_FEATURES, "countries")
    out.append(("with country breadth (missing after 2022-02)", breadth, None))
    out.append(("debut figure alone", ("debut_level",), None))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()

    from chartwatch.bundled import ensure_data
    from chartwatch.forecast.backtest import backtest
    from chartwatch.store.store import open_store
    from chartwatch.view import View

    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "store.duckdb")
        ensure_data(store)
        for name, features, penalty in variants():
            start = time.perf_counter()
            result = backtest(View.of(store), features=features, penalizer=penalty)
            model = next(s for s in result.pooled if s.method == "model")
            per_origin = [
                next(s.auc for s in o.scores if s.method == "model")
                for o in result.origins
                if o.scores
            ]
            rows.append(
                {
                    "variant": name,
                    "features": list(features),
                    "penalizer": penalty,
                    "auc24": model.auc,
                    "auc24_per_origin": per_origin,
                    "brier24": model.brier,
                    "c_index": model.c_index,
                    "max_forecast": max(
                        (float(p["p_model"]) for p in result.predictions), default=None
                    ),
                    "seconds": round(time.perf_counter() - start, 1),
                }
            )
            print(f"{name}: AUC@24 {model.auc}", file=sys.stderr)
        store.close()
    print("| variant | AUC@24 pooled | AUC@24 per origin | Brier@24 | C-index | highest forecast |")
    print("| --- | --- | --- | --- | --- | --- |")
    for r in rows:
        origins = ", ".join(f"{a:.3f}" for a in r["auc24_per_origin"])
        print(
            f"| {r['variant']} | {r['auc24']:.3f} | {origins} | {r['brier24']:.3f} | "
            f"{r['c_index']:.3f} | {r['max_forecast']:.2f} |"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"root": str(ROOT.name), "variants": rows}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
