"""The agency scale of :func:`cxlab.simulate.simulate`: its steps, in the order of their draws.

One generator, ``numpy.random.default_rng(seed)``, feeds every step in a
fixed order: the calendar, the population (managers, accounts, contacts,
services, persistent effects), then wave by wave the invitations, the
responses, their answers and comments, and the events of the quarter after
the wave.  The same seed therefore gives the same tables, on any CPU (ties,
such as rounded contract values, are sorted stably: numpy's SIMD quicksort
kernels order them differently from machine to machine), and moving a draw
from one step to another would change them all.  The extra sentences of
comments and the expected churn have their own streams (seeded by
``[seed, 70, wave]`` and ``[seed, 12]``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.questionnaire import load_questionnaire
from cxlab.simulate._frames import empty_table
from cxlab.simulate._model import Design
from cxlab.simulate.answers import answer_rows, answers_table, comment, rate, response_rows, responses_table
from cxlab.simulate.events import Events, hazard, quarter_events
from cxlab.simulate.fieldwork import (
    DAY,
    Calendar,
    _progress,
    calendar,
    invitations_table,
    invite,
    respond,
    waves_table,
)
from cxlab.simulate.population import (
    Population,
    draw_accounts,
    draw_contacts,
    draw_effects,
    draw_services,
    hire_managers,
    latent_at,
    population_tables,
)
from cxlab.simulate.truth import History, Simulation, agency_truth, describe_agency, future_quarters


@dataclass
class Wave:
    """What one wave adds to the tables: its invitations, responses and grid answers."""

    invitations: dict
    responses: dict
    answers: list


def _simulate_agency(seed, n_clients, n_waves, last_wave, questionnaire, progress) -> Simulation:
    """The agency scale of :func:`cxlab.simulate.simulate` (arguments checked there)."""
    rng = np.random.default_rng(seed)
    design = Design.from_questionnaire(load_questionnaire(questionnaire))
    # Every step below draws from ``rng``: their order is the order of the draws.
    cal = calendar(rng, n_waves, last_wave)
    staff = hire_managers(rng, design)
    accounts = draw_accounts(rng, n_clients, design, cal, staff)
    contacts = draw_contacts(rng, accounts)
    services = draw_services(rng, accounts, design, cal)
    effects = draw_effects(rng, n_clients, design, cal)
    pop = Population(staff, accounts, contacts, services, effects)

    ev, hist = Events.start(n_clients), History.start(n_clients, cal.TQ)
    ev.renewals(accounts, cal.period_start - DAY, cal.closed[0])
    waves = []
    for t in _progress(range(cal.T), progress, "simulate waves"):
        waves.append(_wave(rng, seed, t, design, cal, pop, ev, hist))
    future_quarters(cal, pop, ev, hist)

    sim = Simulation(tables=_tables(design, cal, pop, ev, waves), truth=agency_truth(seed, design, cal, pop, ev, hist))
    sim.truth.description = describe_agency(sim, seed, design, cal, ev.churn_q)
    return sim


def _wave(rng, seed: int, t: int, design: Design, cal: Calendar, pop: Population, ev: Events, hist: History) -> Wave:
    """Wave ``t``: who is active, invitations, responses, answers, comments, then the quarter's events."""
    op = cal.opened[t]
    active = (pop.accounts.start <= op) & ~(ev.churn_date <= op)
    s_t = latent_at(t, pop)
    h_t = hazard(t, s_t, ev.changed_q)
    hist.record(t, active, s_t, h_t, pop.accounts.manager, ev.changed_q)

    invitations, resp = invite(rng, t, cal, pop, s_t, active)
    rc, rcl, submitted, rid = respond(rng, t, cal, pop, invitations, resp)
    ratings = rate(rng, design, pop, s_t, op, rc, rcl)
    r_lang = pop.contacts.lang[rc]
    comments = comment(rng, seed, t, design, ratings, r_lang)
    responses = response_rows(cal.wave_ids[t], rid, rc, rcl, submitted, ratings, comments, r_lang, pop.accounts.manager)
    answers = answer_rows(design, rid, ratings)

    if t < cal.T - 1:  # the quarter after the last wave is the future, not in the data
        quarter_events(rng, t, design, cal, pop, ev, s_t, h_t, active, ratings.nps, rcl)
    return Wave(invitations, responses, answers)


def _tables(design: Design, cal: Calendar, pop: Population, ev: Events, waves: list[Wave]) -> dict[str, pd.DataFrame]:
    """Every canonical table of the agency."""
    tables = population_tables(pop, design, ev.churn_q)
    return {
        "clients": tables["clients"],
        "contacts": tables["contacts"],
        "services": tables["services"],
        "client_services": tables["client_services"],
        "waves": waves_table(cal, design),
        "invitations": invitations_table([w.invitations for w in waves], pop.contacts.ids),
        "responses": responses_table([w.responses for w in waves], pop),
        "answers": answers_table([part for w in waves for part in w.answers]),
        "events": ev.table(pop.accounts.ids),
        "actions": empty_table("actions"),
        "imports": empty_table("imports"),
    }
