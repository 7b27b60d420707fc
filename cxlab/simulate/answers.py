"""What the simulated respondents answer: ratings, recommend, overall, price, services, needs, comments.

:func:`rate` draws each respondent's perception of the agency and of each
attribute and turns them into the recommend (0-10), overall and attribute
ratings through the model's thresholds, with the known driver weights; it
also rates the services bought before the wave and picks 0-3 needs among
the services not bought.  :func:`comment` gives about half of the
respondents a comment in their language from the phrase banks below, about
their lowest (critics) or highest (promoters) rated attributes.
:func:`response_rows` and :func:`answer_rows` collect one wave;
:func:`responses_table` and :func:`answers_table` build the tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxlab.simulate._frames import _frame
from cxlab.simulate._model import (
    _ATTR_NOISE,
    _CONTACT_NOISE,
    _CUTS_OVERALL,
    _CUTS_PRICE,
    _CUTS_RATING,
    _NPS_A,
    _NPS_B,
    _OUTCOME_NOISE,
    _ROLE_OFFSETS,
    Design,
)
from cxlab.simulate.population import Population

# Comment phrase banks: attribute -> polarity -> language -> phrases.
_PHRASES = {
    "responsiveness": {
        "neg": {
            "ru": [
                "Долго отвечаете на письма, приходится напоминать.",
                "Реакция на срочные запросы слишком медленная.",
                "В пятницу вечером до команды не достучаться.",
            ],
            "en": [
                "Replies take too long, we often have to chase.",
                "Too slow on urgent requests.",
                "Hard to reach the team when something is urgent.",
            ],
        },
        "pos": {
            "ru": [
                "Всегда быстро отвечаете, даже в выходные.",
                "Оперативность на высоте.",
                "Реагируете мгновенно, это очень ценно.",
            ],
            "en": [
                "Always quick to respond.",
                "Great responsiveness, even at weekends.",
                "You react immediately, which we value a lot.",
            ],
        },
    },
    "understanding_goals": {
        "neg": {
            "ru": [
                "Не всегда понимаете, какие у нас бизнес-задачи.",
                "Предложения часто мимо наших целей.",
                "Приходится по несколько раз объяснять бриф.",
            ],
            "en": [
                "You do not always understand our business goals.",
                "Proposals often miss what we are trying to achieve.",
                "We have to explain the brief several times.",
            ],
        },
        "pos": {
            "ru": [
                "Отлично понимаете наши цели.",
                "С полуслова понимаете, что нам нужно.",
                "Работа чётко привязана к нашим бизнес-задачам.",
            ],
            "en": [
                "You understand our goals very well.",
                "You get what we need straight away.",
                "The work is clearly tied to our business objectives.",
            ],
        },
    },
    "immersion": {
        "neg": {
            "ru": [
                "Не хватает погружения в нашу отрасль.",
                "Команда плохо знает наш продукт.",
                "Хотелось бы, чтобы вы глубже разбирались в нашем рынке.",
            ],
            "en": [
                "Not enough understanding of our industry.",
                "The team does not know our product well.",
                "We would like you to dig deeper into our market.",
            ],
        },
        "pos": {
            "ru": ["Команда глубоко погружена в наш бизнес.", "Знаете наш рынок не хуже нас."],
            "en": ["The team is deeply immersed in our business.", "You know our market as well as we do."],
        },
    },
    "proactivity": {
        "neg": {
            "ru": [
                "Мало собственных идей, всё приходится инициировать нам.",
                "Не хватает проактивности.",
                "Ждём от вас больше инициативы и новых форматов.",
            ],
            "en": [
                "Few ideas of your own, we have to initiate everything.",
                "Not proactive enough.",
                "We expect more initiative and new formats.",
            ],
        },
        "pos": {
            "ru": ["Постоянно предлагаете новые идеи.", "Нравится ваша проактивность."],
            "en": ["You keep bringing fresh ideas.", "We like how proactive you are."],
        },
    },
    "reporting": {
        "neg": {
            "ru": [
                "Не хватает цифр в еженедельном отчёте.",
                "Отчёты непрозрачные, сложно понять результат.",
                "Хотим видеть конкретные метрики и план-факт.",
            ],
            "en": [
                "The weekly report lacks numbers.",
                "Reports are not transparent, hard to see the results.",
                "We want concrete metrics and plan-vs-actual.",
            ],
        },
        "pos": {
            "ru": ["Отчёты понятные и подробные.", "Прозрачная отчётность с цифрами."],
            "en": ["Clear and detailed reports.", "Transparent reporting with real numbers."],
        },
    },
    "team_competence": {
        "neg": {
            "ru": ["Уровень команды неровный, есть слабые специалисты.", "Слишком часто меняются люди в команде."],
            "en": ["The level of the team is uneven.", "People on the team change too often."],
        },
        "pos": {
            "ru": ["Сильная и профессиональная команда.", "Команда — настоящие профессионалы."],
            "en": ["A strong, professional team.", "The team are true professionals."],
        },
    },
    "manager_chemistry": {
        "neg": {
            "ru": [
                "Не сошлись по химии с менеджером.",
                "Нет человеческого контакта с менеджером проекта.",
                "Хотели бы сменить менеджера проекта.",
            ],
            "en": [
                "No chemistry with the account manager.",
                "We lack a personal connection with the project manager.",
                "We would like a different account manager.",
            ],
        },
        "pos": {
            "ru": ["У нас самый лучший менеджер.", "С менеджером полное взаимопонимание."],
            "en": ["We have the best account manager.", "Great rapport with our manager."],
        },
    },
    "deadlines": {
        "neg": {
            "ru": ["Срываете сроки.", "Материалы приходят в последний момент.", "Дедлайны регулярно сдвигаются."],
            "en": ["Deadlines are missed.", "Materials arrive at the last minute.", "Deadlines keep slipping."],
        },
        "pos": {
            "ru": ["Всё всегда вовремя.", "Чётко соблюдаете сроки."],
            "en": ["Everything is always on time.", "You always meet deadlines."],
        },
    },
    "value_for_money": {
        "neg": {
            "ru": ["Дорого для такого объёма работ.", "Цена выше рынка при среднем результате."],
            "en": ["Expensive for the amount of work.", "Above-market price for average results."],
        },
        "pos": {
            "ru": ["Хорошее соотношение цены и качества.", "Результат стоит своих денег."],
            "en": ["Good value for money.", "The results are worth the money."],
        },
    },
}

# Sentences added to some comments from their own random stream (so that every
# other draw stays as it was): results and communication, which the attribute
# grid does not ask about, and paperwork, which no codebook theme covers, for
# theme discovery to find.
_EXTRA_PHRASES = {
    "results": {
        "neg": {
            "ru": [
                "Результата для бизнеса пока не видим.",
                "Публикаций и охватов меньше, чем обещали.",
                "KPI по лидам не выполнены.",
            ],
            "en": [
                "We do not see business results yet.",
                "Coverage is below what was promised.",
                "The lead KPIs were missed.",
            ],
        },
        "pos": {
            "ru": ["Отличный результат по охватам.", "Заявок стало заметно больше, KPI выполнены."],
            "en": ["Great results on coverage.", "Leads went up and the KPIs were met."],
        },
    },
    "communication": {
        "neg": {
            "ru": [
                "Созвонов слишком много, а толку мало.",
                "Согласования тянутся бесконечно.",
                "Не всегда держите нас в курсе.",
            ],
            "en": [
                "Too many calls with little outcome.",
                "Approvals drag on forever.",
                "We are not always kept informed.",
            ],
        },
        "pos": {
            "ru": ["Удобно выстроена коммуникация, всегда в курсе.", "Приятно общаться."],
            "en": ["Communication is well organised, we are always in the loop.", "Easy to work with."],
        },
    },
    "paperwork": {
        "neg": {
            "ru": [
                "Закрывающие документы приходится ждать месяцами.",
                "Счета и акты приходится запрашивать по нескольку раз.",
                "В закрывающих документах постоянно ошибки.",
            ],
            "en": [
                "Closing documents and invoices take months to arrive.",
                "We have to ask for invoices and acts several times.",
                "There are always mistakes in the invoices.",
            ],
        },
        "pos": {"ru": ["Документы и счета всегда в порядке."], "en": ["Invoices and paperwork are always in order."]},
    },
}


def _phrase(rng, q, attr: str, polarity: str, lang: str) -> str:
    bank = _PHRASES.get(attr)
    if bank is not None:
        return str(rng.choice(bank[polarity][lang]))
    label = q.label(attr, lang).lower()
    if polarity == "neg":
        return f"Хотелось бы улучшить: {label}." if lang == "ru" else f"Room for improvement: {label}."
    return f"Очень нравится: {label}." if lang == "ru" else f"We really like: {label}."


def _extra_sentences(rng, comments: list, nps: np.ndarray, langs: np.ndarray) -> list:
    """Add a sentence on results, communication or paperwork to some comments (tone follows the score)."""
    out = []
    for text, score, lang in zip(comments, nps, langs):
        u = rng.random(3)
        if text is None or u[0] >= 0.35:
            out.append(text)
            continue
        topic = "paperwork" if u[0] < 0.14 else "results" if u[0] < 0.25 else "communication"
        negative = score <= 6 or (score <= 8 and u[1] < 0.5) or (topic == "paperwork" and u[1] < 0.7)
        bank = _EXTRA_PHRASES[topic]["neg" if negative else "pos"][lang if lang in ("ru", "en") else "ru"]
        out.append(f"{text} {bank[int(u[2] * len(bank))]}")
    return out


@dataclass
class Ratings:
    """One wave's answers, one row per respondent (``A``: perception of each attribute)."""

    A: np.ndarray
    nps: np.ndarray
    overall: np.ndarray
    attr_rating: np.ndarray
    price: np.ndarray
    bought: np.ndarray
    svc_rating: np.ndarray
    k_need: np.ndarray
    ranked: np.ndarray


