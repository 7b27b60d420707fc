"""`cxlab wave plan | send | remind | status | mark` through the argument parser."""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta

import pytest
import yaml

from cxlab.fieldwork.cli import add_wave_parser, main

pytestmark = pytest.mark.slow  # whole fieldwork runs (plan, send over SMTP, status) through the CLI

WAVE = "2026-Q4"


def has_wave_command() -> bool:
    from cxlab.cli import build_parser

    try:
        build_parser().parse_args(["wave", "status", "--workspace", "w", "--wave", "x"])
    except SystemExit:
        return False
    return True


def run(capsys, *argv):
    code = main(["wave", *map(str, argv)])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config_file(tmp_path, config):
    def write(cfg=None):
        path = tmp_path / "wave.yaml"
        path.write_text(yaml.safe_dump(cfg or config, allow_unicode=True), encoding="utf-8")
        return path

    return write


def test_parser_registers_the_wave_commands():
    p = argparse.ArgumentParser(prog="cxlab")
    sub = p.add_subparsers(dest="command", required=True)
    add_wave_parser(sub)
    args = p.parse_args(["wave", "mark", "--workspace", "w", "--wave", WAVE, "--status", "bounced", "a@x.ru", "K2"])
    assert (args.command, args.wave_command, args.status, args.contacts) == (
        "wave",
        "mark",
        "bounced",
        ["a@x.ru", "K2"],
    )
    args = p.parse_args(["wave", "send", "--workspace", "w", "--wave", WAVE, "--via", "eml", "--dry-run"])
    assert args.via == "eml" and args.dry_run
    with pytest.raises(SystemExit):
        p.parse_args(["wave", "send", "--workspace", "w", "--wave", WAVE, "--via", "fax"])


def test_plan_then_eml_send_then_status(small_ws, config_file, capsys):
    ws = small_ws.path
    code, out, _ = run(capsys, "plan", "--workspace", ws, "--wave", WAVE, "--config", config_file(), "--show")
    assert code == 0
    assert "wave 2026-Q4: 5 contact(s) in the plan (5 planned)" in out and "wave 2026-Q4 registered" in out
    assert f"config stored in {ws / 'waves' / '2026-Q4.yaml'}" in out
    tokens = small_ws.table("invitations", wave=WAVE, include_pii=True)["token"]
    assert not any(t in out for t in tokens)  # --show lists the plan without the links

    code, out, _ = run(capsys, "send", "--workspace", ws, "--wave", WAVE, "--dry-run", "--quiet")
    assert code == 0 and "dry run, 5 invitations would go out via smtp (nothing sent)" in out
    assert "c@example.com  [en]  Агентство «Пример»: how are we doing?" in out
    assert small_ws.table("invitations", wave=WAVE)["status"].eq("planned").all()

    code, out, _ = run(capsys, "send", "--workspace", ws, "--wave", WAVE, "--via", "eml", "--quiet")
    assert code == 0 and "5 invitations via eml: 5 invited" in out
    assert len(list((ws / "outbox" / WAVE).glob("*.eml"))) == 5

    code, out, _ = run(capsys, "status", "--workspace", ws, "--wave", WAVE, "--json")
    data = json.loads(out)
    assert code == 0 and {s["stage"]: s["n"] for s in data["funnel"]}["invited"] == 5
    assert data["response_rate"]["method"] == "Wilson score interval"
    code, out, _ = run(capsys, "status", "--workspace", ws, "--wave", WAVE, "--lang", "ru")
    assert code == 0 and "Волна 2026-Q4" in out and "Молчащие клиенты" in out


def test_send_over_smtp_and_remind(planned_ws, smtp_server, config_with, config_file, capsys, monkeypatch):
    server = smtp_server(refuse={"e@example.ru"})
    path = config_file(config_with(server.port))
    monkeypatch.delenv("CXLAB_SMTP_HOST", raising=False)
    monkeypatch.delenv("CXLAB_SMTP_PORT", raising=False)
    monkeypatch.delenv("CXLAB_SMTP_USER", raising=False)
    code, out, err = run(capsys, "send", "--workspace", planned_ws.path, "--wave", WAVE, "--config", path, "--quiet")
    assert code == 0, err
    assert "5 invitations via smtp: 4 delivered, 1 bounced" in out and "K5 bounced: 550" in out
    assert len(server.handler.messages) == 4

    code, out, _ = run(capsys, "remind", "--workspace", planned_ws.path, "--wave", WAVE, "--config", path, "--quiet")
    assert code == 0 and "0 reminders" in out and "4 not due yet" in out

    # Sent ten days ago: now the reminders are due (config: after 7 days).
    inv = planned_ws.table("invitations", wave=WAVE, include_pii=True)
    inv["sent_at"] = datetime.now() - timedelta(days=10)
    planned_ws.load("invitations", inv)
    code, out, _ = run(
        capsys, "remind", "--workspace", planned_ws.path, "--wave", WAVE, "--config", path, "--quiet", "--max", "1"
    )
    assert code == 0 and "4 reminders via smtp: 4 delivered" in out
    code, out, _ = run(
        capsys,
        "remind",
        "--workspace",
        planned_ws.path,
        "--wave",
        WAVE,
        "--config",
        path,
        "--quiet",
        "--after-days",
        "1",
    )
    assert code == 0 and "0 reminders" in out
    assert len(server.handler.messages) == 8


def test_mark_and_its_errors(planned_ws, capsys):
    code, out, _ = run(
        capsys,
        "mark",
        "--workspace",
        planned_ws.path,
        "--wave",
        WAVE,
        "--status",
        "refused",
        "--note",
        "client said no",
        "b@example.ru",
        "K4",
    )
    assert code == 0 and "2 invitation(s) marked refused: K2, K4" in out
    code, out, err = run(
        capsys, "mark", "--workspace", planned_ws.path, "--wave", WAVE, "--status", "bounced", "nobody@example.ru"
    )
    assert code == 2 and "cxlab wave mark: error: unknown contact id(s) or e-mail(s): nobody@example.ru" in err
    assert "Traceback" not in err


def test_config_errors_exit_2_naming_the_key(small_ws, config, config_file, capsys):
    config["smtp"]["port"] = "smtp"
    code, _, err = run(capsys, "plan", "--workspace", small_ws.path, "--wave", WAVE, "--config", config_file(config))
    assert code == 2 and "wave.yaml: smtp.port: Input should be a valid integer" in err
    code, _, err = run(capsys, "send", "--workspace", small_ws.path, "--wave", WAVE)
    assert code == 2 and "no config stored for wave '2026-Q4'" in err


def test_replan_without_config_uses_the_stored_one(planned_ws, capsys):
    code, out, _ = run(capsys, "plan", "--workspace", planned_ws.path, "--wave", WAVE)
    assert code == 0 and "0 added now, 5 kept as they were" in out


@pytest.mark.skipif(not has_wave_command(), reason="`wave` is not hooked into cxlab.cli yet")
def test_the_main_cli_runs_wave(planned_ws, capsys):
    from cxlab.cli import main as cxlab_main

    assert cxlab_main(["wave", "status", "--workspace", str(planned_ws.path), "--wave", WAVE]) == 0
    assert "Wave 2026-Q4 fieldwork" in capsys.readouterr().out
