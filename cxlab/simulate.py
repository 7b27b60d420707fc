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

import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cxlab.questionnaire import load_questionnaire
from cxlab.schema import TABLES

__all__ = [
    "simulate",
    "Simulation",
    "Truth",
    "DRIVER_WEIGHTS",
    "PANDAS_DTYPES",
    "empty_table",
]

# ---------------------------------------------------------------------------
# model constants (the "truth" of the agency model)
# ---------------------------------------------------------------------------
#: Weights of the relationship attributes in the latent recommend / overall model.
DRIVER_WEIGHTS = {
    "responsiveness": 0.25,
    "understanding_goals": 0.20,
    "team_competence": 0.15,
    "manager_chemistry": 0.12,
    "deadlines": 0.10,
    "proactivity": 0.07,
    "reporting": 0.05,
    "immersion": 0.04,
    "value_for_money": 0.02,
}
_OTHER_WEIGHT = 0.03  # attributes of a custom template that are not above

#: Mean performance of each attribute relative to the latent (what the agency
#: does well or badly, independent of how much it matters).
_ATTRIBUTE_OFFSETS = {
    "responsiveness": 0.20,
    "understanding_goals": 0.10,
    "immersion": -0.10,
    "proactivity": -0.30,
    "reporting": -0.35,
    "team_competence": 0.30,
    "manager_chemistry": 0.20,
    "deadlines": 0.15,
    "value_for_money": -0.25,
}

_ROLES = ["decision_maker", "day_to_day", "marketing", "finance", "other"]
_ROLE_OFFSETS = np.array([0.10, -0.10, -0.20, -0.05, 0.0])
_ROLE_RESPONSE = np.array([-0.30, 0.25, 0.10, -0.40, -0.20])

_RHO, _SD_EPS = 0.75, 0.30
_BASE_MEAN, _BASE_SD = 0.10, 0.45
_MANAGER_SD = 0.40
_CONTACT_SD, _CONTACT_NOISE = 0.35, 0.30
_ATTR_NOISE, _CLIENT_ATTR_SD, _MANAGER_ATTR_SD = 0.75, 0.45, 0.20
_OUTCOME_NOISE = 0.30
_NPS_A, _NPS_B = 7.75, 1.7
_CUTS_RATING = np.array([-2.2, -1.3, -0.35, 0.7])
_CUTS_OVERALL = np.array([-2.2, -1.3, -0.4, 0.65])
_CUTS_PRICE = np.array([-1.5, -0.35, 1.0, 1.9])

_RESPONSE_MODEL = {
    "formula": "logit P(respond | reached) = intercept + latent * s[c,t] + role[role] + channel[channel]",
    "intercept": 0.15,
    "latent": 0.90,
    "role": dict(zip(_ROLES, _ROLE_RESPONSE.tolist())),
    "channel": {"email": 0.0, "phone": 0.60},
    "p_bounce_email": 0.04,
    "p_unreachable_phone": 0.10,
    "p_refuse_email": 0.04,
    "p_refuse_phone": 0.25,
}
_CHURN_MODEL = {
    "formula": "logit h[c,t] = alpha + beta * s[c,t] + gamma * manager_changed_in_previous_two_quarters",
    "alpha": -5.1,
    "beta": -1.3,
    "gamma": 0.9,
    "period": "quarter (from the close of wave t to the close of wave t+1)",
}

# ---------------------------------------------------------------------------
# name pools (all invented)
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
_RU_FORMS = ["ООО", "ООО", "ООО", "АО", "АО", "ПАО", "ГК"]
_RU_ROOTS = [
    "Кедр",
    "Ладога",
    "Алтай",
    "Вега",
    "Сокол",
    "Орбита",
    "Бриз",
    "Сигма",
    "Торос",
    "Онега",
    "Заря",
    "Кама",
    "Ирбис",
    "Дельта",
    "Янтарь",
    "Таймыр",
    "Верба",
    "Грань",
    "Гранит",
    "Зодиак",
    "Тайга",
    "Север",
    "Меркурий",
    "Ока",
    "Альтаир",
    "Полесье",
    "Светоч",
    "Струна",
    "Пихта",
    "Парус",
]
_RU_SUFFIX = {
    "FMCG": ["Продукт", "Фуд", "Напитки", "Молоко"],
    "finance": ["Капитал", "Инвест", "Финанс", "Банк"],
    "tech": ["Софт", "Тех", "Диджитал", "Системс"],
    "pharma": ["Фарм", "Мед", "Био", "Лаб"],
    "industry": ["Пром", "Металл", "Машиностроение", "Инжиниринг"],
    "retail": ["Маркет", "Трейд", "Ритейл"],
    "public sector": ["Развитие", "Регион", "Фонд"],
    "energy": ["Энерго", "Нефтесервис", "Генерация"],
    "real estate": ["Девелопмент", "Строй", "Недвижимость"],
    "telecom": ["Телеком", "Связь"],
}
_EN_ROOTS = [
    "Northwind",
    "Bluefield",
    "Silverline",
    "Brightway",
    "Greenhill",
    "Redstone",
    "Clearwater",
    "Fairport",
    "Ironbridge",
    "Oakridge",
    "Stonebay",
    "Westlake",
    "Goldcrest",
    "Highpoint",
    "Lumen",
    "Vantora",
    "Kestrel",
    "Arctis",
    "Novira",
    "Quillon",
]
_EN_SUFFIX = {
    "FMCG": ["Foods", "Beverages", "Brands"],
    "finance": ["Capital", "Partners", "Finance"],
    "tech": ["Systems", "Labs", "Software"],
    "pharma": ["Pharma", "Health", "Bio"],
    "industry": ["Industries", "Engineering", "Materials"],
    "retail": ["Retail", "Stores", "Market"],
    "public sector": ["Foundation"],
    "energy": ["Energy", "Power"],
    "real estate": ["Development", "Properties"],
    "telecom": ["Telecom", "Networks"],
}
_RU_MALE = [
    "Алексей",
    "Дмитрий",
    "Сергей",
    "Андрей",
    "Михаил",
    "Игорь",
    "Павел",
    "Никита",
    "Артём",
    "Максим",
    "Илья",
    "Роман",
    "Кирилл",
    "Денис",
    "Олег",
    "Владимир",
]
_RU_FEMALE = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Екатерина",
    "Татьяна",
    "Юлия",
    "Ирина",
    "Дарья",
    "Ксения",
    "Светлана",
    "Алина",
    "Виктория",
    "Полина",
    "Вера",
]
_RU_SURNAMES = [
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Соколов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Соловьёв",
    "Васильев",
    "Зайцев",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
    "Фёдоров",
    "Михайлов",
    "Беляев",
    "Тарасов",
    "Белов",
    "Комаров",
    "Орлов",
    "Киселёв",
    "Макаров",
    "Андреев",
    "Ковалёв",
    "Ильин",
    "Гусев",
    "Титов",
    "Кузьмин",
    "Баранов",
    "Куликов",
    "Алексеев",
    "Степанов",
    "Яковлев",
    "Сорокин",
    "Романов",
    "Захаров",
    "Борисов",
    "Герасимов",
    "Григорьев",
    "Лазарев",
    "Ершов",
    "Никитин",
    "Соболев",
    "Рябов",
    "Поляков",
    "Цветков",
    "Данилов",
    "Жуков",
    "Фролов",
    "Николаев",
    "Крылов",
    "Максимов",
    "Осипов",
    "Егоров",
    "Матвеев",
    "Калинин",
    "Антонов",
    "Тимофеев",
    "Филиппов",
    "Марков",
    "Миронов",
    "Казаков",
    "Ефимов",
    "Громов",
    "Фомин",
]
_EN_FIRST = [
    "James",
    "Oliver",
    "Daniel",
    "Thomas",
    "Michael",
    "Lucas",
    "Mark",
    "Peter",
    "Emma",
    "Sophie",
    "Laura",
    "Hannah",
    "Julia",
    "Anna",
    "Claire",
    "Eva",
]
_EN_LAST = [
    "Miller",
    "Hughes",
    "Bennett",
    "Carter",
    "Fischer",
    "Jansen",
    "Moreau",
    "Rossi",
    "Keller",
    "Novak",
    "Weber",
    "Clarke",
    "Evans",
    "Walsh",
    "Berg",
    "Lindqvist",
]
_TRANSLIT = dict(
    zip(
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
        [
            "a",
            "b",
            "v",
            "g",
            "d",
            "e",
            "e",
            "zh",
            "z",
            "i",
            "y",
            "k",
            "l",
            "m",
            "n",
            "o",
            "p",
            "r",
            "s",
            "t",
            "u",
            "f",
            "kh",
            "ts",
            "ch",
            "sh",
            "shch",
            "",
            "y",
            "",
            "e",
            "yu",
            "ya",
        ],
    )
)

