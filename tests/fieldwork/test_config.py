"""The wave config: validation with key paths, generic senders refused, where it is stored, SMTP settings."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from cxlab.errors import CxlabError
from cxlab.fieldwork.common import ConfigError
from cxlab.fieldwork.config import load_config, parse_config, resolve_smtp, save_config, stored_config


def write(tmp_path, data, name="wave.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_valid_config_gets_the_documented_defaults(config):
    del config["reminders"]
    cfg = parse_config(config)
    assert cfg.opened_at == date(2026, 12, 1) and cfg.closed_at == date(2026, 12, 20)
    assert cfg.eligibility.statuses == ["active"] and cfg.eligibility.min_tenure_months == 3
    assert cfg.eligibility.roles is None and cfg.eligibility.max_contacts_per_client is None
    assert (cfg.reminders.after_days, cfg.reminders.max) == (7, 2)
    assert cfg.smtp.password_env == "CXLAB_SMTP_PASSWORD"


def test_the_bundled_example_is_valid():
    from pathlib import Path

    example = Path(__file__).resolve().parents[2] / "templates" / "waves" / "example.yaml"
    cfg = load_config(example)
    assert cfg.form.tool == "google_forms" and cfg.sender.name and cfg.smtp.password is None


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (("smtp", "port"), "five-eight-seven", "wave.yaml: smtp.port: "),
        (("smtp", "security"), "tls", "wave.yaml: smtp.security: Input should be 'starttls', 'ssl' or 'none'"),
        (("eligibility", "min_tenure_months"), -1, "wave.yaml: eligibility.min_tenure_months: "),
        (("eligibility", "roles"), ["decision_maker", "ceo"], "wave.yaml: eligibility.roles[1]: "),
        (("reminders", "after_days"), 0, "wave.yaml: reminders.after_days: "),
        (("form", "tool"), "typeform", "wave.yaml: form.tool: "),
        (("language",), "de", "wave.yaml: language: "),
    ],
)
def test_errors_name_the_file_and_the_key_path(tmp_path, config, path, value, expected):
    node = config
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, config))
    assert str(err.value).startswith(expected), str(err.value)
    assert isinstance(err.value, CxlabError)


def test_unknown_and_missing_keys_are_named(tmp_path, config):
    config["eligibilty"] = {"min_tenure_months": 6}  # a typo must not be ignored silently
    del config["form"]["url"]
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, config))
    text = str(err.value)
    assert "wave.yaml: 2 problems" in text
    assert "form.url: required key is missing" in text and "eligibilty: unknown key" in text


def test_link_errors_surface_under_form_url(config):
    config["form"]["url"] = "https://forms.yandex.ru/u/abc/?client={client_id}"
    with pytest.raises(ConfigError, match=r"form\.url: the link has no \{token\} placeholder"):
        parse_config(config, source="wave.yaml")
    config["form"]["url"] = "https://forms.yandex.ru/u/abc/?token={token}&who={email}"
    with pytest.raises(ConfigError, match=r"form\.url: unknown placeholder \{email\}"):
        parse_config(config, source="wave.yaml")


@pytest.mark.parametrize(
    "name", ["Команда агентства", "Client Service Team", "noreply", "Отдел по работе с клиентами", ""]
)
def test_generic_or_missing_sender_names_are_refused(config, name):
    config["sender"]["name"] = name
    with pytest.raises(ConfigError, match=r"sender\.name: .*(not a person|empty|at least 1 character)"):
        parse_config(config)


def test_a_missing_sender_name_is_refused(config):
    del config["sender"]["name"]
    with pytest.raises(ConfigError, match=r"sender\.name: required key is missing"):
        parse_config(config)


@pytest.mark.parametrize("email", ["noreply@agency.ru", "team@agency.ru", "no-reply@agency.ru", "not-an-address"])
def test_shared_or_bad_sender_mailboxes_are_refused(config, email):
    config["sender"]["email"] = email
    with pytest.raises(ConfigError, match=r"sender\.email: "):
        parse_config(config)


def test_deadline_is_another_name_for_closed_at(config):
    del config["closed_at"]
    config["deadline"] = "2026-12-25"
    assert parse_config(config).closed_at == date(2026, 12, 25)
    config["closed_at"] = "2026-12-20"
    with pytest.raises(ConfigError, match="deadline: give closed_at or deadline, not both"):
        parse_config(config)


def test_closing_before_opening_is_an_error(config):
    config["closed_at"] = "2026-11-01"
    with pytest.raises(ConfigError, match=r"closed_at: 2026-11-01 is before opened_at 2026-12-01"):
        parse_config(config)


def test_invalid_yaml_and_missing_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("form: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yaml: not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="no wave config at"):
        load_config(tmp_path / "nope.yaml")


def test_stored_copy_never_holds_a_literal_password(small_ws, config):
    config["smtp"]["password"] = "hunter2"
    cfg = parse_config(config)
    path, messages = save_config(small_ws, "2026-Q4", cfg)
    assert path == small_ws.path / "waves" / "2026-Q4.yaml"
    assert "hunter2" not in path.read_text(encoding="utf-8")
    assert any("smtp.password was not stored" in m and "CXLAB_SMTP_PASSWORD" in m for m in messages)
    again = stored_config(small_ws, "2026-Q4")
    assert again.smtp.password is None and again.sender == cfg.sender and again.form == cfg.form


def test_stored_config_missing_says_what_to_run(small_ws):
    with pytest.raises(ConfigError, match=r"run `cxlab wave plan --wave 2026-Q4 --config wave\.yaml` first"):
        stored_config(small_ws, "2026-Q4")


def test_smtp_environment_overrides_and_password(config):
    config["smtp"].update(username="anna", port=587, security="starttls")
    cfg = parse_config(config)
    with pytest.raises(ConfigError, match="no password: set the environment variable CXLAB_SMTP_PASSWORD"):
        resolve_smtp(cfg, {})
    s = resolve_smtp(
        cfg,
        {
            "CXLAB_SMTP_PASSWORD": "pw",
            "CXLAB_SMTP_HOST": "mail.x.ru",
            "CXLAB_SMTP_PORT": "2526",
            "CXLAB_SMTP_USER": "boris",
        },
    )
    assert (s.host, s.port, s.username, s.password, s.security) == ("mail.x.ru", 2526, "boris", "pw", "starttls")
    assert "pw" not in repr(s)
    with pytest.raises(ConfigError, match="CXLAB_SMTP_PORT: 'x' is not a port number"):
        resolve_smtp(cfg, {"CXLAB_SMTP_PASSWORD": "pw", "CXLAB_SMTP_PORT": "x"})
    config["smtp"]["password_env"] = "ACME_MAIL_PW"
    assert resolve_smtp(parse_config(config), {"ACME_MAIL_PW": "other"}).password == "other"


def test_smtp_default_ports_and_missing_host(config):
    del config["smtp"]["port"]
    for security, port in (("ssl", 465), ("starttls", 587), ("none", 25)):
        config["smtp"]["security"] = security
        assert resolve_smtp(parse_config(config), {}).port == port
    del config["smtp"]
    with pytest.raises(ConfigError, match=r"smtp\.host: no mail server"):
        resolve_smtp(parse_config(config), {})