def rate(rng, design: Design, pop: Population, s_t: np.ndarray, op, rc: np.ndarray, rcl: np.ndarray) -> Ratings:
    """Answers of the respondents ``rc`` (contacts, by index; ``rcl`` their accounts) to a wave opened ``op``."""
    R, K, S = len(rc), design.K, design.S
    attr_off, w, vfm = design.attr_off, design.w, design.vfm
    role, c_effect = pop.contacts.role, pop.contacts.effect
    client_attr, svc_quality, client_svc = pop.effects.client_attr, pop.effects.svc_quality, pop.effects.client_svc
    mgr_attr, mgr, value = pop.staff.attr, pop.accounts.manager, pop.accounts.value
    since, need_w = pop.services.since, pop.services.need_w
    choices_k = np.array([0, 1, 2, 3])

    x = s_t[rcl] + _ROLE_OFFSETS[role[rc]] + c_effect[rc] + rng.normal(0, _CONTACT_NOISE, R)
    A = x[:, None] + attr_off[None, :] + client_attr[rcl] + mgr_attr[mgr[rcl]] + rng.normal(0, _ATTR_NOISE, (R, K))
    rec = A @ w + rng.normal(0, _OUTCOME_NOISE, R)
    ovr = A @ w + rng.normal(0, _OUTCOME_NOISE, R)
    nps = np.clip(np.rint(_NPS_A + _NPS_B * rec), 0, 10)
    overall = 1 + np.searchsorted(_CUTS_OVERALL, ovr)
    attr_rating = 1 + np.searchsorted(_CUTS_RATING, A)
    p_lat = 0.65 * (A[:, vfm] if vfm is not None else x) + rng.normal(0, 0.6, R) - 0.15 * np.log(value[rcl] / 2.5e6)
    price = 1 + np.searchsorted(_CUTS_PRICE, p_lat)
    bought = since[rcl] <= op  # NaT compares False
    B = x[:, None] + svc_quality[None, :] + client_svc[rcl] + rng.normal(0, 0.6, (R, S))
    svc_rating = 1 + np.searchsorted(_CUTS_RATING, B)
    keys = np.log(need_w[rcl]) + rng.gumbel(size=(R, S))
    keys[bought] = -np.inf
    k_need = np.minimum(rng.choice(choices_k, R, p=[0.38, 0.32, 0.2, 0.1]), (~bought).sum(1))
    ranked = np.argsort(-keys, axis=1, kind="stable")
    return Ratings(A, nps, overall, attr_rating, price, bought, svc_rating, k_need, ranked)


