"""Invented names: companies (Russian style or Latin, by segment), people (Russian or English) and their e-mails.

All names are drawn from the pools below (none is a real company or
person); Russian surnames take their feminine form, Russian names are
transliterated for e-mail addresses.  The agency's accounts and contacts and
the consumer brand's regional managers are named here.
"""

from __future__ import annotations

import numpy as np

# ---------------------------------------------------------------------------
# name pools (all invented)
# ---------------------------------------------------------------------------
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


def _translit(s: str) -> str:
    return "".join(_TRANSLIT.get(ch, ch) for ch in s.lower())


def _female(surname: str) -> str:
    if surname.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return surname + "а"
    return surname


def _company_names(rng, segments: np.ndarray, latin: np.ndarray) -> list[str]:
    names: list[str]
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
