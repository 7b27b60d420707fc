"""Slow results read from the workspace's store when fresh, computed and stored once otherwise.

The churn scores of a wave (:func:`cxlab.risk.score_clients`, 200 bootstrap
refits), the importance-performance matrix of a selection (its bootstrap)
and the coded comments (:func:`cxlab.text.code_themes`) are stored by
:mod:`cxlab.store.results`, keyed by their arguments and the fingerprint of
the tables they were computed from.  :class:`DerivedResults` is what the
dashboard (:class:`~cxlab.present.dashboard_data.DashboardData`) and the
wave report (:class:`~cxlab.present.risk_report.RiskReport`) call, so both
show the same stored figures computed with the same arguments
(:data:`RISK_N_BOOT`, :data:`RISK_SEED`).  The codecs here turn each result
into frames, numeric arrays and JSON and back, exactly (no pickle).

:func:`derive` (``cxlab derive``, the end of ``cxlab import`` and
``cxlab run-wave``) fills the store: every wave's churn scores, every
wave's unfiltered matrix and the coded comments.

Examples
--------
>>> from cxlab.present.derived_results import derive    # doctest: +SKIP
>>> print(derive("workspaces/demo"))                      # doctest: +SKIP
derived results: 8 waves scored, 8 matrices, 1125 comments coded in 41.2 s (0 read from the store)
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from cxlab.errors import DerivedResultError, ParameterTypeError, WorkspaceLockedError
from cxlab.store.results import FINGERPRINT_TABLES, Bundle, ResultStore, data_fingerprint, result_key

__all__ = [
    "RISK_N_BOOT",
    "RISK_SEED",
    "IPA_N_BOOT",
    "KIND_TABLES",
    "DerivedResults",
    "StoredChurnModel",
    "results_of",
    "risk_to_bundle",
    "risk_from_bundle",
    "ipa_to_bundle",
    "ipa_from_bundle",
    "coded_to_bundle",
    "coded_from_bundle",
    "derive",
    "DeriveSummary",
]

#: Bootstrap refits behind the churn intervals: one definition for the dashboard and the wave report.
RISK_N_BOOT = 200
#: Seed of the churn model's refits and of the realised-loss draws.
RISK_SEED = 0
#: Bootstrap resamples of the importance-performance matrix (the dashboard's ``ipa_boot``).
IPA_N_BOOT = 1000
#: Reasons stored per client: ``reasons_in(lang, top)`` works for any ``top`` up to this.
_STORED_REASONS = 10

#: The canonical tables each kind is computed from (its key changes when one of them does).
KIND_TABLES = {
    "risk": FINGERPRINT_TABLES,
    "ipa": ("responses", "answers", "waves", "clients", "contacts", "services", "client_services"),
    # The coded comments are keyed by a hash of the words coded (DerivedResults.themes_args), not by tables.
    "themes": (),
}
# SurveyData's frame for each table: loaded whole, so its rows must equal the table's.
_DATA_FRAMES = {
    "responses": "responses",
    "answers": "answers",
    "waves": "waves",
    "services": "services",
    "client_services": "client_services",
    "clients": "clients",
    "invitations": "invitations",
    "contacts": "contacts",
    "events": "events",
    "actions": "actions",
}


# =========================================================================== churn scores
class StoredChurnModel:
    """What a stored :class:`~cxlab.risk.RiskScores` keeps of its fitted model.

    The fitted estimator itself is not stored (it could only be pickled):
    the reasons of the scored clients, the odds ratios and the model's
    description are, which is what the reports and the dashboard read.
    """

    def __init__(self, meta: dict, reasons: pd.DataFrame, odds: pd.DataFrame | None):
        self.fitted_ = bool(meta["fitted"])
        self.method = meta["method"]
        self.method_used_ = meta["method_used"]
        self.method_name = meta["method_name"]
        self.message = meta["message"]
        self.n_rows_ = meta["n_rows"]
        self.n_events_ = meta["n_events"]
        self._reasons = reasons
        self._odds = odds

    def reasons(self, panel: pd.DataFrame, top: int = 3, min_contribution: float = 0.05) -> pd.DataFrame:
        """The stored reasons of ``panel``'s clients, as :meth:`ChurnRiskModel.reasons` gave them."""
        from cxlab.errors import ParameterError

        if top > _STORED_REASONS or min_contribution < 0.05:
            raise ParameterError(
                f"stored churn scores keep the top {_STORED_REASONS} reasons of at least 0.05 log-odds",
                parameter="top",
                value=top,
            )
        r = self._reasons
        keep = r["client_id"].isin(set(panel["client_id"])) & (r["rank"] <= top)
        keep &= r["contribution"] >= max(min_contribution, 1e-12)
        return r[keep].reset_index(drop=True)

    def odds_ratios(self) -> pd.DataFrame:
        from cxlab.errors import DataError, ParameterError

        if not self.fitted_:
            raise DataError("no model was fitted (too few churn events): no odds ratios", columns=["churned_12m"])
        if self._odds is None:
            raise ParameterError(
                "odds ratios exist for the logistic model only; use reasons() for boosting",
                parameter="method",
                value=self.method_used_,
            )
        return self._odds.copy()

    def __repr__(self) -> str:
        return f"<StoredChurnModel method={self.method!r} fitted={self.fitted_}>"