def comment(rng, seed: int, t: int, design: Design, ratings: Ratings, r_lang: np.ndarray) -> list:
    """Comments (None: no comment) of a wave's respondents, in their languages ``r_lang``.

    The extra sentences on results, communication and paperwork come from
    their own stream, seeded by ``[seed, 70, t]``.
    """
    q, attr_ids = design.q, design.attr_ids
    A, nps = ratings.A, ratings.nps
    R = len(nps)

    comments: list[str | None] = []
    for i in range(R):
        p_c = 0.65 if nps[i] <= 6 else 0.45
        if rng.random() >= p_c:
            comments.append(None)
            continue
        lo, hi = attr_ids[int(np.argmin(A[i]))], attr_ids[int(np.argmax(A[i]))]
        lang = r_lang[i]
        if nps[i] <= 6:
            parts = [_phrase(rng, q, lo, "neg", lang)]
            if rng.random() < 0.3:
                lo2 = attr_ids[int(np.argsort(A[i], kind="stable")[1])]
                parts.append(_phrase(rng, q, lo2, "neg", lang))
        elif nps[i] >= 9:
            parts = [_phrase(rng, q, hi, "pos", lang)]
            if rng.random() < 0.25:
                parts.append(_phrase(rng, q, lo, "neg", lang))
        else:
            if rng.random() < 0.55:
                parts = [_phrase(rng, q, lo, "neg", lang)]
            else:
                parts = [_phrase(rng, q, hi, "pos", lang)]
            if rng.random() < 0.3:
                parts = [_phrase(rng, q, hi, "pos", lang), _phrase(rng, q, lo, "neg", lang)]
        comments.append(" ".join(parts))
    comments = _extra_sentences(np.random.default_rng([seed, 70, t]), comments, nps, r_lang)
    return comments