_CHURN_REASONS_LOW = ["ушли к другому агентству", "недовольство качеством работы", "не продлили контракт после тендера"]
_CHURN_REASONS_OTHER = ["сокращение маркетингового бюджета", "проект завершён", "коммуникации переведены в штат"]

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

#: pandas dtypes used for the DuckDB types of :mod:`cxlab.schema`.
PANDAS_DTYPES = {
    "VARCHAR": "str",
    "DATE": "datetime64[us]",
    "TIMESTAMP": "datetime64[us]",
    "DOUBLE": "float64",
    "BOOLEAN": "boolean",
    "INTEGER": "int64",
    "BIGINT": "int64",
}


# ---------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------
@dataclass
class Truth:
    """What generated the simulated data.

    Attributes
    ----------
    driver_weights
        ``attribute_id -> weight`` (sums to 1) of the relationship attributes
        in the latent model of likelihood to recommend and overall
        satisfaction.
    manager_effects
        ``manager -> effect`` on the latent satisfaction scale (sum 0).
    churn_probabilities
        ``client_id, wave_id, hazard, p_churn_12m, churned_within_12m,
        observed_12m, p_churn_12m_path``: one row per account and wave it
        was active (see the module's "Truth of churn").
    latent
        ``client_id, wave_id, satisfaction``: the latent satisfaction ``s``.
    response_model
        Coefficients of the logistic response propensity.
    churn_model
        Coefficients of the logistic quarterly churn hazard.
    description
        A plain-text description of the model and realised figures.
    """

    driver_weights: pd.Series
    manager_effects: pd.Series
    churn_probabilities: pd.DataFrame
    latent: pd.DataFrame
    response_model: dict
    description: str
    churn_model: dict = field(default_factory=dict)


