"""The checks an import runs on incoming responses before anything is written.

Rows are tied to contacts (token, e-mail, company name), validated (known
client and contact, scales, dates, duplicates in the file), compared with what
is stored (same content skipped, changed content refused) and reduced to one
response per contact and wave.  What is refused is collected in
:class:`_Refusals`.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from cxlab.errors import Problem
from cxlab.schema import parse_scale
from cxlab.store._common import _isna, _WorkspaceBase


class ImportChecksMixin(_WorkspaceBase):
    """Checks behind ``import_wave`` (part of :class:`~cxlab.store.Workspace`; uses its ``sql``)."""

    def _match_contacts(self, responses, wave, src, refusals) -> dict:
        """Tie each row to a contact: personal token, then e-mail, then company name (client only)."""
        counts = {"contact_id": 0, "token": 0, "email": 0, "company": 0, "client_id": 0}
        given_contact = responses["contact_id"].notna()
        given_client = responses["client_id"].notna() & ~given_contact
        counts["contact_id"], counts["client_id"] = int(given_contact.sum()), int(given_client.sum())
        todo = ~(given_contact | given_client)
        if not todo.any():
            return {k: v for k, v in counts.items() if v}
        tokens = self.sql("SELECT token, contact_id FROM invitations WHERE wave_id = ? AND token IS NOT NULL", [wave])
        by_token = dict(zip(tokens["token"], tokens["contact_id"]))
        contacts = self.sql("SELECT contact_id, lower(trim(email)) AS email FROM contacts WHERE email IS NOT NULL")
        emails = contacts.groupby("email")["contact_id"].agg(list).to_dict()
        clients = self.sql("SELECT client_id, name FROM clients")
        names: dict[str, list[str]] = {}
        for cid, name in zip(clients["client_id"], clients["name"]):
            for key in _company_keys(name):
                names.setdefault(key, []).append(cid)
        for i in responses.index[todo]:
            token, email, company = (
                responses.at[i, c] if c in responses else None for c in ("_token", "_email", "_company")
            )
            if isinstance(token, str) and token.strip() in by_token:
                responses.at[i, "contact_id"] = by_token[token.strip()]
                counts["token"] += 1
            elif isinstance(email, str) and len(emails.get(email, [])) == 1:
                responses.at[i, "contact_id"] = emails[email][0]
                counts["email"] += 1
            elif isinstance(company, str) and len(names.get(_company_key(company), [])) == 1:
                responses.at[i, "client_id"] = names[_company_key(company)][0]
                counts["company"] += 1
            else:
                tried = []
                if isinstance(token, str):
                    tried.append(f"token '{token[:4]}…' is not one of wave {wave}'s invitations")
                if isinstance(email, str):
                    tried.append(
                        f"e-mail '{email}' is "
                        + ("shared by several contacts" if emails.get(email) else "not a contact's")
                    )
                if isinstance(company, str):
                    tried.append(
                        f"company '{company}' is "
                        + ("ambiguous" if names.get(_company_key(company)) else "not a client")
                    )
                row = int(responses.at[i, "_row"])
                refusals.row(
                    row,
                    Problem(
                        src,
                        row,
                        "token/e-mail/company",
                        "unmatched response: "
                        + (
                            "; ".join(tried)
                            if tried
                            else "no client and no contact given, nor a token, e-mail or company to find them by"
                        ),
                    ),
                )
        counts["unmatched"] = int(todo.sum()) - counts["token"] - counts["email"] - counts["company"]
        return {k: v for k, v in counts.items() if v}

    def _skip_stored(self, responses, answers, src, refusals):
        """Drop responses already stored with the same content (cumulative exports); refuse changed ones."""
        ids = responses["response_id"].dropna().tolist()
        stored = self.sql("SELECT * FROM responses WHERE response_id IN (SELECT unnest(?))", [ids])
        if not len(stored):
            return responses, answers, 0
        stored_answers = self.sql(
            "SELECT * FROM answers WHERE response_id IN (SELECT unnest(?))", [stored["response_id"].tolist()]
        )
        mine = _fingerprints(responses, answers)
        theirs = _fingerprints(stored, stored_answers)
        rows = responses.drop_duplicates("response_id", keep="last").set_index("response_id")["_row"]
        same = [rid for rid, fp in theirs.items() if fp == mine.get(rid)]
        for rid, fp in theirs.items():
            if fp != mine.get(rid):
                refusals.row(
                    rows[rid],
                    Problem(
                        src,
                        int(rows[rid]),
                        "response_id",
                        f"response '{rid}' is already stored with different answers "
                        f"(or in another wave); an import never overwrites a response",
                    ),
                )
        done = responses["response_id"].isin(same)
        return responses[~done], answers[~answers["response_id"].isin(same)], len(same)

    def _supersede_by_contact(self, responses, answers, wave):
        """One response per contact and wave, against what is stored.

        Returns the incoming rows to load, how many incoming rows an already
        stored later answer supersedes, and the stored responses to delete.
        """
        with_contact = responses[responses["contact_id"].notna()]
        if not len(with_contact):
            return responses, answers, 0, []
        earlier = self.sql(
            "SELECT response_id, contact_id, submitted_at, complete FROM responses "
            "WHERE wave_id = ? AND contact_id IN (SELECT unnest(?))",
            [wave, with_contact["contact_id"].tolist()],
        )
        newer = with_contact.set_index("contact_id")
        drop_incoming, superseded = [], []
        for _, old in earlier.iterrows():
            new = newer.loc[old["contact_id"]]
            old_complete, new_complete = _is_complete(old["complete"]), _is_complete(new.get("complete"))
            if (old_complete and not new_complete) or (
                old_complete == new_complete
                and pd.notna(new["submitted_at"])
                and pd.notna(old["submitted_at"])
                and new["submitted_at"] < old["submitted_at"]
            ):
                drop_incoming.append(new["response_id"])  # the stored answer is the later (or complete) one
            else:
                superseded.append(old["response_id"])
        keep = ~responses["response_id"].isin(drop_incoming)
        return (responses[keep], answers[~answers["response_id"].isin(drop_incoming)], len(drop_incoming), superseded)

    def _validate_responses(self, responses, answers, wave_rec, src, refusals):
        def row(i):
            return int(responses.at[i, "_row"])

        for i in responses.index[responses["response_id"].isna()]:
            refusals.row(row(i), Problem(src, row(i), "response_id", "required value is empty"))
        rejected = 0
        # One response id twice: identical rows are one response read twice;
        # different rows (grid answers included) are refused, never a silent choice.
        dup_mask = responses["response_id"].notna() & responses["response_id"].duplicated(keep=False)
        if dup_mask.any():
            for rid, grp in responses[dup_mask].groupby("response_id", sort=False):
                versions = {_fingerprint(r, answers[answers["_row"] == r["_row"]]) for _, r in grp.iterrows()}
                if len(versions) > 1:
                    rows_ = ", ".join(str(int(r)) for r in grp["_row"])
                    for r in grp["_row"]:
                        refusals.row(
                            r,
                            Problem(
                                src,
                                int(r),
                                "response_id",
                                f"duplicate response id '{rid}' with different answers (rows {rows_})",
                            ),
                        )
            keep = ~responses["response_id"].duplicated(keep="last") | responses["response_id"].isna()
            rejected += int((~keep & ~responses["_row"].isin(refusals.rows)).sum())
            responses = responses[keep]
            answers = answers[answers["_row"].isin(responses["_row"])]

        contacts = self.sql("SELECT contact_id, client_id FROM contacts")
        clients = self.sql("SELECT client_id, manager, team FROM clients")
        contact_client = dict(zip(contacts["contact_id"], contacts["client_id"]))
        known_clients = set(clients["client_id"])
        for i, r in responses.iterrows():
            if r["_row"] in refusals.rows:
                continue
            cid, kid = r["client_id"], r["contact_id"]
            if kid is not None and not _isna(kid):
                if kid not in contact_client:
                    refusals.row(row(i), Problem(src, row(i), "contact_id", f"unknown contact '{kid}'"))
                    continue
                owner = contact_client[kid]
                if cid is None or _isna(cid):
                    responses.at[i, "client_id"] = owner
                elif cid != owner:
                    refusals.row(
                        row(i),
                        Problem(src, row(i), "client_id", f"contact '{kid}' belongs to client '{owner}', not '{cid}'"),
                    )
            elif cid is None or _isna(cid):
                refusals.row(row(i), Problem(src, row(i), "client_id", "no client and no contact given"))
            elif cid not in known_clients:
                refusals.row(row(i), Problem(src, row(i), "client_id", f"unknown client '{cid}'"))

        # Every answer is a whole point on its scale (NPS on the wave's, ratings on theirs).
        nps_lo, nps_hi = parse_scale(wave_rec.get("nps_scale") or "0-10")
        rat_lo, rat_hi = parse_scale(wave_rec.get("rating_scale") or "1-5")
        for col, (lo, hi), what in (
            ("nps", (nps_lo, nps_hi), "the wave's scale"),
            ("overall", (rat_lo, rat_hi), "the wave's scale"),
            ("price", (1, 5), "the price scale"),
        ):
            vals = responses[col].astype(float)
            bad = vals.notna() & ((vals < lo) | (vals > hi) | (vals % 1 != 0))
            for i in responses.index[bad]:
                refusals.cell(
                    row(i),
                    col,
                    Problem(src, row(i), col, f"value {vals[i]:g} is outside {what} {lo}-{hi} (whole points only)"),
                )
        if len(answers):
            scales = answers["kind"].map({"need": "0-1"}).fillna(wave_rec.get("rating_scale") or "1-5")
            answers = answers.assign(scale=answers["scale"].where(answers["scale"].notna(), scales))
            bounds = answers["scale"].map(parse_scale)
            lo = bounds.map(lambda b: b[0]).astype(float)
            hi = bounds.map(lambda b: b[1]).astype(float)
            bad = (answers["value"] < lo) | (answers["value"] > hi) | (answers["value"] % 1 != 0)
            for i in answers.index[bad]:
                column = answers.at[i, "_column"] if "_column" in answers else answers.at[i, "item"]
                refusals.answer(
                    i,
                    Problem(
                        src,
                        int(answers.at[i, "_row"]),
                        column,
                        f"value {answers.at[i, 'value']:g} is outside the scale "
                        f"{answers.at[i, 'scale']} (whole points only)",
                    ),
                )

        # A response dated before the wave opened belongs to an earlier wave (a form reused
        # across waves, an old export): refused, not filed under this one.
        opened = wave_rec.get("opened_at")
        if opened is not None and not _isna(opened) and responses["submitted_at"].notna().any():
            stamps = pd.to_datetime(responses["submitted_at"])
            for i in responses.index[stamps.notna() & (stamps < pd.Timestamp(opened))]:
                refusals.row(
                    row(i),
                    Problem(
                        src,
                        row(i),
                        "submitted_at",
                        f"submitted {stamps[i]:%d.%m.%Y}, before wave {wave_rec['wave_id']} "
                        f"opened ({pd.Timestamp(opened):%d.%m.%Y}): an answer to an earlier "
                        "wave?",
                    ),
                )

        # One response per contact in the file: the later submission wins, a complete one
        # over a partial one.
        live = ~responses["_row"].isin(refusals.rows)
        has_contact = responses["contact_id"].notna() & live
        if has_contact.any() and responses.loc[has_contact, "contact_id"].duplicated().any():
            order = responses.assign(
                _t=responses["submitted_at"].fillna(pd.Timestamp.min),
                _c=responses["complete"].fillna(True).astype(bool),
            )
            order = order.sort_values(["_c", "_t", "_row"], kind="stable")
            last = order[has_contact.reindex(order.index)].drop_duplicates("contact_id", keep="last")
            drop = responses.index[has_contact & ~responses.index.isin(last.index)]
            rejected += len(drop)
            responses = responses.drop(index=drop)
            answers = answers[answers["_row"].isin(responses["_row"])]

        # The manager and team in charge at the time travel with the response.
        # `clients` holds today's manager; a wave imported after a handover
        # takes the one in charge when the client answered, from the
        # manager_changed events ('old -> new').
        by_client = clients.set_index("client_id")
        missing = responses["manager"].isna()
        responses.loc[missing, "manager"] = responses.loc[missing, "client_id"].map(by_client["manager"])
        changes = self.sql(
            "SELECT client_id, date, detail FROM events WHERE kind = 'manager_changed' "
            "AND detail LIKE '%->%' ORDER BY date"
        )
        if len(changes):
            # A manager's team: from the responses already stored under them
            # (a manager who has left has no clients today), else from `clients`.
            known = pd.concat(
                [
                    self.sql("SELECT manager, team FROM responses WHERE manager IS NOT NULL AND team IS NOT NULL"),
                    clients[["manager", "team"]],
                ]
            ).dropna()
            team_of = known.groupby("manager")["team"].agg(lambda s: s.mode().iloc[0])
            # An answer without a time stamp is dated by its wave's opening.
            stamps = pd.to_datetime(responses["submitted_at"]).fillna(
                pd.Timestamp(opened) if opened is not None and not _isna(opened) else pd.NaT
            )
            for i in responses.index[missing & stamps.notna()]:
                later = changes[
                    (changes["client_id"] == responses.at[i, "client_id"])
                    & (pd.to_datetime(changes["date"]) > stamps[i].normalize())
                ]
                if len(later):
                    earlier_manager = later["detail"].iloc[0].split("->")[0].strip()
                    if earlier_manager:
                        responses.at[i, "manager"] = earlier_manager
                        if responses.at[i, "team"] is None or _isna(responses.at[i, "team"]):
                            responses.at[i, "team"] = team_of.get(earlier_manager)
        missing = responses["team"].isna()
        responses.loc[missing, "team"] = responses.loc[missing, "client_id"].map(by_client["team"])
        return responses, answers, rejected


class _Refusals:
    """What an import refuses: whole rows, single cells, single grid answers."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        self.rows: set[int] = set()
        self.cells: list[tuple[int, str]] = []
        self.answers: set = set()

    def row(self, row, problem: Problem) -> None:
        self.rows.add(int(row))
        self.problems.append(problem)

    def cell(self, row, column: str, problem: Problem) -> None:
        self.cells.append((int(row), column))
        self.problems.append(problem)

    def answer(self, index, problem: Problem) -> None:
        self.answers.add(index)
        self.problems.append(problem)

    @property
    def rows_refused(self) -> int:
        return len(self.rows)

    def apply(self, responses, answers):
        responses = responses[~responses["_row"].isin(self.rows)].copy()
        for row, column in self.cells:
            responses.loc[responses["_row"] == row, column] = np.nan
        answers = answers[~answers.index.isin(self.answers) & answers["_row"].isin(responses["_row"])]
        return responses, answers