def response_rows(wave_id: str, rid: list[str], rc, rcl, submitted, ratings: Ratings, comments, r_lang, mgr) -> dict:
    """One wave's responses as columns (contacts, accounts and managers by index)."""
    R = len(rc)
    return {
        "response_id": rid,
        "wave_id": np.full(R, wave_id, dtype=object),
        "contact": rc,
        "client": rcl,
        "submitted_at": submitted,
        "nps": ratings.nps,
        "overall": ratings.overall,
        "price": ratings.price,
        "comment": comments,
        "language": r_lang,
        "manager": mgr[rcl].copy(),
    }


def answer_rows(design: Design, rid: list[str], ratings: Ratings) -> list[tuple]:
    """One wave's grid answers: attributes, services bought, needs (``(rows, kind, scale)`` each)."""
    K, attr_ids, svc_ids, rating_scale = design.K, design.attr_ids, design.svc_ids, design.rating_scale
    attr_rating, bought, svc_rating = ratings.attr_rating, ratings.bought, ratings.svc_rating
    k_need, ranked = ratings.k_need, ratings.ranked
    R = len(rid)

    rid_arr = np.array(rid, dtype=object)
    a_rows = (np.repeat(rid_arr, K), np.tile(np.array(attr_ids, dtype=object), R), attr_rating.ravel())
    bi, bj = np.nonzero(bought)
    s_rows = (rid_arr[bi], np.array(svc_ids, dtype=object)[bj], svc_rating[bi, bj])
    ni = np.repeat(np.arange(R), k_need)
    if len(ni):
        nj = ranked[ni, np.concatenate([np.arange(k) for k in k_need])]
    else:
        nj = np.array([], dtype=int)
    n_rows = (rid_arr[ni], np.array(svc_ids, dtype=object)[nj], np.ones(len(ni)))
    return [(a_rows, "attribute", rating_scale), (s_rows, "service", rating_scale), (n_rows, "need", "0-1")]


def responses_table(parts: list[dict], pop: Population) -> pd.DataFrame:
    """The responses of every wave (``parts`` from :func:`response_rows`)."""
    contact_ids, client_ids = pop.contacts.ids, pop.accounts.ids
    mgr_names, mgr_team, team_names = pop.staff.names, pop.staff.team, pop.staff.team_names

    def rcat(key):
        return np.concatenate(
            [np.asarray(p[key], dtype=object) if key in ("response_id", "comment") else p[key] for p in parts]
        )

    r_contact = rcat("contact")
    r_client = rcat("client")
    r_mgr = rcat("manager")
    return _frame(
        "responses",
        {
            "response_id": rcat("response_id"),
            "wave_id": rcat("wave_id"),
            "contact_id": [contact_ids[j] for j in r_contact],
            "client_id": [client_ids[c] for c in r_client],
            "submitted_at": rcat("submitted_at"),
            "nps": rcat("nps").astype(float),
            "overall": rcat("overall").astype(float),
            "price": rcat("price").astype(float),
            "comment": rcat("comment"),
            "language": rcat("language"),
            "manager": [mgr_names[m] for m in r_mgr],
            "team": [team_names[mgr_team[m]] for m in r_mgr],
            "complete": True,
            "import_id": None,
        },
    )


def answers_table(parts: list[tuple]) -> pd.DataFrame:
    """The grid answers of every wave (``parts`` from :func:`answer_rows`), by response, kind and item."""
    a_resp, a_item, a_val, a_kind, a_scale = [], [], [], [], []
    for (rid_, item_, val_), kind, sc in parts:
        a_resp.append(rid_)
        a_item.append(item_)
        a_val.append(np.asarray(val_, dtype=float))
        a_kind.append(np.full(len(rid_), kind, dtype=object))
        a_scale.append(np.full(len(rid_), sc, dtype=object))
    answers = _frame(
        "answers",
        {
            "response_id": np.concatenate(a_resp),
            "item": np.concatenate(a_item),
            "kind": np.concatenate(a_kind),
            "value": np.concatenate(a_val),
            "scale": np.concatenate(a_scale),
        },
    )
    return answers.sort_values(["response_id", "kind", "item"], kind="stable", ignore_index=True)
