"""Sending for real: an SMTP server on 127.0.0.1 (aiosmtpd), .eml files, reminders, bounces, marks."""

from __future__ import annotations

import csv
import shutil
import ssl
import subprocess
from datetime import datetime
from email import policy
from email.parser import BytesParser

import pandas as pd
import pytest

from cxlab.fieldwork.common import ConfigError, FieldworkError, without_address
from cxlab.fieldwork.mail import MERGE_COLUMNS, SmtpTransport
from cxlab.fieldwork.outreach import mark, remind, send
from cxlab.fieldwork.planning import INVALID_EMAIL_NOTE, plan

WAVE = "2026-Q4"
# The plain-text AUTH server is what the login test means to run (on 127.0.0.1 only).
pytestmark = [
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
    pytest.mark.slow,  # an SMTP server and a planned workspace per test
]
SENT = datetime(2026, 12, 1, 10, 0)
EMAILS = {"K1": "a@example.ru", "K2": "b@example.ru", "K3": "c@example.com", "K4": "d@example.ru", "K5": "e@example.ru"}


def invitations(ws):
    return ws.table("invitations", wave=WAVE, include_pii=True).set_index("contact_id")


def plain(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def html(msg) -> str:
    return msg.get_body(("html",)).get_content()


def respond(ws, *contacts):
    ws.import_wave(
        pd.DataFrame(
            {"response_id": [f"R-{k}" for k in contacts], "contact_id": list(contacts), "nps": [9] * len(contacts)}
        ),
        WAVE,
    )


def test_send_over_smtp_records_delivery_and_bounce(planned_ws, smtp_server, config_with):
    server = smtp_server(refuse={"e@example.ru"})
    cfg = config_with(server.port)
    result = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})

    got = server.handler.messages
    assert sorted(r for m in got for r in m.rcpt_tos) == sorted(EMAILS[k] for k in ["K1", "K2", "K3", "K4"])
    assert all(m.mail_from == "anna.petrova@agency.ru" for m in got)
    assert result.counts == {"delivered": 4, "bounced": 1} and result.sent == 4

    inv = invitations(planned_ws)
    assert inv.loc[["K1", "K2", "K3", "K4"], "status"].eq("delivered").all()
    assert inv.at["K5", "status"] == "bounced"
    # The server's words are kept, the recipient's address is not.
    assert inv.at["K5", "note"].startswith("550 5.1.1 <recipient>: Recipient address rejected")
    assert "e@example.ru" not in inv.at["K5", "note"]
    assert result.messages.set_index("contact_id").at["K5", "note"].startswith("550 5.1.1 <recipient>:")
    assert (inv["sent_at"] == pd.Timestamp(SENT)).all() and inv["sent_via"].eq("smtp").all()

    # Each message is in its contact's language, carries that contact's own token, and is signed by a person.
    for kid in ["K1", "K2", "K3", "K4"]:
        (m,) = server.handler.to(EMAILS[kid])
        token = inv.at[kid, "token"]
        body = plain(m.msg)
        assert f"https://forms.yandex.ru/u/abc123/?token={token}&client=" in body
        assert f"token={token}&amp;client=" in html(m.msg)
        others = [inv.at[k, "token"] for k in EMAILS if k != kid]
        assert not any(t in m.raw.decode("ascii", "replace") for t in others)
        assert "Анна Петрова" in body and "директор по работе с клиентами, Агентство «Пример»" in body
        assert "команд" not in body.lower() and "team" not in body.lower()
        assert m.msg["From"].addresses[0].display_name == "Анна Петрова"
        assert m.msg["Reply-To"].addresses[0].addr_spec == "anna.petrova@agency.ru"
    en = server.handler.to(EMAILS["K3"])[0].msg
    assert en["Subject"] == "Агентство «Пример»: how are we doing? (5-minute survey)"
    assert plain(en).startswith("Dear Carl,") and "Kind regards," in plain(en) and "20 December 2026" in plain(en)
    ru = server.handler.to(EMAILS["K1"])[0].msg
    assert ru["Subject"] == "Агентство «Пример»: оцените, пожалуйста, нашу работу (5 мин.)"
    assert plain(ru).startswith("Здравствуйте, Анна!") and "С уважением," in plain(ru)
    assert "до 20 декабря 2026 года" in plain(ru)
    # Cyrillic client names reach the form URL-encoded.
    assert "client=%D0%9E%D0%9E%D0%9E%20%C2%AB%D0%90%D0%BB%D1%8C%D1%84%D0%B0%C2%BB" in plain(ru)