def risk_to_bundle(scores) -> Bundle:
    """A :class:`~cxlab.risk.RiskScores` as frames, arrays and JSON (reasons in both languages)."""
    model = scores.model
    frames = {"clients": scores.clients.drop(columns=["reasons"], errors="ignore")}
    frames["reason_text"] = pd.DataFrame({lang: scores.reasons_in(lang).to_numpy() for lang in ("ru", "en")})
    if scores.scored_rows is not None:
        frames["scored_rows"] = scores.scored_rows
    rows = scores.scored_rows if scores.scored_rows is not None else scores.clients[["client_id"]]
    frames["reasons"] = model.reasons(rows, top=_STORED_REASONS)
    has_odds = bool(getattr(model, "fitted_", False)) and getattr(model, "method_used_", None) == "logistic"
    if has_odds:
        frames["odds"] = model.odds_ratios()
    arrays = {name: getattr(scores, name) for name in ("total_draws", "client_draws")}
    arrays = {k: v for k, v in arrays.items() if v is not None}
    meta = {
        "wave": scores.wave,
        "total": scores.total,
        "message": scores.message,
        "method": scores.method,
        "lang": scores.lang,
        "n_train_rows": scores.n_train_rows,
        "n_train_events": scores.n_train_events,
        "train_until": scores.train_until,
        "confidence": scores.confidence,
        "random_state": scores.random_state,
        "columns": list(scores.clients.columns),
        "model": {
            "fitted": bool(getattr(model, "fitted_", False)),
            "method": model.method,
            "method_used": getattr(model, "method_used_", model.method),
            "method_name": getattr(model, "method_name", scores.method),
            "message": getattr(model, "message", scores.message),
            "n_rows": getattr(model, "n_rows_", scores.n_train_rows),
            "n_events": getattr(model, "n_events_", scores.n_train_events),
        },
    }
    return Bundle(frames=frames, arrays=arrays, meta=_plain(meta))


def risk_from_bundle(bundle: Bundle, lang: str = "en"):
    """The stored :class:`~cxlab.risk.RiskScores`, its ``clients["reasons"]`` in ``lang``."""
    from cxlab.risk import RiskScores

    m = bundle.meta
    clients = bundle.frames["clients"].copy()
    text = bundle.frames["reason_text"]
    if len(text) != len(clients):
        raise DerivedResultError("reasons do not match the clients")
    clients["reasons"] = text[lang].fillna("").to_numpy(dtype=object)
    clients = clients[m["columns"]]
    model = StoredChurnModel(m["model"], bundle.frames["reasons"], bundle.frames.get("odds"))
    return RiskScores(
        wave=m["wave"],
        clients=clients,
        total=m["total"],
        model=model,  # what RiskScores' readers use of the model: reasons, odds ratios, fitted_
        message=m["message"],
        method=m["method"],
        lang=lang,
        n_train_rows=m["n_train_rows"],
        n_train_events=m["n_train_events"],
        train_until=m["train_until"],
        total_draws=bundle.arrays.get("total_draws"),
        client_draws=bundle.arrays.get("client_draws"),
        confidence=m["confidence"],
        random_state=m["random_state"],
        scored_rows=bundle.frames.get("scored_rows"),
    )