_LEGAL_FORMS = (
    "ооо|оао|зао|пао|нао|ао|ип|нко|ано|гк|гбу|фгбу|гуп|фгуп|муп|мау|бу|нп|тоо|"
    "llc|ltd|inc|jsc|pjsc|gmbh|plc|corp|co|company|limited|s\\.?a|ag"
)
_FORM_AT_START = re.compile(rf"^(?:{_LEGAL_FORMS})\.?\s+")
_FORM_AT_END = re.compile(rf"[\s,]+(?:{_LEGAL_FORMS})\.?$")


def _is_complete(value) -> bool:
    """A response is complete unless marked otherwise (older rows have no mark)."""
    return not (isinstance(value, (bool, np.bool_)) and not value)


def _company_keys(name) -> set[str]:
    """Keys a company can be found by: the whole name and the name inside its quotes («Сколково»)."""
    keys = {_company_key(name)}
    quoted = re.search(r"[«\"“„]([^»\"”“]+)[»\"”“]", str(name))
    if quoted:
        keys.add(_company_key(quoted.group(1)))
    return keys - {""}


def _company_key(name) -> str:
    """Company name for matching: case, ё, quotes, punctuation and a legal form at either end ignored.

    >>> _company_key("ООО «Альфа»") == _company_key("Альфа, ООО") == _company_key("альфа")
    True
    >>> _company_key("АО «ИП Групп»")
    'ип групп'
    """
    from cxlab.ingest.answers import normalize_text

    text = normalize_text(name)
    # Only at the ends: "ИП" inside «ИП Групп» is part of the name.
    for _ in range(2):
        text = _FORM_AT_END.sub("", _FORM_AT_START.sub("", text)).strip()
    text = re.sub(r"[^\w\s]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


_CONTENT = ("wave_id", "contact_id", "client_id", "nps", "overall", "price", "reason", "comment")


def _norm(v):
    if _isna(v):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return str(v)


def _fingerprint(response, answers: pd.DataFrame) -> tuple:
    """What a response says: its fields and its grid answers, comparable across sources."""
    grid = tuple(
        sorted((str(k), str(i), float(v)) for k, i, v in zip(answers["kind"], answers["item"], answers["value"]))
    )
    return tuple(_norm(response.get(c)) for c in _CONTENT) + grid


def _fingerprints(responses: pd.DataFrame, answers: pd.DataFrame) -> dict:
    # Not dict(answers.groupby(...)): a GroupBy has a `keys` attribute, so dict() would take it for a mapping.
    by_id = {rid: grp for rid, grp in answers.groupby("response_id")} if len(answers) else {}  # noqa: C416
    empty = answers.iloc[0:0]
    return {r["response_id"]: _fingerprint(r, by_id.get(r["response_id"], empty)) for _, r in responses.iterrows()}
