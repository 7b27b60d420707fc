"""Importing a wave's responses: one transaction per file, idempotent by content.

:class:`ImportsMixin` gives :class:`~cxlab.store.Workspace` its ``import_wave``;
the checks it runs on the incoming rows (matching, validation, stored
duplicates, supersession) are in :mod:`cxlab.store.import_checks`.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from cxlab.errors import InputError, ParameterError, Problem, WorkspaceError
from cxlab.store._common import _now
from cxlab.store.derived import _refresh_cube
from cxlab.store.import_checks import ImportChecksMixin, _fingerprints, _Refusals
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
    rows_replaced: int = 0  # stored responses updated by an import with replace=True
    rows_rejected: int = 0
    answers_loaded: int = 0
    already_imported: bool = False
    messages: list[str] = field(default_factory=list)
    refused: list[Problem] = field(default_factory=list)
    matched: dict = field(default_factory=dict)
    tool: str | None = None
    cleaned_cells: int = 0  # cells whose control characters were removed at the door
    cut_cells: int = 0  # cells cut to the import's max_cell_chars

    def __str__(self) -> str:
        if self.already_imported:
            return (
                f"{self.source}: already imported ({self.messages[0] if self.messages else ''}); nothing new loaded "
                "(to correct what was stored from it, import it again with --replace)"
            )
        text = (
            f"{self.source} -> wave {self.wave_id}: {self.rows_read} rows read, "
            f"{self.rows_loaded} responses loaded ({self.answers_loaded} grid answers)"
        )
        if self.rows_replaced:
            text += f", {self.rows_replaced} stored responses replaced"
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
        limits=None,
        encoding: str | None = None,
        replace: bool = False,
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
        limits : cxlab.ingest.limits.Limits, optional
            File size, cell length, columns and rows; default the workspace's
            (``import_limits`` in ``workspace.json``, else the documented
            defaults: 100 MB, 10,000 characters, 2,000 columns, 500,000
            rows).  A file over a limit is refused with nothing written; a
            longer cell is cut and :attr:`ImportReport.cut_cells` counts it.
        encoding : str, optional
            Codec of a CSV file (``koi8_r``, ``latin_1``, ...); by default it
            is decided by evidence, and a file that is not clearly one
            encoding is refused with the candidates
            (:mod:`cxlab.ingest.encoding`).
        replace : bool
            Correct responses stored wrong (garbled text, a wrong answer):
            every response of the file whose ``response_id`` is already
            stored *in this wave* with different content is replaced (its
            answers too) instead of refused, in the same transaction as the
            rest of the import.  Responses of the earlier import that the file
            does not hold are kept.  The audit row in ``imports`` says how
            many responses were replaced, which ones, and from which earlier
            import(s).  The file is read even if the same bytes were imported
            before (a file re-read with another ``encoding``).

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
          export) is skipped; with different content it is refused (replaced
          with ``replace=True``).
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
        from cxlab.ingest.limits import Limits

        if errors not in ("report", "raise"):
            raise ParameterError(
                f"errors must be 'report' or 'raise', got {errors!r}", parameter="errors", value=errors
            )
        if isinstance(source, ExportData):
            data = source
        else:
            if questionnaire is None and wave is not None:
                questionnaire = self._wave_questionnaire(wave)
            if limits is None:
                limits = Limits.from_settings(getattr(self, "meta", None))
            data = read_export(
                source,
                tool=tool,
                mapping=mapping,
                questionnaire=questionnaire,
                errors=errors,
                limits=limits,
                encoding=encoding,
            )
        src = data.source
        if data.rows_read == 0:
            # A header alone is a wrong file (or a wrong sheet), not an empty wave: no audit row for it.
            raise InputError(Problem(src, None, None, "no answer rows in the file (only a header)"))
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
            prior = _prior_import(con, data.sha256, wave)
        if prior and not replace:
            return _already_imported(prior, wave, src, data)

        matched = self._match_contacts(responses, wave, src, refusals)
        responses, answers, rejected = self._validate_responses(responses, answers, wave_rec, src, refusals)
        held: tuple[pd.DataFrame, pd.DataFrame] | None = None
        replaced_from: list[str] = []
        if replace:
            # Responses stored in this wave with other content are held out of the "never overwrite" check.
            changed, replaced_from = self._changed_in_wave(responses, answers, wave)
            hold_r, hold_a = responses["response_id"].isin(changed), answers["response_id"].isin(changed)
            held = (responses[hold_r], answers[hold_a])
            responses, answers = responses[~hold_r], answers[~hold_a]
        responses, answers, skipped = self._skip_stored(responses, answers, src, refusals)
        if held is not None and len(held[0]):
            responses = pd.concat([responses, held[0]]).sort_index()
            answers = pd.concat([answers, held[1]]).sort_index()
        if errors == "raise" and refusals.problems:
            raise InputError(refusals.problems)
        responses, answers = refusals.apply(responses, answers)
        messages = list(data.notes)
        if len(responses) and responses["nps"].isna().all():
            messages.append("no answer to the recommend question (nps) in this file: NPS cannot be computed from it")

        replaced_ids: list[str] = []
        if held is not None:  # those still there after the refusals
            replaced_ids = responses.loc[responses["response_id"].isin(held[0]["response_id"]), "response_id"].tolist()
        if replaced_ids:
            # A replaced response is its contact's stored one: it is not a later submission to weigh.
            rep_r, rep_a = responses["response_id"].isin(replaced_ids), answers["response_id"].isin(replaced_ids)
            kept = (responses[rep_r], answers[rep_a])
            responses, answers, late, superseded_ids = self._supersede_by_contact(
                responses[~rep_r], answers[~rep_a], wave
            )
            responses = pd.concat([responses, kept[0]]).sort_index()
            answers = pd.concat([answers, kept[1]]).sort_index()
            messages.append(
                f"replace: {len(replaced_ids)} stored response(s) replaced (import(s) "
                f"{', '.join(replaced_from) or '?'}): {', '.join(replaced_ids[:10])}"
                + (f" and {len(replaced_ids) - 10} more" if len(replaced_ids) > 10 else "")
            )
        else:
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
                # The checks above read in their own connections: another import of the same file may have
                # committed since (two imports started together).  Under the write lock, look again.
                if not replace and (prior := _prior_import(con, data.sha256, wave)):
                    con.execute("ROLLBACK")
                    return _already_imported(prior, wave, src, data)
                if replaced_ids:
                    con.execute("DELETE FROM answers WHERE response_id IN (SELECT unnest(?))", [replaced_ids])
                    con.execute("DELETE FROM responses WHERE response_id IN (SELECT unnest(?))", [replaced_ids])
                if superseded_ids:
                    con.execute("DELETE FROM answers WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                    con.execute("DELETE FROM responses WHERE response_id IN (SELECT unnest(?))", [superseded_ids])
                _insert(con, "responses", resp_out)
                _insert(con, "answers", ans_out)
                _insert(con, "imports", _conform("imports", audit, src))
                _refresh_cube(con, [wave])
                con.execute("COMMIT")
            except duckdb.ConstraintException as exc:
                con.execute("ROLLBACK")
                raise WorkspaceError(
                    f"{src}: another import stored some of these responses at the same time ({exc}); "
                    "nothing of this file was loaded: run the import again",
                    path=self.path,
                ) from None
            except Exception:
                # A COMMIT that failed (a full disk) has rolled back already, and a second ROLLBACK would
                # raise "no transaction is active" over the error that says why.
                with contextlib.suppress(duckdb.TransactionException):
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
            rows_replaced=len(replaced_ids),
            rows_rejected=rejected + len(superseded_ids),
            answers_loaded=len(ans_out),
            messages=messages,
            refused=refusals.problems,
            matched=matched,
            tool=data.tool,
            cleaned_cells=data.cleaned_cells,
            cut_cells=data.cut_cells,
        )

    def _changed_in_wave(self, responses, answers, wave: str) -> tuple[list[str], list[str]]:
        """Incoming response ids stored in ``wave`` with other content, and the imports that stored them."""
        ids = responses["response_id"].dropna().tolist()
        stored = self.sql(
            "SELECT * FROM responses WHERE wave_id = ? AND response_id IN (SELECT unnest(?))", [wave, ids]
        )
        if not len(stored):
            return [], []
        stored_answers = self.sql(
            "SELECT * FROM answers WHERE response_id IN (SELECT unnest(?))", [stored["response_id"].tolist()]
        )
        mine, theirs = _fingerprints(responses, answers), _fingerprints(stored, stored_answers)
        changed = [rid for rid, fp in theirs.items() if fp != mine.get(rid)]
        imports = stored.loc[stored["response_id"].isin(changed), "import_id"].dropna().unique().tolist()
        return changed, sorted(str(i) for i in imports)

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


def _prior_import(con, sha256: str, wave: str) -> list:
    """Earlier complete imports of the same bytes into the wave: ``[(import_id, imported_at), ...]``.

    A file whose import refused something may come again once the cause is fixed
    (a contact added, a label corrected): its loaded rows are then skipped by content.
    """
    return con.execute(
        "SELECT import_id, imported_at FROM imports WHERE sha256 = ? AND wave_id = ? AND coalesce(rows_refused, 0) = 0",
        [sha256, wave],
    ).fetchall()


def _already_imported(prior: list, wave: str, source: str, data) -> ImportReport:
    """The report of a file whose bytes were imported into the wave before (``prior``: :func:`_prior_import`)."""
    return ImportReport(
        import_id=None,
        wave_id=wave,
        source=source,
        sha256=data.sha256,
        rows_read=data.rows_read,
        rows_loaded=0,
        already_imported=True,
        messages=[f"import {prior[0][0]} on {prior[0][1]:%Y-%m-%d %H:%M}"],
    )