def test_a_rerun_sends_nothing(planned_ws, smtp_server, config_with):
    server = smtp_server()
    cfg = config_with(server.port)
    send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    before = invitations(planned_ws)
    again = send(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 2), progress=False, env={})
    assert len(server.handler.messages) == 5 and again.messages.empty and again.sent == 0
    assert "5 invitation(s) not planned any more" in str(again)
    pd.testing.assert_frame_equal(invitations(planned_ws), before)


def test_an_interrupted_run_resumes_without_sending_twice(planned_ws, smtp_server, monkeypatch, config_with):
    server = smtp_server()
    cfg = config_with(server.port)
    real_send, calls = SmtpTransport.send, []

    def failing(self, msg, recipient, tag=None):
        calls.append(recipient.contact_id)
        if len(calls) == 3:
            raise FieldworkError("sending stopped, the SMTP connection failed")
        return real_send(self, msg, recipient, tag)

    monkeypatch.setattr(SmtpTransport, "send", failing)
    with pytest.raises(FieldworkError, match="connection failed"):
        send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    monkeypatch.setattr(SmtpTransport, "send", real_send)
    assert invitations(planned_ws)["status"].value_counts().to_dict() == {"delivered": 2, "planned": 3}
    result = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    assert len(result.messages) == 3
    rcpts = [r for m in server.handler.messages for r in m.rcpt_tos]
    assert sorted(rcpts) == sorted(EMAILS.values())  # everyone once, nobody twice


def test_temporary_refusals_are_deferred_not_bounced(planned_ws, smtp_server, config_with):
    server = smtp_server(defer={"b@example.ru"})
    cfg = config_with(server.port)
    result = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    assert result.counts == {"delivered": 4, "deferred": 1}
    inv = invitations(planned_ws)
    assert inv.at["K2", "status"] == "planned" and inv.at["K2", "note"].startswith("deferred 2026-12-01 10:00: 451")
    server.handler.defer.clear()
    retry = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    assert retry.counts == {"delivered": 1} and invitations(planned_ws).at["K2", "status"] == "delivered"


def test_reminders_go_to_non_respondents_after_n_days_and_stop_after_k(planned_ws, smtp_server, config_with):
    server = smtp_server(refuse={"e@example.ru"})
    cfg = config_with(server.port)
    send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    respond(planned_ws, "K1")
    n_inv = len(server.handler.messages)

    early = remind(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 7, 23, 59), progress=False, env={})
    assert early.messages.empty and "3 not due yet" in early.notes[0] and "1 responded already" in early.notes[0]

    first = remind(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 8, 9, 0), progress=False, env={})
    reminded = sorted(r for m in server.handler.messages[n_inv:] for r in m.rcpt_tos)
    assert reminded == ["b@example.ru", "c@example.com", "d@example.ru"]  # not K1 (responded), not K5 (bounced)
    assert first.counts == {"delivered": 3}
    inv = invitations(planned_ws)
    assert inv.loc[["K2", "K3", "K4"], "reminders"].tolist() == [1, 1, 1]
    assert (inv.loc[["K2", "K3", "K4"], "reminded_at"] == pd.Timestamp("2026-12-08 09:00")).all()
    assert inv.at["K1", "reminders"] == 0 and pd.isna(inv.at["K1", "reminded_at"])
    assert inv.loc[["K2", "K3", "K4"], "status"].eq("delivered").all()

    # The reminder is another text, in the contact's language, with the same personal link.
    en = list(server.handler.to("c@example.com"))[-1].msg
    assert en["Subject"].startswith("Reminder:") and "Your personal survey link:" in plain(en)
    assert f"token={inv.at['K3', 'token']}&" in plain(en)
    ru = list(server.handler.to("b@example.ru"))[-1].msg
    assert "напоминание" in ru["Subject"] and "Напоминаю о нашей просьбе" in plain(ru)

    same_day = remind(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 8, 18, 0), progress=False, env={})
    assert same_day.messages.empty

    respond(planned_ws, "K4")
    second = remind(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 15), progress=False, env={})
    assert sorted(second.messages["contact_id"]) == ["K2", "K3"]
    third = remind(planned_ws, WAVE, config=cfg, now=datetime(2026, 12, 30), progress=False, env={})
    assert third.messages.empty and "2 had 2 reminder(s)" in third.notes[0]
    assert "wave closed on 2026-12-20" in " ".join(third.notes)
    assert invitations(planned_ws).loc[["K2", "K3"], "reminders"].tolist() == [2, 2]
    # One more allowed by hand.
    extra = remind(planned_ws, WAVE, config=cfg, max_reminders=3, now=datetime(2026, 12, 30), progress=False, env={})
    assert sorted(extra.messages["contact_id"]) == ["K2", "K3"]


