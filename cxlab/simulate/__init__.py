"""Simulated client-experience data with a known truth.

:func:`simulate` builds the canonical tables of a workspace (see
:mod:`cxlab.schema`) for an invented agency, together with the truth that
generated them, so that every analysis in cxlab (NPS and CSI estimates, key
drivers, churn risk, fieldwork funnels) can be checked against known answers.
The same seed always gives the same frames.

Agency model (``scale="agency"``)
---------------------------------
All draws come from one ``numpy.random.default_rng(seed)``.

Accounts
    ``n_clients`` accounts are present over the period: about 80 % started
    during the five years before the first wave (more of them recently), the
    rest start during the period.  Each has an invented company name (Russian
    style, ``ООО «Кедр Фарм»``, or Latin, ``Northwind Foods``), a segment, a
    main direction of work from the questionnaire's catalogue, a team (4) and
    an account manager (11, each in one team), and a log-normal annual
    contract value (median about 2.5 M RUB, the largest retainers 30 M+).
Contacts
    1-4 per account (more for larger accounts): always one
    ``decision_maker``, then ``day_to_day``, ``marketing``, ``finance`` or
    ``other``; about 15 % answer in English (mostly at foreign-owned accounts).
Latent satisfaction
    For account *c* at wave *t*::

        s[c, t] = base[c] + manager_effect[manager in charge at t] + u[c, t]
        u[c, t] = 0.75 * u[c, t-1] + N(0, 0.30) + shocks

    Shocks are rare negative hits (p = 3.5 % a quarter, about -1.1) and rarer
    positive ones.  ``truth.latent`` holds ``s`` for every account active at a
    wave.  A contact *j* perceives ``x = s + role_offset + contact_effect[j] +
    N(0, 0.3)``; the persistent contact effect (sd 0.35) is why the director
    and the marketer of one client can see the agency very differently.
Ratings
    Attribute perception ``A_k = x + offset_k + client_k + manager_k +
    N(0, 0.75)`` (client- and manager-specific profiles, so attributes
    correlate at r ~ 0.3-0.6 and are not collinear).  Likelihood to recommend
    and overall satisfaction both come from ``sum_k w_k A_k + N(0, 0.3)``
    with the known weights :data:`DRIVER_WEIGHTS` (``truth.driver_weights``);
    recommend = ``clip(round(7.75 + 1.7 * latent), 0, 10)``, overall and the
    1-5 ratings through fixed thresholds.  Service ratings (only for services
    bought before the wave) = ``x + service quality + client-service effect +
    noise``.  Needs: 0-3 services the account does not buy, drawn from
    account-specific preferences.  Price perception (1 much too expensive ..
    5 well below the market) follows the value-for-money perception.  About
    half of the respondents leave a comment in their language, drawn from
    phrase banks about their lowest (critics) or highest (promoters) rated
    attributes.
Fieldwork
    Each wave every contact of an account that is active and at least three
    months old is invited (e-mail ~80 %, phone ~20 %).  4 % of e-mails bounce,
    calls fail ~10 %; a reached contact responds with probability
    ``logistic(intercept + 0.9 * s[c, t] + role + channel)``
    (``truth.response_model``): silence is informative.
Events and churn
    Between two waves an active account churns with the quarterly hazard
    ``logit h = alpha + beta * s[c, t] + gamma * (manager changed in the two
    previous quarters)`` with ``beta < 0`` (``truth.churn_model``).  Manager
    changes are more likely after a low score (client mean NPS <= 6);
    complaints after low satisfaction; ``downsized``/``expanded`` (which adds a
    service) and ``renewed`` at contract anniversaries.  Churned accounts are
    not invited again.  A churn is dated between the close of the wave and
    the opening of the next one; events end at the close of the last wave.
Truth of churn
    ``truth.churn_probabilities`` has one row per account and wave it was
    active: ``hazard`` is the hazard used for the quarter after the wave;
    ``p_churn_12m`` is the true probability *at the wave*: P(churn within
    the four quarters after it | the account's state at the wave: latent
    drift, manager, recent manager change), averaged over 400 simulated
    futures that follow the model's own dynamics (drift and shocks, manager
    changes, which are likelier for unhappy clients); ``p_churn_12m_path =
    1 - prod_{q=t}^{t+3} (1 - hazard[c, q])`` is the same product along the
    path that actually happened (it knows the shocks still to come, so no
    model fed with what was known at the wave can match its AUC; for
    quarters after the last wave the path is continued with the manager
    frozen, for quarters after an account churned it is its counterfactual
    continuation); ``churned_within_12m`` says whether the generated events
    hold a churn within those four quarters and ``observed_12m`` whether
    those four quarters are all inside the data (only then is the flag a
    complete 12-month outcome).

Consumer model (``scale=<int>``)
--------------------------------
A consumer brand: 2,000 points of sale in 8 regions (``team``) with regional
managers, ``scale`` anonymous responses (``contact_id`` null) spread over the
waves (each wave covers its whole quarter), recommend 0-10 and overall 1-5
from a point latent that drifts between waves, no comments, no answers, no
invitations.  Fully vectorised; to keep 10 M rows lean, the repeated text
columns of ``responses`` (``wave_id``, ``client_id``, ``language``,
``manager``, ``team``) are pandas categoricals with string categories and
``response_id`` is a pyarrow-backed ``str`` column.

Frames
------
Every table has exactly the columns of :data:`cxlab.schema.TABLES`, in order,
with the dtypes of :data:`PANDAS_DTYPES`: text ``str`` (missing = NaN),
``DATE``/``TIMESTAMP`` ``datetime64[us]``, ``DOUBLE`` ``float64`` (scores are
whole numbers stored as floats), ``INTEGER``/``BIGINT`` ``int64``.  Tables the
simulator does not fill (``actions``, ``imports``; in the consumer case also
``contacts``, ``invitations``, ``answers``, ...) are empty frames with those
columns.

Modules
-------
The agency is simulated in steps, each in its own module, called in the
order of their draws by :mod:`cxlab.simulate.agency`:
:mod:`~cxlab.simulate.fieldwork` (the calendar of waves, invitations, who
responds), :mod:`~cxlab.simulate.population` (teams, managers, accounts,
contacts, services, persistent effects), :mod:`~cxlab.simulate.answers`
(ratings, recommend, price, needs, comments), :mod:`~cxlab.simulate.events`
(churn, manager changes, complaints, downsizing, expansion, renewals) and
:mod:`~cxlab.simulate.truth` (:class:`Truth`, :class:`Simulation`, the true
churn probabilities).  The model's constants are in
:mod:`cxlab.simulate._model`, the invented names in
:mod:`cxlab.simulate._names`, the frame helpers in
:mod:`cxlab.simulate._frames`, the consumer brand in
:mod:`cxlab.simulate.consumer`.

Examples
--------
>>> from cxlab.simulate import simulate
>>> sim = simulate(seed=7)
>>> sorted(sim.tables)[:3]
['actions', 'answers', 'client_services']
>>> sim.truth.driver_weights.idxmax()
'responsiveness'
>>> big = simulate(seed=1, scale=50_000)
>>> len(big.tables["responses"])
50000
"""

