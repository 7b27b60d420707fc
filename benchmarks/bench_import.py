"""Importing a survey tool's export: a large Google Forms file into a workspace.

A workspace with 2,000 clients and 10,000 invited contacts is built in a
temporary folder; a Google Forms CSV (Russian UI, the form-download layout:
``Отметка времени``, personal-code column, the recommend question with
labelled end points, a 9-row attribute grid, a 2-row service grid,
checkboxes, price and comment) is written with one response per contact.
Then, each in a fresh process so that peak memory is its own:

- ``read_export`` with the wave's questionnaire (detection, question
  recognition, label reading);
- ``Workspace.import_wave`` (the above, plus matching by token, validation
  and one transaction).

Figures: seconds, responses per second and peak RSS (VmHWM).  There is no
stated target; an agency's wave has hundreds of rows, so this shows the
headroom.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_CONTACTS = 10_000
ATTRS = [
    "Скорость реакции на запросы",
    "Понимание наших целей и задач",
    "Погружение в наш бизнес и отрасль",
    "Проактивность, предложение идей",
    "Отчётность и прозрачность результатов",
    "Компетентность команды",
    "Взаимопонимание с менеджером проекта",
    "Соблюдение сроков",
    "Соотношение цены и качества",
]
SERVICES = ["Пресс-офис и подготовка пресс-релизов", "Ведение социальных сетей"]
NEEDS = ["Кампании с блогерами", "Антикризисный план и аудит рисков", "Мониторинг СМИ и социальных сетей"]
RATING = ["Совсем не доволен", "Скорее не доволен", "И да, и нет", "Скорее доволен", "Полностью доволен"]


def build(folder: Path) -> tuple[Path, Path]:
    from cxlab import Workspace

    rng = np.random.default_rng(7)
    ws = Workspace.create(folder / "ws")
    clients = pd.DataFrame(
        {
            "client_id": [f"C{i:05d}" for i in range(N_CONTACTS // 5)],
            "name": [f"Клиент {i}" for i in range(N_CONTACTS // 5)],
            "status": "active",
        }
    )
    contacts = pd.DataFrame(
        {
            "contact_id": [f"K{i:06d}" for i in range(N_CONTACTS)],
            "client_id": [f"C{i // 5:05d}" for i in range(N_CONTACTS)],
            "email": [f"person{i}@client.example" for i in range(N_CONTACTS)],
            "language": "ru",
        }
    )
    tokens = [f"t{i:06d}x{rng.integers(1e9):09d}" for i in range(N_CONTACTS)]
    ws.load_tables(
        {
            "clients": clients,
            "contacts": contacts,
            "waves": pd.DataFrame(
                {"wave_id": ["2026-Q4"], "questionnaire": ["pr_agency"], "nps_scale": ["0-10"], "rating_scale": ["1-5"]}
            ),
            "invitations": pd.DataFrame(
                {"wave_id": "2026-Q4", "contact_id": contacts["contact_id"], "token": tokens, "status": "delivered"}
            ),
        }
    )
    nps_q = "Насколько вероятно, что вы порекомендуете наше агентство коллегам или партнёрам?"
    grid_q = "Оцените, пожалуйста, нашу работу по следующим параметрам."
    svc_q = "Оцените, пожалуйста, качество услуг, которые вы у нас получаете."
    rows = {
        "Отметка времени": [
            f"2026/12/{1 + i % 20:02d} {1 + i % 12}:{i % 60:02d}:07 PM GMT+3" for i in range(N_CONTACTS)
        ],
        "Персональный код": tokens,
    }
    nps = rng.integers(0, 11, N_CONTACTS)
    rows[nps_q] = [("10 - Крайне вероятно" if v == 10 else str(v)) for v in nps]
    rows["Почему вы поставили именно такую оценку?"] = ["Быстро реагируют, всегда на связи"] * N_CONTACTS
    rows["Насколько вы в целом удовлетворены работой с агентством?"] = [
        RATING[v] for v in rng.integers(0, 5, N_CONTACTS)
    ]
    for a in ATTRS:
        rows[f"{grid_q} [{a}]"] = rng.integers(1, 6, N_CONTACTS).astype(str)
    for s in SERVICES:
        rows[f"{svc_q} [{s}]"] = rng.integers(1, 6, N_CONTACTS).astype(str)
    rows["Каких услуг, которые вы сейчас у нас не заказываете, вам не хватает?"] = [
        ";".join(NEEDS[:v]) for v in rng.integers(0, 4, N_CONTACTS)
    ]
    rows["Как вы оцениваете стоимость наших услуг по сравнению с рынком?"] = "Справедливая цена, на уровне рынка"
    rows["Что нам стоит изменить или улучшить? Любые комментарии и пожелания."] = "Больше цифр в отчётах, пожалуйста"
    path = folder / "google_forms_big.csv"
    pd.DataFrame(rows).to_csv(path, index=False, quoting=1)
    return folder / "ws", path


def measure(what: str, ws_path: str, csv_path: str) -> dict:
    from cxlab import Workspace
    from cxlab.ingest import read_export

    start = time.perf_counter()
    if what == "read_export":
        data = read_export(csv_path, questionnaire="pr_agency")
        n, extra = data.rows_read, {"answers": len(data.answers), "refused": len(data.problems)}
    else:
        report = Workspace(ws_path).import_wave(csv_path, "2026-Q4")
        n, extra = (
            report.rows_loaded,
            {"answers": report.answers_loaded, "refused": len(report.refused), "matched": report.matched},
        )
    seconds = time.perf_counter() - start
    peak = (
        next(
            int(line.split()[1])
            for line in Path("/proc/self/status").read_text().splitlines()
            if line.startswith("VmHWM")
        )
        / 1024
    )
    return {"what": what, "rows": n, "seconds": seconds, "peak_mb": peak, **extra}


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure":
        print(json.dumps(measure(*sys.argv[2:])))
        sys.exit(0)
    with tempfile.TemporaryDirectory() as tmp:
        ws_path, csv_path = build(Path(tmp))
        size = csv_path.stat().st_size / 1e6
        print(f"Google Forms export: {N_CONTACTS:,} responses, {size:.1f} MB, 9 + 2 grid rows, checkboxes, labels")
        for what in ("read_export", "import_wave"):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", what, str(ws_path), str(csv_path)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            r = json.loads(out.strip().splitlines()[-1])
            print(
                f"  {what:12s} {r['seconds']:6.2f} s  {r['rows'] / r['seconds']:8,.0f} responses/s  "
                f"peak {r['peak_mb']:5.0f} MB  ({r['answers']:,} grid answers, {r['refused']} refused"
                + (f", matched {r['matched']}" if "matched" in r else "")
                + ")"
            )