# =========================================================================== importance-performance
def ipa_to_bundle(result) -> Bundle:
    """An :class:`~cxlab.drivers.ImportancePerformance` (or the reason it could not be drawn) as a bundle."""
    if isinstance(result, str):
        return Bundle(meta={"reason": result})
    imp = result.importance
    frames = {"table": result.table, "importance_table": imp.table}
    if imp.dominance is not None:
        frames["dominance"] = imp.dominance
    draws = imp.draws or {}
    names = {f"draw_{i}": name for i, name in enumerate(draws)}
    arrays = {key: np.asarray(draws[name]) for key, name in names.items()}
    meta = {
        "reason": None,
        "importance_cut": result.importance_cut,
        "performance_cut": result.performance_cut,
        "method": result.method,
        "interval": result.interval,
        "outcome": result.outcome,
        "importance": {
            f.name: getattr(imp, f.name)
            for f in dataclasses.fields(imp)
            if f.name not in ("table", "dominance", "draws")
        },
        "draws": None if imp.draws is None else names,
    }
    return Bundle(frames=frames, arrays=arrays, meta=_plain(meta))


def ipa_from_bundle(bundle: Bundle):
    from cxlab.drivers import ImportancePerformance
    from cxlab.drivers.importance import RelativeImportance

    m = bundle.meta
    if m.get("reason") is not None:
        return m["reason"]
    draws = None if m["draws"] is None else {name: bundle.arrays[key] for key, name in m["draws"].items()}
    imp = RelativeImportance(
        table=bundle.frames["importance_table"],
        dominance=bundle.frames.get("dominance"),
        draws=draws,
        **m["importance"],
    )
    return ImportancePerformance(
        table=bundle.frames["table"],
        importance_cut=m["importance_cut"],
        performance_cut=m["performance_cut"],
        method=m["method"],
        interval=m["interval"],
        importance=imp,
        outcome=m["outcome"],
    )


# =========================================================================== coded comments
def coded_to_bundle(coded: pd.DataFrame) -> Bundle:
    return Bundle(frames={"coded": coded}, meta=_plain({"attrs": dict(coded.attrs)}))


def coded_from_bundle(bundle: Bundle, responses: pd.DataFrame) -> pd.DataFrame:
    """The coded comments, checked against ``responses`` (same rows at the same index, else an error)."""
    coded = bundle.frames["coded"]
    if len(coded):
        at = responses["response_id"].reindex(coded.index)
        if at.isna().any() or not (at.astype(str).to_numpy() == coded["response_id"].astype(str).to_numpy()).all():
            raise DerivedResultError("coded comments do not match the responses")
    coded.attrs.update(bundle.meta.get("attrs", {}))
    return coded


def codebook_hash(codebook) -> str:
    """The codebook's content (its files, else its themes): a change recodes the comments."""
    digest = hashlib.sha256()
    files = getattr(codebook, "files", ()) or ()
    for f in files:
        f = f[0] if isinstance(f, tuple) else f  # (path, stamp) pairs
        try:
            with open(f, "rb") as fh:
                digest.update(fh.read())
        except OSError:
            digest.update(str(f).encode())
    if not files:
        digest.update(repr(codebook).encode())
    return digest.hexdigest()[:32]


