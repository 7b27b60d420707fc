"""Importing a wave's responses: one transaction per file, idempotent by content.

:class:`ImportsMixin` gives :class:`~cxlab.store.Workspace` its ``import_wave``;
the checks it runs on the incoming rows (matching, validation, stored
duplicates, supersession) are in :mod:`cxlab.store.import_checks`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import pandas as pd

from cxlab.errors import InputError, ParameterError, Problem
from cxlab.store._common import _now
from cxlab.store.derived import _refresh_cube
from cxlab.store.import_checks import ImportChecksMixin, _Refusals
from cxlab.store.writing import _conform, _insert


@dataclass
class ImportReport:
    """What an import did.

    ``rows_loaded`` counts new responses; ``rows_skipped`` those already stored
    with the same content (cumulative exports), ``rows_rejected`` earlier
    duplicate submissions superseded by a later one in the same file.
    """

    import_id: str | None
    wave_id: str
    source: str
    sha256: str
    rows_read: int
    rows_loaded: int
    rows_skipped: int = 0
    rows_rejected: int = 0
    answers_loaded: int = 0
    already_imported: bool = False
    messages: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    matched: dict = field(default_factory=dict)
    tool: str | None = None

    def __str__(self) -> str:
        if self.already_imported:
            return f"{self.source}: already imported ({self.messages[0] if self.messages else ''}); nothing new loaded"
        text = (
            f"{self.source} -> wave {self.wave_id}: {self.rows_read} rows read, "
            f"{self.rows_loaded} responses loaded ({self.answers_loaded} grid answers)"
        )
        if self.rows_skipped:
            text += f", {self.rows_skipped} already stored"
        if self.rows_rejected:
            text += f", {self.rows_rejected} superseded duplicates"
        if self.refused:
            text += f", {len(self.refused)} refused (see .refused)"
        return text

    def refused_frame(self) -> pd.DataFrame:
        """Every refusal as a tidy frame: file, row, column, reason."""
        return pd.DataFrame(
            [{"file": p.source, "row": p.row, "column": p.column, "reason": p.message} for p in self.refused],
            columns=["file", "row", "column", "reason"],
        )


class ImportsMixin(ImportChecksMixin):
    """Response imports (part of :class:`~cxlab.store.Workspace`; uses its ``connect``, ``sql`` and ``wave``)."""

    def import_wave(
        self,
        source,
        wave: str | None = None,
        *,
        mapping: dict | None = None,
        tool: str = "auto",
        questionnaire=None,
        errors: str = "report",
    ) -> ImportReport:
        """Import a wave's responses as one transaction.

        Parameters
        ----------
        source : str, Path, bytes, DataFrame or ExportData
            A survey export (Google Forms, Yandex Forms, SurveyMonkey,
            Qualtrics, LimeSurvey, a cxlab response file or any CSV/XLSX with
            a ``mapping``; see :func:`cxlab.ingest.read_export`), a frame in
            the wide response form, or data already read.
        wave : str, optional
            Wave id; required unless every row names its ``wave_id``.
        questionnaire : Questionnaire or str, optional
            Default: the wave's questionnaire (``waves.questionnaire``), which
            maps every question of a tool's export.
        errors : {"report", "raise"}
            ``"report"`` (default): a cell or row that cannot be loaded is
            refused and listed in :attr:`ImportReport.refused` with file, row,
            column and reason; everything valid is loaded.  ``"raise"``: any
            refusal raises :class:`InputError` and nothing is written.

        Returns
        -------
        ImportReport

        Notes
        -----
        - Responses are tied to contacts by the personal token of the wave's
          invitations, then by e-mail, then by company name (client only);
          the report counts each and lists what stayed unmatched.
        - The same file imported twice loads nothing and says so.
        - A response already stored with the same content (a cumulative
          export) is skipped; with different content it is refused.
        - One response per contact and wave: a contact's later submission
          (by ``submitted_at``, else file order) supersedes an earlier one,
          in the file or already stored, and the report counts it.
        - Refused: a row with no matching contact or client, an unknown
          client or contact, a contact of another client, one response id
          with different answers, a response id stored with different
          content; a cell outside its scale, not a whole point, an unknown
          label or an unreadable date.
        """
        from cxlab.ingest import ExportData, read_export

        if errors not in ("report", "raise"):
            raise ParameterError(
                f"errors must be 'report' or 'raise', got {errors!r}", parameter="errors", value=errors
            )
        if isinstance(source, ExportData):
            data = source
        else:
            if questionnaire is None and wave is not None:
                questionnaire = self._wave_questionnaire(wave)
            data = read_export(source, tool=tool, mapping=mapping, questionnaire=questionnaire, errors=errors)
        src = data.source
        responses = data.responses.copy()
        answers = data.answers.copy()
        refusals = _Refusals(list(data.problems))

        # Which wave.
        if "wave_id" in responses.columns and responses["wave_id"].notna().any():
            file_waves = set(responses["wave_id"].dropna())
            if wave is None and len(file_waves) == 1:
                wave = file_waves.pop()
            elif wave is not None:
                for i, w in responses["wave_id"].items():
                    if w is not None and w != wave:
                        refusals.row(
                            responses.at[i, "_row"],
                            Problem(
                                src,
                                int(responses.at[i, "_row"]),
                                "wave_id",
                                f"row belongs to wave '{w}', importing into '{wave}'",
                            ),
                        )
        if wave is None:
            raise InputError(Problem(src, None, "wave_id", "which wave? pass wave='2026-Q3' or give a wave_id column"))
        wave_rec = self.wave(wave)
        responses["wave_id"] = wave
        local_ids = (
            responses["_id_generated"].fillna(False).astype(bool)
            if "_id_generated" in responses
            else pd.Series(data.tool not in ("cxlab", "generic"), index=responses.index)
        )
        if local_ids.any():
            # A tool's ids (and ids made from a row's content) are unique within one survey
            # only: they are qualified by the wave.
            rename = dict(
                zip(
                    responses.loc[local_ids, "response_id"],
                    wave + "/" + responses.loc[local_ids, "response_id"].astype(str),
                )
            )
            responses["response_id"] = responses["response_id"].map(lambda r: rename.get(r, r))
            answers["response_id"] = answers["response_id"].map(lambda r: rename.get(r, r))

        with self.connect() as con:
            # A file whose import refused something may come again once the cause is fixed
            # (a contact added, a label corrected): its loaded rows are then skipped by content.
            prior = con.execute(
                "SELECT import_id, imported_at FROM imports WHERE sha256 = ? AND wave_id = ? "
                "AND coalesce(rows_refused, 0) = 0",
                [data.sha256, wave],
            ).fetchall()
        if prior:
            return ImportReport(
                import_id=None,
                wave_id=wave,
                source=src,
                sha256=data.sha256,
                rows_read=data.rows_read,
                rows_loaded=0,
                already_imported=True,
                messages=[f"import {prior[0][0]} on {prior[0][1]:%Y-%m-%d %H:%M}"],
            )

        matched = self._match_contacts(responses, wave, src, refusals)
        responses, answers, rejected = self._validate_responses(responses, answers, wave_rec, src, refusals)
        responses, answers, skipped = self._skip_stored(responses, answers, src, refusals)
        if errors == "raise" and refusals.problems:
            raise InputError(refusals.problems)
        responses, answers = refusals.apply(responses, answers)
        messages = list(data.notes)
        if len(responses) and responses["nps"].isna().all():
            messages.append("no answer to the recommend question (nps) in this file: NPS cannot be computed from it")

        responses, answers, late, superseded_ids = self._supersede_by_contact(responses, answers, wave)
        rejected += late
        if rejected:
            messages.append(f"{rejected} earlier submission(s) superseded by a later one of the same respondent")
        if superseded_ids:
            messages.append(
                f"{len(superseded_ids)} stored response(s) superseded by a later submission of the "
                f"same contact: {', '.join(superseded_ids[:10])}"
            )
        if refusals.problems:
            messages.append(
                f"{len(refusals.problems)} refused: {refusals.rows_refused} row(s) not loaded, "
                f"{len(refusals.problems) - refusals.rows_refused} answer(s) left empty"
            )

        import_id = "I" + _now().strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
        responses = responses.assign(import_id=import_id)
        audit = pd.DataFrame(
            [
                {
                    "import_id": import_id,
                    "wave_id": wave,
                    "kind": "responses",
                    "source": src,
                    "sha256": data.sha256,
                    "rows_read": data.rows_read,
                    "rows_loaded": len(responses),
                    "rows_rejected": rejected + skipped + refusals.rows_refused,
                    "rows_refused": len(refusals.problems),
                    "imported_at": _now().replace(tzinfo=None),
                    "message": "; ".join(messages)[:4000],
                }
            ]
        )
        resp_out = _conform(
            "responses", responses.drop(columns=[c for c in responses if c.startswith("_") and c != "_row"]), src
        )
        ans_out = _conform("answers", answers, src)
        with self.connect(read_only=False) as con:
            con.execute("BEGIN TRANSACTION")
            try:
                if superseded_ids:
                    con.execute("DELETE FROM answers WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                    con.execute("DELETE FROM responses WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                _insert(con, "responses", resp_out)
                _insert(con, "answers", ans_out)
                _insert(con, "imports", _conform("imports", audit, src))
                _refresh_cube(con, [wave])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
        return ImportReport(
            import_id=import_id,
            wave_id=wave,
            source=src,
            sha256=data.sha256,
            rows_read=data.rows_read,
            rows_loaded=len(resp_out),
            rows_skipped=skipped,
            rows_rejected=rejected + len(superseded_ids),
            answers_loaded=len(ans_out),
            messages=messages,
            refused=refusals.problems,
            matched=matched,
            tool=data.tool,
        )

    def _wave_questionnaire(self, wave: str):
        """The wave's questionnaire template, or None when it is not a bundled or reachable one."""
        from cxlab.questionnaire import load_questionnaire

        name = self.wave(wave).get("questionnaire")
        if not name:
            return None
        try:
            return load_questionnaire(name)
        except FileNotFoundError:
            local = self.path / "questionnaires" / f"{name}.yaml"
            return load_questionnaire(local) if local.exists() else None