from __future__ import annotations

import numpy as np

from cxlab.errors import ParameterError
from cxlab.simulate._frames import PANDAS_DTYPES, empty_table
from cxlab.simulate._model import DRIVER_WEIGHTS
from cxlab.simulate.agency import _simulate_agency
from cxlab.simulate.consumer import _simulate_consumer
from cxlab.simulate.truth import Simulation, Truth

__all__ = [
    "simulate",
    "Simulation",
    "Truth",
    "DRIVER_WEIGHTS",
    "PANDAS_DTYPES",
    "empty_table",
]


# ---------------------------------------------------------------------------
# public entry point
# ---------------------------------------------------------------------------
def simulate(
    seed: int = 42,
    *,
    scale: str | int = "agency",
    n_clients: int = 150,
    n_waves: int = 8,
    last_wave: str = "2026-Q3",
    questionnaire: str = "pr_agency",
    progress: bool = False,
) -> Simulation:
    """Simulate a workspace with a known truth.

    Parameters
    ----------
    seed
        Seed of ``numpy.random.default_rng``; the same seed gives identical frames.
    scale
        ``"agency"`` (default): a PR/communications agency with ``n_clients``
        accounts, contacts, invitations, responses, grid answers and events.
        An integer: a consumer brand with that many anonymous responses
        (for benchmarks; see the module docstring).
    n_clients
        Accounts present over the period (agency scale).
    n_waves
        Quarterly waves, the last one being ``last_wave``.
    last_wave
        Id of the last wave, ``"YYYY-Qn"``.
    questionnaire
        Template name or path (agency scale): its service catalogue and
        attributes are used.
    progress
        Show a tqdm progress bar over the waves.

    Returns
    -------
    Simulation
        ``tables`` (every canonical table, exact columns) and ``truth``.
    """
    if isinstance(n_waves, bool) or int(n_waves) < 1:
        raise ParameterError("n_waves must be at least 1", parameter="n_waves", value=n_waves)
    if isinstance(scale, str):
        if scale != "agency":
            raise ParameterError(
                f"scale must be 'agency' or a number of responses, got {scale!r}", parameter="scale", value=scale
            )
        if int(n_clients) < 5:
            raise ParameterError("n_clients must be at least 5", parameter="n_clients", value=n_clients)
        return _simulate_agency(int(seed), int(n_clients), int(n_waves), last_wave, questionnaire, progress)
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ParameterError(
            f"scale must be 'agency' or a positive number of responses, got {scale!r}", parameter="scale", value=scale
        )
    return _simulate_consumer(int(seed), int(scale), int(n_waves), last_wave, progress)