# =========================================================================== the store as a survey sees it
class DerivedResults:
    """The workspace's stored results for one survey read into memory.

    Parameters
    ----------
    ws : Workspace
    data : SurveyData
        The survey the caller loaded; stored results are used (and stored)
        only when the workspace's tables still hold the rows it was loaded
        from (same row counts when the fingerprint is first taken).

    Examples
    --------
    >>> results = DerivedResults(ws, data)                                   # doctest: +SKIP
    >>> scores = results.risk("2026-Q3", panel=lambda: risk.churn_labels(...))  # doctest: +SKIP
    """

    def __init__(self, ws, data, loaded_fingerprint: dict[str, str] | None = None):
        self.ws, self.data = ws, data
        # The tables' fingerprint taken just before the survey was read (DashboardData does): when the
        # fingerprint taken now equals it, nothing was written in between and the survey is what the key says.
        self._loaded = loaded_fingerprint
        self.store = ResultStore(ws.path)
        self._fingerprint: dict[str, str] | None = None
        self._usable: bool | None = None
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    # ------------------------------------------------------------ keys
    def fingerprint(self) -> dict[str, str] | None:
        """The tables' fingerprint, taken once; None when the store cannot serve this survey."""
        with self._guard:
            if self._usable is None:
                try:
                    fp = data_fingerprint(self.ws)
                except WorkspaceLockedError:
                    return None  # a writer holds it: compute without the store this time, look again next time
                except Exception as exc:  # a broken workspace: compute without the store
                    warnings.warn(f"derived results not used: {exc}", stacklevel=2)
                    fp = None
                # A write between the survey's load and this query: the survey is not what the key says.
                same = fp is not None and (
                    fp == self._loaded
                    if self._loaded is not None
                    else all(
                        int(fp[t].split(":")[0]) == len(getattr(self.data, attr))
                        for t, attr in _DATA_FRAMES.items()
                        if t in fp and getattr(self.data, attr, None) is not None
                    )
                )
                self._fingerprint, self._usable = (fp if same else None), same
            return self._fingerprint

    def inputs(self, kind: str, args: dict) -> dict | None:
        """What the kind's entries are computed from: its tables' fingerprints (the words, for the comments)."""
        if not KIND_TABLES[kind]:  # keyed by its input itself (the coded comments)
            return {"words": args.get("words")}
        fp = self.fingerprint()
        if fp is None:
            return None
        return {t: fp.get(t) for t in KIND_TABLES[kind]}

    def key(self, kind: str, args: dict) -> str | None:
        inputs = self.inputs(kind, args)
        return None if inputs is None else result_key(kind, args, inputs)

    def has(self, kind: str, args: dict) -> bool:
        """Whether a fresh entry is stored (the view can draw it at once)."""
        key = self.key(kind, args)
        return key is not None and self.store.has(kind, key)

    # ------------------------------------------------------------ read or compute
    def get(
        self,
        kind: str,
        args: dict,
        compute: Callable[[], Any],
        encode: Callable[[Any], Bundle],
        decode: Callable[[Bundle], Any],
    ) -> Any:
        """The stored result when fresh; else computed once (one thread, one process per key) and stored."""
        key = self.key(kind, args)
        with self._guard:
            # Threads of this process wait for each other per result, stored or not.
            name = json.dumps([kind, args], sort_keys=True, default=str)
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            if key is None:
                return compute()
            found = self._read(kind, key, decode)
            if found is not None:
                return found[0]
            with self.store.computing(kind, key):
                found = self._read(kind, key, decode)  # another process may have stored it meanwhile
                if found is not None:
                    return found[0]
                value = compute()
                try:
                    bundle = encode(value)
                except Exception as exc:  # the figures stand; only the store misses them
                    warnings.warn(f"derived result {kind} not stored: {exc}", stacklevel=2)
                else:
                    self.store.write(kind, key, bundle, inputs=self.inputs(kind, args))
                return value

    def _read(self, kind: str, key: str, decode) -> tuple[Any] | None:
        bundle = self.store.read(kind, key)
        if bundle is None:
            return None
        try:
            return (decode(bundle),)
        except Exception as exc:  # readable files that do not make the result: as broken
            self.store._discard(self.store.path(kind, key), f"{kind}/{key}: {type(exc).__name__}: {exc}")
            return None

    # ------------------------------------------------------------ the three kinds
    @staticmethod
    def risk_args(wave: str, *, n_boot: int = RISK_N_BOOT, seed: int = RISK_SEED) -> dict:
        return {"wave": wave, "n_boot": int(n_boot), "seed": int(seed), "method": "logistic", "confidence": 0.95}

    def risk(
        self,
        wave: str,
        *,
        n_boot: int = RISK_N_BOOT,
        seed: int = RISK_SEED,
        lang: str = "en",
        panel: Callable[[], pd.DataFrame] | pd.DataFrame | None = None,
    ):
        """:func:`cxlab.risk.score_clients` of ``wave`` (the report's and the dashboard's call), stored.

        ``panel`` (a frame or a function giving it) is built only when the
        scores are computed.
        """
        from cxlab import risk

        def compute():
            rows = panel() if callable(panel) else panel
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return risk.score_clients(self.data, wave, n_boot=n_boot, random_state=seed, panel=rows, lang=lang)

        def decode(bundle):
            return risk_from_bundle(bundle, lang)

        return self.get("risk", self.risk_args(wave, n_boot=n_boot, seed=seed), compute, risk_to_bundle, decode)

    @staticmethod
    def ipa_args(selection: dict, *, n_boot: int, seed: int, min_n: int) -> dict:
        return {
            "selection": selection,
            "n_boot": int(n_boot),
            "seed": int(seed),
            "min_n": int(min_n),
            "outcome": "nps",
            "cluster": "client_id",
        }

    @staticmethod
    def themes_args(codebook, words: pd.DataFrame) -> dict:
        """The codebook's content and a hash of the coder's input (the words themselves, not the tables)."""
        hashed = pd.util.hash_pandas_object(words, index=True).to_numpy()
        digest = hashlib.sha256(hashed.tobytes() + "|".join(map(str, words.columns)).encode()).hexdigest()
        return {"codebook": codebook_hash(codebook), "words": f"{len(words)}:{digest[:32]}"}


