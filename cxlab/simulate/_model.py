"""Constants of the simulated agency's model and what it takes from a questionnaire.

These are the truth the agency is drawn from: the driver weights, what each
attribute does well or badly, the roles' effects, the AR(1) drift of the
latent satisfaction, the rating thresholds and the coefficients of the
response and churn models (all described in :mod:`cxlab.simulate`).
:class:`Design` holds the questionnaire's services, attributes and scales as
the steps of the simulation use them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cxlab.questionnaire import Questionnaire

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

_RESPONSE_MODEL: dict[str, Any] = {
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


def _expit(x):
    return 1.0 / (1.0 + np.exp(-x))


def _driver_weights(attr_ids: list[str]) -> np.ndarray:
    w = np.array([DRIVER_WEIGHTS.get(a, _OTHER_WEIGHT) for a in attr_ids], dtype=float)
    return w / w.sum()


@dataclass
class Design:
    """The questionnaire as the simulation uses it.

    Attributes
    ----------
    q
        The questionnaire (labels of attributes for comments and complaints).
    svc_ids, svc_dir
        Services of the catalogue and the direction of each (``S`` of them).
    dir_ids
        Directions of work.
    attr_ids
        Relationship attributes (``K`` of them), with their driver weights
        ``w`` (sum 1) and mean performance offsets ``attr_off``; ``vfm`` is
        the position of ``value_for_money`` (None if it is not asked).
    rating_scale, nps_scale
        The scales as ``"min-max"`` text.
    """

    q: Questionnaire
    svc_ids: list[str]
    svc_dir: np.ndarray
    S: int
    dir_ids: list[str]
    attr_ids: list[str]
    K: int
    w: np.ndarray
    attr_off: np.ndarray
    vfm: int | None
    rating_scale: str
    nps_scale: str

    @classmethod
    def from_questionnaire(cls, q: Questionnaire) -> Design:
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
        return cls(q, svc_ids, svc_dir, S, dir_ids, attr_ids, K, w, attr_off, vfm, rating_scale, nps_scale)