@dataclass
class Simulation:
    """Canonical tables (``tables[name]``) and the truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: Truth

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def summary(self) -> dict:
        """Realised headline figures (clients, responses per wave, NPS, ...)."""
        r = self.tables["responses"]
        inv = self.tables["invitations"]
        ev = self.tables["events"]
        nps = r["nps"].to_numpy(dtype=float)
        nps = nps[~np.isnan(nps)]
        out = {
            "clients": len(self.tables["clients"]),
            "contacts": len(self.tables["contacts"]),
            "responses": len(r),
            "responses_per_wave": r.groupby("wave_id", observed=True).size().to_dict(),
            "nps": float(100 * ((nps >= 9).mean() - (nps <= 6).mean())) if len(nps) else float("nan"),
            "detractors_pct": float(100 * (nps <= 6).mean()) if len(nps) else float("nan"),
            "overall_mean": float(r["overall"].mean()),
        }
        if len(inv):
            out["response_rate"] = float((inv["status"] == "responded").mean())
        if len(ev):
            out["events"] = ev["kind"].value_counts().to_dict()
        return out


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def empty_table(name: str) -> pd.DataFrame:
    """An empty frame with the canonical columns and dtypes of table ``name``."""
    return pd.DataFrame({c.name: pd.Series([], dtype=PANDAS_DTYPES[c.dtype]) for c in TABLES[name].columns})


def _column(values, dtype: str, n: int):
    if values is None:
        if dtype == "str":
            return pd.Series(pa.nulls(n, pa.large_string()), dtype="str")
        if dtype.startswith("datetime64"):
            return pd.Series(np.full(n, np.datetime64("NaT"), dtype=dtype), copy=False)
        if dtype == "float64":
            return pd.Series(np.full(n, np.nan), copy=False)
        if dtype == "boolean":
            return pd.Series(pd.arrays.BooleanArray(np.zeros(n, bool), np.ones(n, bool)), copy=False)
        raise ValueError(f"no default for a {dtype} column")
    if isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype):
        return values.reset_index(drop=True)
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return pd.Series(values, dtype=dtype)
    if dtype == "str":
        return pd.Series(values, dtype="str")
    if dtype == "boolean":
        return pd.Series(np.broadcast_to(np.asarray(values, bool), (n,)).copy(), dtype="boolean")
    arr = np.asarray(values).astype(dtype, copy=False)
    return pd.Series(arr, copy=False)


def _frame(name: str, data: dict, n: int | None = None) -> pd.DataFrame:
    """Frame with exactly the canonical columns of ``name``; missing columns are null."""
    cols = TABLES[name].columns
    if n is None:
        first = next(v for v in data.values() if v is not None)
        n = len(first)
    unknown = set(data) - {c.name for c in cols}
    if unknown:  # pragma: no cover - programming error
        raise KeyError(f"{name}: unknown columns {sorted(unknown)}")
    out = {}
    nulls: dict[str, pd.Series] = {}  # all-null columns of one dtype share one buffer
    for c in cols:
        dtype = PANDAS_DTYPES[c.dtype]
        values = data.get(c.name)
        if values is None:
            if dtype not in nulls:
                nulls[dtype] = _column(None, dtype, n)
            s = nulls[dtype]
        else:
            s = _column(values, dtype, n)
        if len(s) != n:  # pragma: no cover
            raise ValueError(f"{name}.{c.name}: {len(s)} values, expected {n}")
        out[c.name] = s
    return pd.DataFrame(out, copy=False)


def _quarters(last_wave: str, n: int) -> list[tuple[int, int]]:
    m = re.fullmatch(r"\s*(\d{4})-?Q([1-4])\s*", str(last_wave))
    if not m:
        raise ValueError(f"last_wave must look like '2026-Q3', got {last_wave!r}")
    idx = int(m.group(1)) * 4 + int(m.group(2)) - 1
    return [(i // 4, i % 4 + 1) for i in range(idx - n + 1, idx + 1)]


def _qstart(y: int, q: int) -> np.datetime64:
    return np.datetime64(f"{y:04d}-{3 * (q - 1) + 1:02d}-01", "D")


def _next_qstart(y: int, q: int) -> np.datetime64:
    return _qstart(y + (q == 4), q % 4 + 1)


def _translit(s: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in s.lower())


def _female(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _str_series(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def _add_years(d: np.datetime64, k: int) -> np.datetime64:
    ts = pd.Timestamp(d)
    try:
        out = ts.replace(year=ts.year + k)
    except ValueError:  # 29 February
        out = ts.replace(year=ts.year + k, day=28)
    return np.datetime64(out.date(), "D")


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
        raise ValueError("n_waves must be at least 1")
    if isinstance(scale, str):
        if scale != "agency":
            raise ValueError(f"scale must be 'agency' or a number of responses, got {scale!r}")
        if int(n_clients) < 5:
            raise ValueError("n_clients must be at least 5")
        return _simulate_agency(int(seed), int(n_clients), int(n_waves), last_wave, questionnaire, progress)
    if isinstance(scale, bool) or not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ValueError(f"scale must be 'agency' or a positive number of responses, got {scale!r}")
    return _simulate_consumer(int(seed), int(scale), int(n_waves), last_wave, progress)


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=desc)


# ---------------------------------------------------------------------------
# agency
# ---------------------------------------------------------------------------
def _driver_weights(attr_ids: list[str]) -> np.ndarray:
    w = np.array([DRIVER_WEIGHTS.get(a, _OTHER_WEIGHT) for a in attr_ids], dtype=float)
    return w / w.sum()


def _company_names(rng, segments: np.ndarray, latin: np.ndarray) -> list[str]:
    names, seen = [], set()
    for seg, lat in zip(segments, latin):
        for _ in range(1000):
            if lat:
                name = f"{rng.choice(_EN_ROOTS)} {rng.choice(_EN_SUFFIX[seg])}"
                if rng.random() < 0.3:
                    name += " Rus"
            else:
                root, suf = rng.choice(_RU_ROOTS), rng.choice(_RU_SUFFIX[seg])
                if seg == "public sector":
                    form = rng.choice(["АНО", "Фонд", "ГБУ"])
                else:
                    form = rng.choice(_RU_FORMS)
                name = f"{form} «{root} {suf}»"
            if name not in seen:
                break
        else:  # pragma: no cover - pools are large enough for a few thousand names
            name = f"{name} {len(names) + 1}"
        seen.add(name)
        names.append(name)
    return names


def _person(rng, lang: str) -> tuple[str, str]:
    """Full name and e-mail local part."""
    if lang == "en":
        first, last = rng.choice(_EN_FIRST), rng.choice(_EN_LAST)
        return f"{first} {last}", f"{first.lower()}.{last.lower()}"
    if rng.random() < 0.55:
        first, last = rng.choice(_RU_FEMALE), _female(rng.choice(_RU_SURNAMES))
    else:
        first, last = rng.choice(_RU_MALE), rng.choice(_RU_SURNAMES)
    return f"{first} {last}", f"{_translit(first)}.{_translit(last)}"


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


def _expected_churn_12m(
    rng, *, h0, u0, base, manager, changed_ago, meff, mgr_team, n_paths: int = 400, chunk: int = 2000
):
    """P(churn within the next four quarters | the state at the wave), by Monte Carlo over futures.

    The first quarter's hazard ``h0`` is known at the wave.  The next three
    follow the simulator's own dynamics from the wave's state: the AR(1)
    drift with its shocks, a manager change with probability 0.02 (0.22 when
    the client is unhappy: latent at or below -1.03, i.e. a mean recommend
    score of 6 or less, the rule the simulation applies to answers) to
    another manager of the team (85 %) or of the agency, and the hazard's
    manager-change term for the two quarters after a change.  Rows are
    simulated in chunks, ``n_paths`` futures each.
    """
    M = len(meff)
    # Other managers of each manager's team, padded with -1, to pick from by index.
    others = [np.flatnonzero((mgr_team == mgr_team[m]) & (np.arange(M) != m)) for m in range(M)]
    n_others = np.array([len(o) for o in others])
    table = np.full((M, max(1, n_others.max())), -1)
    for m, o in enumerate(others):
        table[m, : len(o)] = o
    out = np.empty(len(h0))
    for lo in range(0, len(h0), chunk):
        sl = slice(lo, lo + chunk)
        out[sl] = _expected_chunk(
            rng, h0[sl], u0[sl], base[sl], manager[sl], changed_ago[sl], meff, table, n_others, n_paths
        )
    return out


def _expected_chunk(rng, h0, u0, base, manager, changed_ago, meff, table, n_others, n_paths):
    cm = _CHURN_MODEL
    shape = (len(h0), n_paths)
    M = len(meff)
    u = np.repeat(u0[:, None], n_paths, axis=1)
    mgr = np.repeat(manager[:, None], n_paths, axis=1)
    ago = np.repeat(changed_ago[:, None].astype(float), n_paths, axis=1)  # quarters since the last change
    survive = np.repeat((1 - h0)[:, None], n_paths, axis=1)
    s = base[:, None] + meff[mgr] + u
    unhappy_cut = (6 - _NPS_A) / _NPS_B
    for _ in range(3):
        # A manager change in the quarter after the wave (the simulation's rule), felt from the next wave.
        change = rng.random(shape) < np.where(s <= unhappy_cut, 0.22, 0.02)
        old = mgr[change]
        pick = rng.integers(0, M - 1, old.shape)
        anyone = np.where(pick >= old, pick + 1, pick)
        k = n_others[old]
        in_team = (rng.random(old.shape) < 0.85) & (k > 0)
        team_pick = table[old, (rng.random(old.shape) * np.maximum(k, 1)).astype(int)]
        mgr[change] = np.where(in_team, team_pick, anyone)
        ago = np.where(change, 0, ago) + 1
        shock = (rng.random(shape) < 0.035) * rng.normal(-1.1, 0.3, shape) + (rng.random(shape) < 0.025) * rng.normal(
            0.5, 0.2, shape
        )
        u = _RHO * u + rng.normal(0, _SD_EPS, shape) + shock
        s = base[:, None] + meff[mgr] + u
        recent = (ago == 1) | (ago == 2)
        survive *= 1 - _expit(cm["alpha"] + cm["beta"] * s + cm["gamma"] * recent)
    return 1 - survive.mean(axis=1)


def _simulate_agency(seed, n_clients, n_waves, last_wave, questionnaire, progress) -> Simulation:
    rng = np.random.default_rng(seed)
    q = load_questionnaire(questionnaire)
    svc_ids = q.services["service_id"].tolist()
    svc_dir = np.array(q.services["direction"].tolist())
    S = len(svc_ids)
    dir_ids = q.direction_ids
    attr_ids = q.attribute_ids
    K = len(attr_ids)
    w = _driver_weights(attr_ids)
    attr_off = np.array([_ATTRIBUTE_OFFSETS.get(a, 0.0) for a in attr_ids])
    vfm = attr_ids.index("value_for_money") if "value_for_money" in attr_ids else None
    rating_scale = q.scale_text("rating") if "rating" in q.scales else "1-5"
    nps_scale = q.scale_text("nps") if "nps" in q.scales else "0-10"

    # --- calendar ---------------------------------------------------------
    T, H = n_waves, 4
    TQ = T + H
    quarters = _quarters(last_wave, T)
    yq = quarters[-1]
    for _ in range(H):
        yq = (yq[0] + (yq[1] == 4), yq[1] % 4 + 1)
        quarters.append(yq)
    wave_ids = [f"{y}-Q{qq}" for y, qq in quarters]
    opened = np.empty(TQ, dtype="datetime64[D]")
    for t, (y, qq) in enumerate(quarters):
        jitter = int(rng.integers(0, 5)) if t < T else 2
        opened[t] = np.datetime64(f"{y:04d}-{3 * qq:02d}-08", "D") + jitter
    closed = opened + 21
    period_start = _qstart(*quarters[0])
    data_end = closed[T - 1]
    day = np.timedelta64(1, "D")

    # --- teams, managers ----------------------------------------------------
    M = len(_MANAGERS)
    mgr_names = [m[0] for m in _MANAGERS]
    mgr_team = np.array([m[1] for m in _MANAGERS])
    team_names = [t[0] for t in _TEAMS]
    z = rng.normal(size=M)
    z = (z - z.mean()) / z.std() * _MANAGER_SD
    meff = z
    mgr_attr = rng.normal(0, _MANAGER_ATTR_SD, (M, K))
    dir_team = {d: i for i, (_, ds) in enumerate(_TEAMS) for d in ds}

    # --- clients ------------------------------------------------------------
    n = n_clients
    n_new = int(round(0.2 * n))
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
    value_pct = np.argsort(np.argsort(value)) / max(n - 1, 1)
    latin = (rng.random(n) < 0.25) & (segment != "public sector")
    names = _company_names(rng, segment, latin)
    base = rng.normal(_BASE_MEAN, _BASE_SD, n)

    # --- contacts -----------------------------------------------------------
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

    # --- services bought ----------------------------------------------------
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

    # --- persistent effects and the latent path -----------------------------
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

    # --- state --------------------------------------------------------------
    churn_q = np.full(n, -1)
    churn_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    changed_q = np.full(n, -99)
    s_full = np.full((n, TQ), np.nan)
    h_full = np.full((n, TQ), np.nan)
    active_hist = np.zeros((n, TQ), dtype=bool)
    mgr_hist = np.zeros((n, TQ), dtype=int)
    changed_hist = np.full((n, TQ), -99)
    ev_c, ev_date, ev_kind, ev_detail, ev_value = [], [], [], [], []
    inv_parts, resp_parts, ans_parts = [], [], []
    cm = _CHURN_MODEL
    rm = _RESPONSE_MODEL

    def add_event(c, date, kind, detail=None, val=np.nan):
        ev_c.append(c)
        ev_date.append(date)
        ev_kind.append(kind)
        ev_detail.append(detail)
        ev_value.append(val)

    def renewals(a, b):
        """Anniversaries in (a, b] of clients that have not churned by then."""
        for c in range(n):
            if start[c] > b:
                continue
            ys = range(
                max(1, pd.Timestamp(a).year - pd.Timestamp(start[c]).year),
                pd.Timestamp(b).year - pd.Timestamp(start[c]).year + 1,
            )
            for k in ys:
                d = _add_years(start[c], k)
                if a < d <= b and not (churn_date[c] <= d):
                    add_event(c, d, "renewed", None, float(value[c]))

    renewals(period_start - day, closed[0])
    choices_k = np.array([0, 1, 2, 3])

    for t in _progress(range(T), progress, "simulate waves"):
        op, cl = opened[t], closed[t]
        op_ts = op.astype("datetime64[s]")
        active = (start <= op) & ~(churn_date <= op)
        active_hist[:, t] = active
        s_t = base + meff[mgr] + u[:, t]
        s_full[:, t] = s_t
        recent = (changed_q == t - 1) | (changed_q == t - 2)
        h_t = _expit(cm["alpha"] + cm["beta"] * s_t + cm["gamma"] * recent)
        h_full[:, t] = h_t
        mgr_hist[:, t] = mgr
        changed_hist[:, t] = changed_q

        # ---- invitations ----
        tenure_ok = start <= np.datetime64((pd.Timestamp(op) - pd.DateOffset(months=3)).date(), "D")
        ci = np.flatnonzero(active[cc] & tenure_ok[cc])
        m_ = len(ci)
        ccl = cc[ci]
        phone = c_phone[ci]
        eta = rm["intercept"] + rm["latent"] * s_t[ccl] + _ROLE_RESPONSE[role[ci]] + rm["channel"]["phone"] * phone
        p_resp = _expit(eta)
        u1 = rng.random(m_)
        bounced = ~phone & (u1 < rm["p_bounce_email"])
        unreach0 = phone & (u1 < rm["p_unreachable_phone"])
        reached = ~(bounced | unreach0)
        resp = reached & (rng.random(m_) < p_resp)
        refused = reached & ~resp & (rng.random(m_) < np.where(phone, rm["p_refuse_phone"], rm["p_refuse_email"]))
        status = np.select(
            [resp, bounced, unreach0, refused, phone],
            ["responded", "bounced", "unreachable", "refused", "unreachable"],
            "delivered",
        )
        reminders = np.select(
            [resp, bounced | refused, unreach0],
            [rng.choice([0, 1, 2], m_, p=[0.5, 0.32, 0.18]), rng.integers(0, 2, m_) * refused, 0],
            np.where(rng.random(m_) < 0.85, 2, 1),
        )
        sent = np.where(
            phone,
            op_ts + rng.integers(0, 7, m_) * 86400 + 36000 + rng.integers(0, 8 * 3600, m_),
            op_ts + 32400 + rng.integers(0, 4 * 3600, m_),
        )
        sent = sent.astype("datetime64[s]")
        hexa = rng.integers(0, 2**32, (m_, 2), dtype=np.uint64)
        tokens = [f"{a:08x}{b:08x}" for a, b in hexa]
        inv_parts.append(
            dict(
                wave_id=np.full(m_, wave_ids[t], dtype=object),
                contact_id=ci,
                channel=np.where(phone, "phone", "email"),
                sent_at=sent,
                reminders=reminders,
                status=status,
                token=tokens,
                latent=s_t[ccl],
            )
        )

        # ---- responses ----
        rc = ci[resp]
        R = len(rc)
        rcl = cc[rc]
        delay = (reminders[resp] * rng.uniform(4, 6, R) + rng.exponential(1.2, R)) * 86400
        submitted = sent[resp] + delay.astype("timedelta64[s]")
        limit = cl.astype("datetime64[s]") - rng.integers(3600, 3 * 86400, R).astype("timedelta64[s]")
        submitted = np.minimum(submitted, limit)
        submitted = np.maximum(submitted, sent[resp] + np.timedelta64(600, "s"))
        order = np.argsort(submitted, kind="stable")
        rc, rcl, submitted = rc[order], rcl[order], submitted[order]
        y, qq = quarters[t]
        rid = [f"R{y}Q{qq}-{i + 1:05d}" for i in range(R)]

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
        ranked = np.argsort(-keys, axis=1)

        r_lang = c_lang[rc]
        comments = []
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
                    lo2 = attr_ids[int(np.argsort(A[i])[1])]
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

        resp_parts.append(
            dict(
                response_id=rid,
                wave_id=np.full(R, wave_ids[t], dtype=object),
                contact=rc,
                client=rcl,
                submitted_at=submitted,
                nps=nps,
                overall=overall,
                price=price,
                comment=comments,
                language=r_lang,
                manager=mgr[rcl].copy(),
            )
        )
        # answers: attributes, services bought, needs
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
        ans_parts.append((a_rows, "attribute", rating_scale))
        ans_parts.append((s_rows, "service", rating_scale))
        ans_parts.append((n_rows, "need", "0-1"))

        # ---- events in the quarter after the wave ----
        if t >= T - 1:
            continue  # after the last wave: the future, not in the data
        a, b = cl, closed[t + 1]
        span = int((b - a) / day)
        mean_nps = pd.Series(nps).groupby(rcl).mean() if R else pd.Series(dtype=float)
        low = np.zeros(n, dtype=bool)
        low[mean_nps.index.to_numpy()[mean_nps.to_numpy() <= 6]] = True
        act = np.flatnonzero(active & (churn_q < 0))
        churn_now = act[rng.random(len(act)) < h_t[act]]
        gap = int((opened[t + 1] - a) / day)
        for c in churn_now:
            churn_q[c] = t
            churn_date[c] = a + int(rng.integers(1, gap)) * day
            reasons = _CHURN_REASONS_LOW if s_t[c] < 0 else _CHURN_REASONS_OTHER
            add_event(c, churn_date[c], "churned", str(rng.choice(reasons)), float(value[c]))
        for c in act:
            horizon = int((churn_date[c] - a) / day) if churn_q[c] == t else span
            if horizon < 2:
                continue
            p_mc = 0.02 + 0.2 * low[c]
            if churn_q[c] != t and rng.random() < p_mc:
                old = mgr[c]
                same = np.flatnonzero((mgr_team == mgr_team[old]) & (np.arange(M) != old))
                pool = same if (len(same) and rng.random() < 0.85) else np.flatnonzero(np.arange(M) != old)
                new = int(rng.choice(pool))
                d = a + int(rng.integers(7, max(8, min(60, span)))) * day
                add_event(c, d, "manager_changed", f"{mgr_names[old]} -> {mgr_names[new]}")
                mgr[c] = new
                changed_q[c] = t
            if rng.random() < _expit(-3.6 - 1.6 * s_t[c]):
                perf = s_t[c] + attr_off + client_attr[c] + mgr_attr[mgr[c]]
                d = a + int(rng.integers(1, horizon)) * day
                add_event(c, d, "complaint", q.label(attr_ids[int(np.argmin(perf))], "ru"))
            if churn_q[c] == t:
                continue
            if rng.random() < 0.015 + 0.05 * (s_t[c] < -0.6):
                cut = float(np.round(value[c] * rng.uniform(0.15, 0.4), -4))
                d = a + int(rng.integers(1, span)) * day
                add_event(c, d, "downsized", f"-{round(100 * cut / value[c])}%", -cut)
                value[c] -= cut
            elif rng.random() < 0.03 + 0.05 * (s_t[c] > 0.5):
                free = np.flatnonzero(np.isnat(since[c]))
                if len(free):
                    d = a + int(rng.integers(1, span)) * day
                    pw = need_w[c, free] / need_w[c, free].sum()
                    s_new = int(rng.choice(free, p=pw))
                    since[c, s_new] = d
                    add = float(np.round(value[c] * rng.uniform(0.1, 0.35), -4))
                    add_event(c, d, "expanded", svc_ids[s_new], add)
                    value[c] += add
        renewals(a, b)

    # --- future quarters (truth only) ----------------------------------------
    for t in range(T, TQ):
        s_full[:, t] = base + meff[mgr] + u[:, t]
        recent = (changed_q == t - 1) | (changed_q == t - 2)
        h_full[:, t] = _expit(cm["alpha"] + cm["beta"] * s_full[:, t] + cm["gamma"] * recent)

    # --- assemble tables ----------------------------------------------------
    status_final = np.where(churn_q >= 0, "churned", "active")
    clients = _frame(
        "clients",
        dict(
            client_id=client_ids,
            name=names,
            segment=segment.tolist(),
            direction=direction.tolist(),
            team=[team_names[mgr_team[m]] for m in mgr],
            manager=[mgr_names[m] for m in mgr],
            start_date=start,
            contract_value=value,
            status=status_final.tolist(),
        ),
    )
    contacts = _frame(
        "contacts",
        dict(
            contact_id=contact_ids,
            client_id=[client_ids[c] for c in cc],
            name=c_names,
            role=[_ROLES[r] for r in role],
            email=c_emails,
            phone=c_phones,
            language=c_lang.tolist(),
        ),
    )
    services = _frame("services", {c: q.services[c].tolist() for c in q.services.columns})
    ci_, si_ = np.nonzero(~np.isnat(since))
    client_services = _frame(
        "client_services",
        dict(client_id=[client_ids[c] for c in ci_], service_id=[svc_ids[s] for s in si_], since=since[ci_, si_]),
    )
    waves = _frame(
        "waves",
        dict(
            wave_id=wave_ids[:T],
            opened_at=opened[:T],
            closed_at=closed[:T],
            questionnaire=[q.id] * T,
            nps_scale=[nps_scale] * T,
            rating_scale=[rating_scale] * T,
        ),
    )

    cat = lambda key: np.concatenate([p[key] for p in inv_parts])  # noqa: E731
    inv_contact = cat("contact_id")
    invitations = _frame(
        "invitations",
        dict(
            wave_id=cat("wave_id"),
            contact_id=[contact_ids[j] for j in inv_contact],
            channel=cat("channel"),
            sent_at=cat("sent_at"),
            reminders=cat("reminders"),
            status=cat("status"),
            token=[tok for p in inv_parts for tok in p["token"]],
        ),
    )

    rcat = lambda key: np.concatenate(
        [
            np.asarray(p[key], dtype=object)
            if key
            in ("response_id", "comment")
            else p[key]
            for p in resp_parts
        ]
    )
    r_contact = rcat("contact")
    r_client = rcat("client")
    r_mgr = rcat("manager")
    responses = _frame(
        "responses",
        dict(
            response_id=rcat("response_id"),
            wave_id=rcat("wave_id"),
            contact_id=[contact_ids[j] for j in r_contact],
            client_id=[client_ids[c] for c in r_client],
            submitted_at=rcat("submitted_at"),
            nps=rcat("nps").astype(float),
            overall=rcat("overall").astype(float),
            price=rcat("price").astype(float),
            comment=rcat("comment"),
            language=rcat("language"),
            manager=[mgr_names[m] for m in r_mgr],
            team=[team_names[mgr_team[m]] for m in r_mgr],
            complete=True,
            import_id=None,
        ),
    )

    a_resp, a_item, a_val, a_kind, a_scale = [], [], [], [], []
    for (rid_, item_, val_), kind, sc in ans_parts:
        a_resp.append(rid_)
        a_item.append(item_)
        a_val.append(np.asarray(val_, dtype=float))
        a_kind.append(np.full(len(rid_), kind, dtype=object))
        a_scale.append(np.full(len(rid_), sc, dtype=object))
    answers = _frame(
        "answers",
        dict(
            response_id=np.concatenate(a_resp),
            item=np.concatenate(a_item),
            kind=np.concatenate(a_kind),
            value=np.concatenate(a_val),
            scale=np.concatenate(a_scale),
        ),
    )
    answers = answers.sort_values(["response_id", "kind", "item"], kind="stable", ignore_index=True)

    if ev_c:
        events = _frame(
            "events",
            dict(
                client_id=[client_ids[c] for c in ev_c],
                date=np.array(ev_date, dtype="datetime64[D]"),
                kind=ev_kind,
                detail=ev_detail,
                value=np.array(ev_value, dtype=float),
            ),
        )
        events = events.sort_values(["date", "client_id", "kind"], kind="stable", ignore_index=True)
    else:
        events = empty_table("events")

    tables = {
        "clients": clients,
        "contacts": contacts,
        "services": services,
        "client_services": client_services,
        "waves": waves,
        "invitations": invitations,
        "responses": responses,
        "answers": answers,
        "events": events,
        "actions": empty_table("actions"),
        "imports": empty_table("imports"),
    }

    # --- truth --------------------------------------------------------------
    ac, at = np.nonzero(active_hist[:, :T])
    order = np.lexsort((ac, at))
    ac, at = ac[order], at[order]
    surv = np.ones(len(ac))
    for k in range(4):
        surv *= 1 - h_full[ac, at + k]
    churned_12 = (churn_q[ac] >= at) & (churn_q[ac] <= at + 3)
    expected = _expected_churn_12m(
        np.random.default_rng([seed, 12]),
        h0=h_full[ac, at],
        u0=u[ac, at],
        base=base[ac],
        manager=mgr_hist[ac, at],
        changed_ago=at - changed_hist[ac, at],
        meff=meff,
        mgr_team=mgr_team,
    )
    churn_prob = pd.DataFrame(
        {
            "client_id": _str_series([client_ids[c] for c in ac]),
            "wave_id": _str_series([wave_ids[t] for t in at]),
            "hazard": h_full[ac, at],
            "p_churn_12m": expected,
            "churned_within_12m": churned_12,
            "observed_12m": at + 3 <= T - 2,
            "p_churn_12m_path": 1 - surv,
        }
    )
    latent = pd.DataFrame(
        {
            "client_id": _str_series([client_ids[c] for c in ac]),
            "wave_id": _str_series([wave_ids[t] for t in at]),
            "satisfaction": s_full[ac, at],
        }
    )
    driver_weights = pd.Series(
        w, index=pd.Index(attr_ids, dtype="str", name="attribute_id"), name="weight"
    ).sort_values(ascending=False)
    manager_effects = pd.Series(meff, index=pd.Index(mgr_names, dtype="str", name="manager"), name="effect")
    sim = Simulation(
        tables=tables,
        truth=Truth(
            driver_weights=driver_weights,
            manager_effects=manager_effects,
            churn_probabilities=churn_prob,
            latent=latent,
            response_model=dict(rm),
            description="",
            churn_model=dict(cm),
        ),
    )
    summ = sim.summary()
    sim.truth.description = (
        f"Simulated PR agency (seed {seed}, questionnaire {q.id}): {n} accounts, {NC} contacts, "
        f"{T} quarterly waves {wave_ids[0]}..{wave_ids[T - 1]}, {len(responses)} responses "
        f"(response rate {summ.get('response_rate', float('nan')):.0%}), NPS {summ['nps']:+.0f}, "
        f"{int((churn_q >= 0).sum())} churned accounts. Latent satisfaction s = base (N({_BASE_MEAN}, "
        f"{_BASE_SD})) + manager effect (sd {_MANAGER_SD}) + AR(1) drift (rho {_RHO}, sd {_SD_EPS}) "
        "+ shocks; recommend and overall = sum_k w_k A_k + noise with the weights in driver_weights; "
        "response propensity and quarterly churn hazard are logistic in s (response_model, "
        "churn_model); p_churn_12m = P(churn within the four quarters after the wave | the state at the "
        "wave), averaged over simulated futures; p_churn_12m_path = 1 - prod of (1 - hazard) along the "
        "path that happened."
    )
    return sim


# ---------------------------------------------------------------------------
# consumer brand (benchmark volume)
# ---------------------------------------------------------------------------
_REGIONS = ["Москва", "Санкт-Петербург", "Центр", "Северо-Запад", "Юг", "Поволжье", "Урал", "Сибирь"]
_REGION_P = [0.22, 0.12, 0.14, 0.08, 0.12, 0.13, 0.10, 0.09]
_CITIES = {
    "Москва": ["Москва"],
    "Санкт-Петербург": ["Санкт-Петербург"],
    "Центр": ["Тула", "Тверь", "Ярославль", "Воронеж"],
    "Северо-Запад": ["Псков", "Мурманск", "Вологда"],
    "Юг": ["Краснодар", "Ростов-на-Дону", "Сочи"],
    "Поволжье": ["Казань", "Самара", "Нижний Новгород"],
    "Урал": ["Екатеринбург", "Челябинск", "Пермь"],
    "Сибирь": ["Новосибирск", "Омск", "Красноярск"],
}
_CONSUMER_SEGMENTS = ["hypermarket", "supermarket", "convenience", "pharmacy", "online"]
_CONSUMER_SEG_P = [0.10, 0.35, 0.35, 0.10, 0.10]
_N_POINTS = 2000
_MANAGERS_PER_REGION = 6


def _categorical(values: list[str], idx: np.ndarray) -> pd.Series:
    cats = pd.Index(values, dtype="str")
    return pd.Series(pd.Categorical.from_codes(idx, categories=cats))


def _simulate_consumer(seed, n_responses, n_waves, last_wave, progress) -> Simulation:
    rng = np.random.default_rng(seed)
    T = n_waves
    quarters = _quarters(last_wave, T)
    wave_ids = [f"{y}-Q{qq}" for y, qq in quarters]
    qs = np.array([_qstart(y, qq) for y, qq in quarters])
    qe = np.array([_next_qstart(y, qq) for y, qq in quarters])
    P = _N_POINTS
    day = np.timedelta64(1, "D")

    # regions (teams) and regional managers
    R_ = len(_REGIONS)
    mgr_names, seen = [], set()
    while len(mgr_names) < R_ * _MANAGERS_PER_REGION:
        full, _ = _person(rng, "ru")
        if full not in seen:
            seen.add(full)
            mgr_names.append(full)
    M = len(mgr_names)
    meff = rng.normal(0, 0.2, M)
    meff -= meff.mean()

    region = rng.choice(R_, P, p=_REGION_P)
    mgr = region * _MANAGERS_PER_REGION + rng.integers(0, _MANAGERS_PER_REGION, P)
    seg = rng.choice(len(_CONSUMER_SEGMENTS), P, p=_CONSUMER_SEG_P)
    online = np.array(_CONSUMER_SEGMENTS)[seg] == "online"
    names = []
    for i in range(P):
        reg = _REGIONS[region[i]]
        city = _CITIES[reg][int(rng.integers(0, len(_CITIES[reg])))]
        names.append(f"Онлайн-витрина №{i + 1:04d} ({reg})" if online[i] else f"Магазин №{i + 1:04d}, {city}")
    point_ids = [f"S{i + 1:04d}" for i in range(P)]
    start = qs[0] - rng.integers(30, 5 * 365, P) * day
    base = rng.normal(0.0, 0.45, P)
    drift = np.empty((P, T))
    drift[:, 0] = rng.normal(0, 0.15, P)
    for t in range(1, T):
        drift[:, t] = 0.6 * drift[:, t - 1] + rng.normal(0, 0.15, P)
    latent = 0.1 + base[:, None] + meff[mgr][:, None] + drift
    popularity = np.exp(rng.normal(0, 0.9, P)) * np.where(online, 5.0, 1.0)
    popularity /= popularity.sum()
    cum_pop = np.cumsum(popularity)
    cum_pop[-1] = 1.0

    wave_w = 1 + 0.06 * np.arange(T)
    counts = rng.multinomial(n_responses, wave_w / wave_w.sum())
    width = max(5, len(str(int(counts.max()))))
    point_idx = np.empty(n_responses, dtype=np.int16)
    wave_idx = np.empty(n_responses, dtype=np.int8)
    nps = np.empty(n_responses, dtype=np.float64)
    overall = np.empty(n_responses, dtype=np.float64)
    submitted = np.empty(n_responses, dtype="datetime64[s]")
    lang_en = np.empty(n_responses, dtype=np.int8)
    id_chunks = []
    pos = 0
    for t in _progress(range(T), progress, "simulate waves"):
        m_ = int(counts[t])
        sl = slice(pos, pos + m_)
        idx = np.searchsorted(cum_pop, rng.random(m_), side="right").astype(np.int16)
        point_idx[sl] = idx
        wave_idx[sl] = t
        y = latent[idx, t] + rng.standard_normal(m_, dtype=np.float32)
        nps[sl] = np.clip(np.rint(8.2 + 2.0 * y), 0, 10)
        o = y + 0.5 * rng.standard_normal(m_, dtype=np.float32)
        overall[sl] = 1 + np.searchsorted(np.array([-2.2, -1.3, -0.45, 0.55], dtype=np.float32), o)
        del y, o
        lo = qs[t].astype("datetime64[s]").astype(np.int64)
        hi = qe[t].astype("datetime64[s]").astype(np.int64)
        submitted[sl] = np.sort(rng.integers(lo, hi, m_)).astype("datetime64[s]")
        lang_en[sl] = rng.random(m_) < 0.03
        y_, q_ = quarters[t]
        seq = pa.array(np.arange(1, m_ + 1, dtype=np.int64))
        padded = pc.utf8_lpad(pc.cast(seq, pa.string()), width, "0")
        id_chunks.append(pc.binary_join_element_wise(f"R{y_}Q{q_}-", padded, "").cast(pa.large_string()))
        pos += m_

    ids = pa.chunked_array(id_chunks, type=pa.large_string())
    del id_chunks
    responses = _frame(
        "responses",
        dict(
            response_id=ids,
            wave_id=_categorical(wave_ids, wave_idx),
            contact_id=None,
            client_id=_categorical(point_ids, point_idx),
            submitted_at=submitted,
            nps=nps,
            overall=overall,
            price=None,
            comment=None,
            complete=True,
            language=_categorical(["ru", "en"], lang_en),
            manager=_categorical(mgr_names, mgr[point_idx].astype(np.int16)),
            team=_categorical(_REGIONS, region[point_idx].astype(np.int8)),
            import_id=None,
        ),
        n=n_responses,
    )
    del ids, nps, overall, submitted

    clients = _frame(
        "clients",
        dict(
            client_id=point_ids,
            name=names,
            segment=[_CONSUMER_SEGMENTS[s] for s in seg],
            direction=np.where(online, "online", "store").tolist(),
            team=[_REGIONS[r] for r in region],
            manager=[mgr_names[m] for m in mgr],
            start_date=start,
            contract_value=None,
            status=["active"] * P,
        ),
    )
    waves = _frame(
        "waves",
        dict(
            wave_id=wave_ids,
            opened_at=qs,
            closed_at=qe - 1,
            questionnaire=["consumer_nps"] * T,
            nps_scale=["0-10"] * T,
            rating_scale=["1-5"] * T,
        ),
    )
    tables = {name: empty_table(name) for name in TABLES}
    tables.update(clients=clients, waves=waves, responses=responses)
    tables = {
        name: tables[name]
        for name in [
            "clients",
            "contacts",
            "services",
            "client_services",
            "waves",
            "invitations",
            "responses",
            "answers",
            "events",
            "actions",
            "imports",
        ]
    }

    pi, ti = np.meshgrid(np.arange(P), np.arange(T), indexing="xy")
    truth = Truth(
        driver_weights=pd.Series([], dtype=float, index=pd.Index([], dtype="str", name="attribute_id"), name="weight"),
        manager_effects=pd.Series(meff, index=pd.Index(mgr_names, dtype="str", name="manager"), name="effect"),
        churn_probabilities=pd.DataFrame(
            {
                "client_id": pd.Series([], dtype="str"),
                "wave_id": pd.Series([], dtype="str"),
                "hazard": pd.Series([], dtype=float),
                "p_churn_12m": pd.Series([], dtype=float),
                "churned_within_12m": pd.Series([], dtype=bool),
                "observed_12m": pd.Series([], dtype=bool),
            }
        ),
        latent=pd.DataFrame(
            {
                "client_id": _str_series(np.array(point_ids, dtype=object)[pi.ravel()]),
                "wave_id": _str_series(np.array(wave_ids, dtype=object)[ti.ravel()]),
                "satisfaction": latent[pi.ravel(), ti.ravel()],
            }
        ),
        response_model={
            "formula": "y = latent[point, wave] + N(0, 1); nps = clip(round(8.2 + 2.0 y), 0, 10); "
            "overall = thresholds of y + N(0, 0.5)",
            "nps_intercept": 8.2,
            "nps_slope": 2.0,
            "overall_cuts": [-2.2, -1.3, -0.45, 0.55],
        },
        description=(
            f"Simulated consumer brand (seed {seed}): {P} points of sale in {R_} regions, "
            f"{M} regional managers, {n_responses} anonymous responses over {T} quarterly "
            f"waves {wave_ids[0]}..{wave_ids[-1]}. Point latent = 0.1 + base (sd 0.45) + "
            "manager effect (sd 0.2) + AR(1) drift (rho 0.6, sd 0.15)."
        ),
    )
    return Simulation(tables=tables, truth=truth)