def results_of(owner) -> DerivedResults:
    """The :class:`DerivedResults` of a dashboard's (or report's) survey, made on first use and kept on it."""
    found = vars(owner).get("_derived_results")
    if found is None:
        with _OWNERS_LOCK:
            found = vars(owner).get("_derived_results")
            if found is None:
                found = DerivedResults(owner.ws, owner.data, vars(owner).get("_loaded_fingerprint"))
                owner._derived_results = found
    return found


_OWNERS_LOCK = threading.Lock()


def _plain(value):
    """JSON-ready: numpy scalars as Python numbers, tuples as lists (floats exact, NaN kept)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ParameterTypeError(f"{type(value).__name__} cannot be stored as JSON")


# =========================================================================== filling the store
@dataclasses.dataclass
class DeriveSummary:
    """What :func:`derive` did."""

    waves_scored: int = 0
    matrices: int = 0
    comments: int = 0
    pruned: int = 0
    seconds: float = 0.0
    failed: list = dataclasses.field(default_factory=list)

    def __str__(self) -> str:
        line = (
            f"derived results: {self.waves_scored} waves scored, {self.matrices} matrices, "
            f"{self.comments} comments coded in {self.seconds:.1f} s"
        )
        if self.pruned:
            line += f" ({self.pruned} stale entries removed)"
        if self.failed:
            line += f"; not derived: {'; '.join(self.failed)}"
        return line


def derive(workspace, *, waves=None, progress: bool = True, dashboard=None) -> DeriveSummary:
    """Compute and store what the dashboard reads: churn scores, unfiltered matrices, coded comments.

    Parameters
    ----------
    workspace : str, Path or Workspace
    waves : str or list of str, optional
        Waves to score and map (default every wave with responses); the
        comments are coded for all waves at once.
    progress : bool
        A tqdm bar on stderr.
    dashboard : DashboardData, optional
        The survey to derive for (default a new one with the dashboard's
        defaults, so the keys are the ones the dashboard looks up).

    Returns
    -------
    DeriveSummary
        What failed is listed, not raised: the store then lacks those
        entries and the dashboard computes them when shown.
    """
    from tqdm.auto import tqdm

    from cxlab.present.dashboard_data import DashboardData, Selection

    started = time.perf_counter()
    d = dashboard if dashboard is not None else DashboardData(workspace)
    chosen = d.waves if waves is None else ([waves] if isinstance(waves, str) else list(waves))
    unknown = [w for w in chosen if w not in d.waves]
    summary = DeriveSummary(failed=[f"{w}: no responses" for w in unknown])
    chosen = [w for w in chosen if w in d.waves]
    # Latest wave first (the dashboard opens on it), then its previous (the change), then back in time:
    # each entry is stored as soon as it is computed, so an interrupted run leaves the most useful ones.
    steps: list[tuple[str, str | None]] = []
    for i, w in enumerate(reversed(chosen)):
        steps += [("risk", w), ("ipa", w)] + ([("themes", None)] if i == 0 else [])
    if not chosen:
        steps.append(("themes", None))
    bar = tqdm(steps, desc="derived results", unit="result", disable=not progress, leave=False)
    for kind, wave in bar:
        bar.set_postfix_str(f"{kind} {wave or ''}".strip())
        try:
            if kind == "risk":
                d.risk_scores(wave)
                summary.waves_scored += 1
            elif kind == "ipa":
                d.ipa(Selection(wave=wave))
                summary.matrices += 1
            else:
                summary.comments = len(d.coded_comments())
        except Exception as exc:  # the import stands; this entry is computed when the dashboard needs it
            summary.failed.append(f"{kind} {wave or ''}: {type(exc).__name__}: {exc}".replace("  ", " "))
    bar.close()
    # Entries of older data are never found again (their key differs): removed, so the folder does not grow.
    results = results_of(d)
    for kind, args in (
        ("risk", DerivedResults.risk_args("", n_boot=d.n_boot, seed=d.seed)),
        ("ipa", {}),
        ("themes", d.themes_args()),
    ):
        inputs = results.inputs(kind, args)
        if inputs is not None:
            summary.pruned += results.store.prune(kind, inputs)
    summary.seconds = time.perf_counter() - started
    return summary