def test_login_on_an_authenticating_server(planned_ws, smtp_server, config_with):
    server = smtp_server(auth=("anna", "s3cret"))
    cfg = config_with(server.port, username="anna")
    with pytest.raises(FieldworkError, match="refused the login of 'anna': 535"):
        send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={"CXLAB_SMTP_PASSWORD": "wrong"})
    assert invitations(planned_ws)["status"].eq("planned").all() and not server.handler.messages
    result = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={"CXLAB_SMTP_PASSWORD": "s3cret"})
    assert result.counts == {"delivered": 5}
    assert all(m.authenticated for m in server.handler.messages)


def test_environment_overrides_the_port(planned_ws, smtp_server, config_with):
    server = smtp_server()
    cfg = config_with(1)  # wrong on purpose
    result = send(
        planned_ws,
        WAVE,
        config=cfg,
        now=SENT,
        progress=False,
        env={"CXLAB_SMTP_PORT": str(server.port), "CXLAB_SMTP_HOST": "127.0.0.1"},
    )
    assert result.counts == {"delivered": 5}


def test_no_server_is_a_clear_error_and_records_nothing(planned_ws, config_with, unused_port):
    cfg = config_with(unused_port)
    with pytest.raises(FieldworkError, match=r"cannot connect to the SMTP server 127\.0\.0\.1:\d+ \(none\)"):
        send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={})
    assert invitations(planned_ws)["status"].eq("planned").all()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl to make a test certificate")
def test_starttls_with_a_private_ca(planned_ws, smtp_server, tmp_path, config_with):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    server = smtp_server(tls_context=context, require_starttls=True, auth=("anna", "s3cret"))
    cfg = config_with(server.port, security="starttls", username="anna")
    # Without trusting the private CA, the certificate is refused.
    with pytest.raises(FieldworkError, match="cannot connect"):
        send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={"CXLAB_SMTP_PASSWORD": "s3cret"})
    cfg["smtp"]["cafile"] = str(cert)
    result = send(planned_ws, WAVE, config=cfg, now=SENT, progress=False, env={"CXLAB_SMTP_PASSWORD": "s3cret"})
    assert result.counts == {"delivered": 5} and all(m.authenticated for m in server.handler.messages)


