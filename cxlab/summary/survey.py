"""The survey's frames a wave summary and the other analyses start from."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


def waves_up_to(waves: pd.DataFrame, responses: pd.DataFrame, wave: str) -> list[str]:
    """Waves with responses up to ``wave``, in time order (opening date, then id)."""
    order = waves[["wave_id", "opened_at"]]
    order = order[order["wave_id"].isin(set(responses["wave_id"].dropna()))]
    ids = order.sort_values(["opened_at", "wave_id"], na_position="last")["wave_id"].tolist()
    return ids[: ids.index(wave) + 1] if wave in ids else ids


@dataclass
class SurveyData:
    """The frames a wave summary needs (no personal data)."""

    responses: pd.DataFrame  # Workspace.response_frame(): one row per response
    answers: pd.DataFrame
    waves: pd.DataFrame
    services: pd.DataFrame
    client_services: pd.DataFrame
    clients: pd.DataFrame
    invitations: pd.DataFrame
    workspace: str = ""
    # Churn risk needs who was invited (contacts without PII), what happened
    # to each client (events) and the follow-up actions.
    contacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    actions: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_workspace(cls, ws) -> SurveyData:
        return cls(
            responses=ws.response_frame(),
            answers=ws.answers(),
            waves=ws.waves(),
            services=ws.services(),
            client_services=ws.table("client_services"),
            clients=ws.clients(),
            invitations=ws.table("invitations"),
            workspace=ws.name,
            contacts=ws.contacts(),
            events=ws.events(),
            actions=ws.table("actions"),
        )
