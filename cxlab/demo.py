"""The demo workspace: a simulated PR agency loaded the way a real one is.

Reference data (services, clients, contacts, waves, invitations, events) is
loaded as tables; each wave's responses are written as a survey export
(alternately UTF-8 with commas and cp1251 with ``;`` and decimal commas, as
Russian tools write them) and imported through :meth:`Workspace.import_wave`,
so the demo exercises the same path as real data.

Examples
--------
>>> ws = build_demo("workspaces/demo")   # doctest: +SKIP
>>> ws.latest_wave()                     # doctest: +SKIP
'2026-Q3'
"""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from cxlab.ingest import to_wide
from cxlab.store import Workspace

__all__ = ["build_demo", "write_wave_export"]

REFERENCE = ("services", "clients", "contacts", "client_services", "waves", "invitations", "events")


def write_wave_export(responses, answers, path, *, russian_excel: bool = False) -> Path:
    """Write one wave as a response file (cp1251 + ``;`` + decimal commas when ``russian_excel``)."""
    wide = to_wide(responses.drop(columns=["wave_id"], errors="ignore"), answers)
    wide["submitted_at"] = wide["submitted_at"].dt.strftime("%d.%m.%Y %H:%M" if russian_excel else "%Y-%m-%d %H:%M:%S")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if russian_excel:
        # cp1251 cannot hold every character a comment may contain; such
        # characters are replaced, as Excel does when saving "CSV (;)".
        text = wide.to_csv(index=False, sep=";", decimal=",")
        path.write_bytes(text.encode("cp1251", errors="replace"))
    else:
        wide.to_csv(path, index=False, encoding="utf-8")
    return path


def build_demo(path="workspaces/demo", *, seed: int = 42, overwrite: bool = True, progress: bool = True) -> Workspace:
    """Simulate an agency and load it into a fresh workspace at ``path``."""
    from cxlab.simulate import simulate

    sim = simulate(seed=seed)
    ws = Workspace.create(path, name=Path(path).name, overwrite=overwrite)
    ws.load_tables({name: sim.tables[name] for name in REFERENCE}, source="simulator")
    responses, answers = sim.tables["responses"], sim.tables["answers"]
    inbox = Path(path) / "inbox"
    waves = sorted(responses["wave_id"].unique())
    for i, wave in enumerate(tqdm(waves, desc="importing waves", disable=not progress)):
        r = responses[responses["wave_id"] == wave]
        a = answers[answers["response_id"].isin(r["response_id"])]
        russian = i % 2 == 1
        file = write_wave_export(r, a, inbox / f"responses_{wave}.csv", russian_excel=russian)
        ws.import_wave(file, wave)
    return ws