def test_eml_files_and_mail_merge_csv(planned_ws):
    result = send(planned_ws, WAVE, via="eml", now=SENT, progress=False)
    outbox = planned_ws.path / "outbox" / WAVE
    files = sorted(outbox.glob("*.eml"))
    assert [f.name for f in files] == [f"invitation-K{i}.eml" for i in range(1, 6)]
    inv = invitations(planned_ws)
    for f in files:
        msg = BytesParser(policy=policy.default).parsebytes(f.read_bytes())
        kid = f.stem.split("-")[1]
        assert msg["To"].addresses[0].addr_spec == EMAILS[kid] and msg["X-Unsent"] == "1"
        assert f"token={inv.at[kid, 'token']}&" in plain(msg) and "Анна Петрова" in plain(msg)
    (merge,) = outbox.glob("invitation-*.csv")
    assert merge.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    with open(merge, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == MERGE_COLUMNS and len(rows) == 5
    by_email = {r["email"]: r for r in rows}
    assert by_email["a@example.ru"]["client"] == "ООО «Альфа»" and by_email["c@example.com"]["language"] == "en"
    assert by_email["c@example.com"]["link"].endswith(f"token={inv.at['K3', 'token']}&client=Beta%20LLC")
    assert inv["status"].eq("invited").all() and inv["sent_via"].eq("eml").all()
    assert result.counts == {"invited": 5} and "files in" in str(result)
    assert send(planned_ws, WAVE, via="eml", now=SENT, progress=False).messages.empty
    # Reminders as drafts too, numbered so that the second does not overwrite the first.
    remind(planned_ws, WAVE, via="eml", now=datetime(2026, 12, 8, 9, 0), progress=False)
    remind(planned_ws, WAVE, via="eml", now=datetime(2026, 12, 15, 9, 0), progress=False)
    assert len(list(outbox.glob("reminder1-K*.eml"))) == 5 and len(list(outbox.glob("reminder2-K*.eml"))) == 5
    assert sorted(p.name for p in outbox.glob("reminder-*.csv")) == [
        "reminder-20261208-090000.csv",
        "reminder-20261215-090000.csv",
    ]
    second = BytesParser(policy=policy.default).parsebytes((outbox / "reminder2-K3.eml").read_bytes())
    assert second["Subject"].startswith("Reminder:") and second["X-Unsent"] == "1"
    assert invitations(planned_ws)["reminders"].eq(2).all()


def test_eml_is_never_written_under_reports(planned_ws, tmp_path):
    with pytest.raises(FieldworkError, match="never written under reports/"):
        send(planned_ws, WAVE, via="eml", out_dir=tmp_path / "reports" / "acme", progress=False)
    assert invitations(planned_ws)["status"].eq("planned").all()


def test_dry_run_sends_and_records_nothing(planned_ws):
    result = send(planned_ws, WAVE, via="smtp", dry_run=True, progress=False, env={})
    assert result.dry_run and len(result.messages) == 5 and set(result.messages["status"]) == {"would send"}
    text = str(result)
    assert "dry run" in text and "c@example.com" in text and "how are we doing?" in text
    assert "would connect to 127.0.0.1:2525 (none) without login" in text
    assert invitations(planned_ws)["status"].eq("planned").all()
    assert not (planned_ws.path / "outbox").exists()


def test_send_without_a_plan_says_what_to_do(small_ws, config):
    with pytest.raises(FieldworkError, match="no config stored for wave '2026-Q4'"):
        send(small_ws, WAVE, progress=False)
    with pytest.raises(FieldworkError, match="has no invitation plan: run `cxlab wave plan"):
        send(small_ws, WAVE, config=config, progress=False)


def test_mark_by_id_or_email_and_unknowns_named(planned_ws):
    changed = mark(planned_ws, WAVE, ["K2", "C@EXAMPLE.COM"], "bounced", note="550 mailbox unavailable")
    assert changed["contact_id"].tolist() == ["K2", "K3"]
    inv = invitations(planned_ws)
    assert inv.loc[["K2", "K3"], "status"].eq("bounced").all()
    assert inv.at["K2", "note"] == "550 mailbox unavailable"
    mark(planned_ws, WAVE, "d@example.ru", "refused", note="client said no")
    assert invitations(planned_ws).at["K4", "status"] == "refused"
    with pytest.raises(
        FieldworkError,
        match=r"unknown contact id\(s\) or e-mail\(s\): K99, nobody@x.ru; "
        "nothing was marked",
    ):
        mark(planned_ws, WAVE, ["K1", "K99", "nobody@x.ru"], "refused")
    assert invitations(planned_ws).at["K1", "status"] == "planned"
    with pytest.raises(FieldworkError, match="status must be one of"):
        mark(planned_ws, WAVE, ["K1"], "responded")
    # Marked ones are never sent.
    result = send(planned_ws, WAVE, via="eml", progress=False)
    assert sorted(result.messages["contact_id"]) == ["K1", "K5"]


def test_the_agency_may_word_its_own_emails(planned_ws, config, tmp_path):
    own = tmp_path / "emails"
    own.mkdir()
    (own / "invitation_en_subject.txt").write_text(
        "{{ sender.name }} asks: two minutes for {{ client_name }}?\n", encoding="utf-8"
    )
    config["email_templates"] = str(own)
    result = send(planned_ws, WAVE, via="eml", config=config, dry_run=True, progress=False)
    subjects = result.messages.set_index("contact_id")["subject"]
    assert subjects["K3"] == "Анна Петрова asks: two minutes for Beta LLC?"
    assert subjects["K1"].startswith("Агентство «Пример»: оцените")  # the bundled one where none is given


def test_a_broken_template_stops_before_anything_is_sent(planned_ws, config, tmp_path):
    own = tmp_path / "emails"
    own.mkdir()
    (own / "invitation_ru.txt").write_text("Здравствуйте, {{ contact_nmae }}!\n{{ link }}\n", encoding="utf-8")
    config["email_templates"] = str(own)
    with pytest.raises(FieldworkError, match=r"the invitation e-mail in 'ru' does not render.*contact_nmae"):
        send(planned_ws, WAVE, via="eml", config=config, progress=False)
    assert invitations(planned_ws)["status"].eq("planned").all()
    assert not (planned_ws.path / "outbox").exists()


def test_an_address_broken_after_planning_is_unreachable_and_the_rest_go_on(planned_ws):
    contacts = planned_ws.contacts(include_pii=True)
    contacts.loc[contacts["contact_id"] == "K2", "email"] = None
    planned_ws.load("contacts", contacts)
    result = send(planned_ws, WAVE, via="eml", now=SENT, progress=False)
    assert result.counts == {"unreachable": 1, "invited": 4}
    inv = invitations(planned_ws)
    assert inv.at["K2", "status"] == "unreachable" and inv.at["K2", "note"] == "no e-mail address"


@pytest.mark.parametrize("step", [send, remind])
@pytest.mark.parametrize("via", ["smtp", "eml"])
def test_a_config_of_another_wave_is_refused_before_anything_goes_out(planned_ws, smtp_server, config_with, step, via):
    server = smtp_server()
    other = config_with(server.port)
    other["wave"] = "2027-Q1"
    other["form"]["url"] = "https://forms.yandex.ru/u/OTHER/?token={token}"
    mark(planned_ws, WAVE, ["K1"], "invited", now=SENT)  # something to remind, too
    before = invitations(planned_ws)
    with pytest.raises(ConfigError, match="wave: the config is for wave '2027-Q1', not '2026-Q4'"):
        step(planned_ws, WAVE, via=via, config=other, now=datetime(2026, 12, 20), progress=False, env={})
    with pytest.raises(ConfigError, match="for wave '2027-Q1'"):  # a dry run too
        step(planned_ws, WAVE, via=via, config=other, dry_run=True, progress=False, env={})
    assert server.handler.messages == [] and not (planned_ws.path / "outbox").exists()
    pd.testing.assert_frame_equal(invitations(planned_ws), before)
    # The wave's own config, or one that names no wave, is used as before.
    del other["wave"]
    result = step(planned_ws, WAVE, via="eml", config=other, now=datetime(2026, 12, 20), progress=False)
    assert result.sent >= 1 and result.messages["link"].str.contains("/OTHER/").all()


def test_the_cli_refuses_a_config_of_another_wave(planned_ws, config, tmp_path, capsys):
    import yaml

    from cxlab.fieldwork.cli import main

    config["wave"] = "2027-Q1"
    path = tmp_path / "other.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code = main(
        [
            "wave",
            "send",
            "--workspace",
            str(planned_ws.path),
            "--wave",
            WAVE,
            "--config",
            str(path),
            "--via",
            "eml",
            "--quiet",
        ]
    )
    assert code != 0 and "for wave '2027-Q1', not '2026-Q4'" in capsys.readouterr().err
    assert invitations(planned_ws)["status"].eq("planned").all()


