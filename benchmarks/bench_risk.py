"""Churn risk at scale: the panel, the rules, the backtest and the scoring of a large agency.

A simulated agency of 1,500 clients over 16 quarterly waves (about 20,000
client-waves, 22,000 responses, 200 churned clients) is loaded into a
workspace in a temporary folder, then timed (median of 3, one process):

- ``client_waves`` + ``churn_labels``: the panel of what was known at each wave;
- ``early_warnings`` for the latest wave and ``backtest_rules`` over all waves;
- ``backtest``: logistic and gradient boosting, time-ordered, against the
  simulator's truth (its AUCs are printed beside);
- ``score_clients`` for the latest wave (logistic, 200 client-bootstrap refits).

Issue #5 states no speed target; a real agency has a tenth of this, and the
wave report runs all of it for the demo in about 2 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cxlab import Workspace, risk  # noqa: E402
from cxlab.simulate import simulate  # noqa: E402
from cxlab.summary import SurveyData  # noqa: E402


def timed(fn, repeat: int = 3):
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    warnings.simplefilter("ignore")
    sim = simulate(seed=2, n_clients=1500, n_waves=16)
    with tempfile.TemporaryDirectory() as tmp:
        ws = Workspace.create(Path(tmp) / "big")
        ws.load_tables({name: frame for name, frame in sim.tables.items() if len(frame)}, source="simulator")
        data = SurveyData.from_workspace(ws)
    wave = risk.wave_cutoffs(data.waves, data.responses)["wave_id"].iloc[-1]
    t_panel, panel = timed(lambda: risk.churn_labels(data, risk.client_waves(data)))
    print(
        f"agency: {len(sim.tables['clients'])} clients, {len(data.responses)} responses, {len(panel)} client-waves, "
        f"{int((data.events['kind'] == 'churned').sum())} churned clients"
    )
    print(f"  panel (client_waves + churn_labels):      {t_panel:.2f} s")
    t_flags, flags = timed(lambda: risk.early_warnings(data, wave, panel=panel))
    print(f"  early_warnings, wave {wave}:         {t_flags:.2f} s ({flags['client_id'].nunique()} clients flagged)")
    t_rules, _ = timed(lambda: risk.backtest_rules(data, panel=panel))
    print(f"  backtest_rules, all waves:                {t_rules:.2f} s")
    t_bt, bt = timed(lambda: risk.backtest(data, panel=panel, truth=sim.truth.churn_probabilities))
    aucs = ", ".join(f"{m} {a:.3f}" for m, a in zip(bt.table["method"], bt.table["auc"]))
    print(f"  backtest (logistic + boosting):           {t_bt:.2f} s (AUC: {aucs})")
    t_score, scores = timed(lambda: risk.score_clients(data, wave, panel=panel, n_boot=200), repeat=1)
    print(
        f"  score_clients, 200 bootstrap refits:      {t_score:.2f} s "
        f"(revenue at risk {scores.total['revenue_at_risk'] / 1e6:.1f} M)"
    )


if __name__ == "__main__":
    main()
