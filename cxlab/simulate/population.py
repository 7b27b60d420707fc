"""The simulated agency's population: teams and managers, accounts, contacts, services, persistent effects.

Each step draws from the simulation's generator; :mod:`cxlab.simulate.agency`
calls them in a fixed order (:func:`hire_managers`, :func:`draw_accounts`,
:func:`draw_contacts`, :func:`draw_services`, :func:`draw_effects`).  Company
and person names and e-mails come from :mod:`cxlab.simulate._names`, phone
numbers are random.  :func:`latent_at` is the latent satisfaction ``s[c, t]`` of every
account; :func:`population_tables` builds the ``clients``, ``contacts``,
``services`` and ``client_services`` tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.simulate._frames import _frame
from cxlab.simulate._model import (
    _BASE_MEAN,
    _BASE_SD,
    _CLIENT_ATTR_SD,
    _CONTACT_SD,
    _MANAGER_ATTR_SD,
    _MANAGER_SD,
    _RHO,
    _ROLES,
    _SD_EPS,
    Design,
)
from cxlab.simulate._names import _company_names, _person
from cxlab.simulate.fieldwork import DAY, Calendar

# ---------------------------------------------------------------------------
# teams, managers (invented), segments, directions, needs
# ---------------------------------------------------------------------------
_TEAMS = [
    ("Корпоративный PR", ["media_relations", "strategy", "crisis"]),
    ("Потребительский PR", ["content", "events", "influencers"]),
    ("Digital", ["digital", "monitoring"]),
    ("GR и внутренние коммуникации", ["government_relations", "internal"]),
]
_MANAGERS = [
    ("Анна Смирнова", 0),
    ("Игорь Лебедев", 0),
    ("Мария Волкова", 0),
    ("Дмитрий Орлов", 1),
    ("Екатерина Белова", 1),
    ("Павел Морозов", 1),
    ("Ольга Никитина", 2),
    ("Сергей Соколов", 2),
    ("Юлия Павлова", 2),
    ("Артём Кузнецов", 3),
    ("Наталья Егорова", 3),
]
_SEGMENTS = [
    "FMCG",
    "finance",
    "tech",
    "pharma",
    "industry",
    "retail",
    "public sector",
    "energy",
    "real estate",
    "telecom",
]
_SEGMENT_P = [0.16, 0.14, 0.15, 0.10, 0.12, 0.11, 0.07, 0.07, 0.05, 0.03]
_DIRECTION_POPULARITY = {
    "media_relations": 0.22,
    "content": 0.10,
    "digital": 0.16,
    "events": 0.08,
    "crisis": 0.05,
    "government_relations": 0.06,
    "monitoring": 0.07,
    "influencers": 0.07,
    "strategy": 0.12,
    "internal": 0.07,
}
_HOT_NEEDS = {
    "monitoring_reports": 2.5,
    "digital_smm": 2.0,
    "strategy_communications": 2.0,
    "crisis_preparedness": 2.0,
    "influencers_campaigns": 1.8,
    "content_video": 1.8,
    "monitoring_media": 1.5,
}


@dataclass
class Staff:
    """The account managers.

    ``names``, the ``team`` of each (index into ``team_names``), each
    manager's ``effect`` on the latent satisfaction (sum 0) and on each
    attribute (``attr``, managers x attributes).
    """

    names: list[str]
    team: np.ndarray
    team_names: list[str]
    effect: np.ndarray
    attr: np.ndarray


@dataclass
class Accounts:
    """The accounts, one entry each (indices are account numbers).

    ``manager`` (index into the staff) and contract ``value`` change as
    events happen; ``base`` is the base of the latent satisfaction.
    """

    ids: list[str]
    start: np.ndarray
    segment: np.ndarray
    direction: np.ndarray
    manager: np.ndarray
    value: np.ndarray
    value_pct: np.ndarray
    latin: np.ndarray
    names: list[str]
    base: np.ndarray


@dataclass
class Contacts:
    """The contacts, one entry each.

    Account (``client``, by index), ``role`` (index into ``_ROLES``),
    language, the persistent contact ``effect``, whether the contact is
    surveyed ``by_phone``, and name, e-mail and phone number.
    """

    client: np.ndarray
    ids: list[str]
    role: np.ndarray
    lang: np.ndarray
    effect: np.ndarray
    by_phone: np.ndarray
    names: list[str]
    emails: list[str]
    phones: list[str]


@dataclass
class Purchases:
    """The services the accounts buy and need.

    ``since``: since when each account buys each service (accounts x
    services, NaT: not bought; expansion adds to it); ``need_w``: how much
    each account needs each service (the weights its needs are drawn with).
    """

    since: np.ndarray
    need_w: np.ndarray


@dataclass
class Effects:
    """Persistent effects and the latent drift.

    Effects of account x attribute, of each service and of account x
    service on the ratings; ``u``, the AR(1) drift with shocks of the latent
    satisfaction (accounts x quarters, including the four after the last
    wave).
    """

    client_attr: np.ndarray
    svc_quality: np.ndarray
    client_svc: np.ndarray
    u: np.ndarray


@dataclass
class Population:
    """Everyone in the simulated agency, as the steps pass it on."""

    staff: Staff
    accounts: Accounts
    contacts: Contacts
    services: Purchases
    effects: Effects


def hire_managers(rng, design: Design) -> Staff:
    """The managers of :data:`_MANAGERS`, with their effects."""
    M = len(_MANAGERS)
    mgr_names = [m[0] for m in _MANAGERS]
    mgr_team = np.array([m[1] for m in _MANAGERS])
    team_names = [t[0] for t in _TEAMS]
    z = rng.normal(size=M)
    z = (z - z.mean()) / z.std() * _MANAGER_SD
    meff = z
    mgr_attr = rng.normal(0, _MANAGER_ATTR_SD, (M, design.K))
    return Staff(mgr_names, mgr_team, team_names, meff, mgr_attr)


def draw_accounts(rng, n_clients: int, design: Design, cal: Calendar, staff: Staff) -> Accounts:
    """Accounts: start date, segment, main direction, manager, contract value, name, base satisfaction."""
    dir_ids, mgr_team = design.dir_ids, staff.team
    opened, T, period_start, day = cal.opened, cal.T, cal.period_start, DAY
    dir_team = {d: i for i, (_, ds) in enumerate(_TEAMS) for d in ds}

    n = n_clients
    n_new = round(0.2 * n)
    n_old = n - n_new
    old_days = 45 + np.floor(rng.beta(1.0, 1.6, n_old) * (5 * 365 - 45)).astype(int)
    last_new = (opened[T - 1] - 60 - period_start).astype(int)
    new_days = rng.integers(0, max(last_new, 1), n_new)
    start = np.sort(np.concatenate([period_start - old_days * day, period_start + new_days * day]))
    client_ids = [f"C{i + 1:04d}" for i in range(n)]
    segment = rng.choice(_SEGMENTS, n, p=_SEGMENT_P)
    pop = np.array([_DIRECTION_POPULARITY.get(d, 0.08) for d in dir_ids])
    pop = pop / pop.sum()
    direction = rng.choice(dir_ids, n, p=pop)
    if "government_relations" in dir_ids:
        gr = np.isin(segment, ["public sector", "industry", "energy"]) & (rng.random(n) < 0.3)
        direction = np.where(gr, "government_relations", direction)
    team0 = np.array([dir_team.get(d, -1) for d in direction])
    other_team = rng.integers(0, len(_TEAMS), n)
    team0 = np.where((team0 < 0) | (rng.random(n) < 0.2), other_team, team0)
    mgr = np.empty(n, dtype=int)
    for i in range(n):
        mgr[i] = rng.choice(np.flatnonzero(mgr_team == team0[i]))
    value = np.round(np.exp(rng.normal(math.log(2.5e6), 0.95, n)), -4)
    value = np.maximum(value, 300_000.0)
    value_pct = np.argsort(np.argsort(value, kind="stable"), kind="stable") / max(n - 1, 1)
    latin = (rng.random(n) < 0.25) & (segment != "public sector")
    names = _company_names(rng, segment, latin)
    base = rng.normal(_BASE_MEAN, _BASE_SD, n)
    return Accounts(client_ids, start, segment, direction, mgr, value, value_pct, latin, names, base)


def draw_contacts(rng, accounts: Accounts) -> Contacts:
    """1-4 contacts per account (more for larger accounts), the first one its decision maker."""
    n, value_pct, latin = len(accounts.ids), accounts.value_pct, accounts.latin

    n_contacts = 1 + rng.binomial(3, 0.2 + 0.4 * value_pct)
    cc = np.repeat(np.arange(n), n_contacts)  # contact -> client
    NC = len(cc)
    first = np.r_[True, cc[1:] != cc[:-1]]
    role = np.where(first, 0, rng.choice([1, 2, 3, 4], NC, p=[0.5, 0.28, 0.1, 0.12]))
    lang_en = rng.random(NC) < np.where(latin[cc], 0.5, 0.05)
    c_lang = np.where(lang_en, "en", "ru")
    c_effect = rng.normal(0, _CONTACT_SD, NC)
    c_phone = rng.random(NC) < 0.17
    contact_ids = [f"P{i + 1:04d}" for i in range(NC)]
    c_names, c_emails, c_phones, seen_mail = [], [], [], set()
    for j in range(NC):
        full, local = _person(rng, c_lang[j])
        domain = "example.com" if c_lang[j] == "en" else "example.ru"
        mail = f"{local}@{domain}"
        k = 2
        while mail in seen_mail:
            mail = f"{local}{k}@{domain}"
            k += 1
        seen_mail.add(mail)
        c_names.append(full)
        c_emails.append(mail)
        d = rng.integers(0, 10, 10)
        c_phones.append(f"+7 9{d[0]}{d[1]} {d[2]}{d[3]}{d[4]}-{d[5]}{d[6]}-{d[7]}{d[8]}")
    return Contacts(cc, contact_ids, role, c_lang, c_effect, c_phone, c_names, c_emails, c_phones)


def draw_services(rng, accounts: Accounts, design: Design, cal: Calendar) -> Purchases:
    """Services bought (mostly of the account's direction) since its start or later, and needs' weights."""
    n, S, svc_ids, svc_dir = len(accounts.ids), design.S, design.svc_ids, design.svc_dir
    direction, start, value_pct = accounts.direction, accounts.start, accounts.value_pct
    period_start, day = cal.period_start, DAY

    since = np.full((n, S), np.datetime64("NaT"), dtype="datetime64[D]")
    dir_pop = np.array([_DIRECTION_POPULARITY.get(d, 0.08) for d in svc_dir])
    n_svc = 1 + rng.binomial(4, 0.2 + 0.35 * value_pct)
    for i in range(n):
        own = list(rng.permutation(np.flatnonzero(svc_dir == direction[i])))
        chosen: list[int] = []
        for slot in range(n_svc[i]):
            if own and (slot == 0 or rng.random() < 0.6):
                chosen.append(int(own.pop()))
            else:
                cand = np.setdiff1d(np.flatnonzero(svc_dir != direction[i]), chosen)
                if len(cand) == 0:
                    break
                pw = dir_pop[cand] / dir_pop[cand].sum()
                chosen.append(int(rng.choice(cand, p=pw)))
        gap = int((period_start - start[i]) / day)
        for s_ in chosen:
            late = rng.random() < 0.3 and gap > 30
            since[i, s_] = start[i] + (int(rng.integers(0, gap)) if late else 0) * day
    need_w = np.array([_HOT_NEEDS.get(s, 1.0) for s in svc_ids]) * dir_pop / dir_pop.mean()
    need_w = need_w[None, :] * np.exp(rng.normal(0, 0.8, (n, S)))
    return Purchases(since, need_w)


def draw_effects(rng, n_clients: int, design: Design, cal: Calendar) -> Effects:
    """Persistent effects on attributes and services, and the latent drift over every quarter."""
    n, K, S, TQ = n_clients, design.K, design.S, cal.TQ

    client_attr = rng.normal(0, _CLIENT_ATTR_SD, (n, K))
    svc_quality = rng.normal(0, 0.2, S)
    client_svc = rng.normal(0, 0.4, (n, S))
    sd_u = _SD_EPS / math.sqrt(1 - _RHO**2)
    eps = rng.normal(0, _SD_EPS, (n, TQ))
    shocks = (rng.random((n, TQ)) < 0.035) * rng.normal(-1.1, 0.3, (n, TQ)) + (
        rng.random((n, TQ)) < 0.025
    ) * rng.normal(0.5, 0.2, (n, TQ))
    u = np.empty((n, TQ))
    u[:, 0] = rng.normal(0, sd_u, n) + shocks[:, 0]
    for t in range(1, TQ):
        u[:, t] = _RHO * u[:, t - 1] + eps[:, t] + shocks[:, t]
    return Effects(client_attr, svc_quality, client_svc, u)


def latent_at(t: int, pop: Population) -> np.ndarray:
    """Latent satisfaction ``s[c, t]`` of every account with its manager now."""
    return pop.accounts.base + pop.staff.effect[pop.accounts.manager] + pop.effects.u[:, t]


def population_tables(pop: Population, design: Design, churn_q: np.ndarray) -> dict[str, pd.DataFrame]:
    """``clients``, ``contacts``, ``services`` and ``client_services`` as they are at the end."""
    acc, people, staff = pop.accounts, pop.contacts, pop.staff
    client_ids, mgr, mgr_team, since = acc.ids, acc.manager, staff.team, pop.services.since
    q, svc_ids = design.q, design.svc_ids

    status_final = np.where(churn_q >= 0, "churned", "active")
    clients = _frame(
        "clients",
        {
            "client_id": client_ids,
            "name": acc.names,
            "segment": acc.segment.tolist(),
            "direction": acc.direction.tolist(),
            "team": [staff.team_names[mgr_team[m]] for m in mgr],
            "manager": [staff.names[m] for m in mgr],
            "start_date": acc.start,
            "contract_value": acc.value,
            "status": status_final.tolist(),
        },
    )
    contacts = _frame(
        "contacts",
        {
            "contact_id": people.ids,
            "client_id": [client_ids[c] for c in people.client],
            "name": people.names,
            "role": [_ROLES[r] for r in people.role],
            "email": people.emails,
            "phone": people.phones,
            "language": people.lang.tolist(),
        },
    )
    services = _frame("services", {c: q.services[c].tolist() for c in q.services.columns})
    ci_, si_ = np.nonzero(~np.isnat(since))
    client_services = _frame(
        "client_services",
        {"client_id": [client_ids[c] for c in ci_], "service_id": [svc_ids[s] for s in si_], "since": since[ci_, si_]},
    )
    return {"clients": clients, "contacts": contacts, "services": services, "client_services": client_services}