def test_a_pasted_bounce_report_is_stored_without_the_address(planned_ws):
    report = "Delivery to B@Example.ru failed: 550 5.1.1 <b@example.ru>: mailbox unavailable"
    changed = mark(planned_ws, WAVE, ["b@example.ru"], "bounced", note=report)
    expected = "Delivery to <recipient> failed: 550 5.1.1 <recipient>: mailbox unavailable"
    assert changed.at[0, "note"] == expected and invitations(planned_ws).at["K2", "note"] == expected


def test_an_invalid_address_is_not_repeated_in_the_note(planned_ws):
    contacts = planned_ws.contacts(include_pii=True)
    contacts.loc[contacts["contact_id"] == "K2", "email"] = "b,c@example.ru"
    planned_ws.load("contacts", contacts)
    result = send(planned_ws, WAVE, via="eml", now=SENT, progress=False)
    assert result.counts == {"unreachable": 1, "invited": 4}
    inv = invitations(planned_ws)
    assert inv.at["K2", "status"] == "unreachable" and inv.at["K2", "note"] == INVALID_EMAIL_NOTE
    assert "b,c@example.ru" not in inv.at["K2", "note"]


def test_without_address():
    assert without_address(None, "a@x.ru") is None
    assert without_address("450 a@x.ru busy; <A@X.RU>", "a@x.ru") == "450 <recipient> busy; <recipient>"
    assert without_address("550 user unknown", "a@x.ru", None) == "550 user unknown"


def test_mail_merge_csv_never_holds_a_formula(small_ws, config):
    """The merge file is opened in a spreadsheet first: a client named like a formula is written as text."""
    with small_ws.connect(read_only=False) as con:
        con.execute("UPDATE clients SET name = '=HYPERLINK(\"http://evil\",\"x\")' WHERE name = 'Гамма'")
    plan(small_ws, WAVE, config)
    send(small_ws, WAVE, via="eml", now=SENT, progress=False)
    (merge,) = (small_ws.path / "outbox" / WAVE).glob("invitation-*.csv")
    with open(merge, encoding="utf-8-sig", newline="") as fh:
        clients = {r["client"] for r in csv.DictReader(fh)}
    assert '\'=HYPERLINK("http://evil","x")' in clients
    assert not any(c.startswith(("=", "+", "-", "@")) for c in clients)
