"""The wave config: one YAML file that says who is asked, how, by whom and through which server.

See ``templates/waves/example.yaml`` for a documented example.  The file is
validated as a whole; each problem names the file and the key path::

    wave.yaml: smtp.port: Input should be a valid integer
    wave.yaml: sender.name: 'Команда агентства' is not a person; ...

``cxlab wave plan`` copies the validated config to
``<workspace>/waves/<wave>.yaml`` (without a literal SMTP password); the later
steps (send, remind, status) read it from there.

Examples
--------
>>> cfg = parse_config({
...     "wave": "2026-Q4", "opened_at": "2026-12-01", "closed_at": "2026-12-20",
...     "form": {"tool": "yandex_forms", "url": "https://forms.yandex.ru/u/abc/?token={token}"},
...     "sender": {"name": "Анна Петрова", "position": "директор по работе с клиентами",
...                "email": "anna@agency.ru", "company": "Агентство «Пример»"}})
>>> cfg.eligibility.min_tenure_months, cfg.reminders.after_days, cfg.reminders.max
(3, 7, 2)
>>> parse_config({"form": {"url": "https://x.ru/?t={token}"}, "sender": {"name": "noreply"}},
...              source="wave.yaml")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
cxlab.errors.WaveConfigError: wave.yaml: 4 problems:
  sender.name: 'noreply' is not a person: ...
  sender.position: required key is missing
  sender.email: required key is missing
  sender.company: required key is missing
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from cxlab.fieldwork.common import EMAIL, ConfigError, waves_dir
from cxlab.fieldwork.links import FORM_TOOLS, LinkTemplate
from cxlab.schema import ROLES

__all__ = [
    "WaveConfig",
    "FormConfig",
    "Eligibility",
    "Sender",
    "SmtpConfig",
    "Reminders",
    "SmtpSettings",
    "load_config",
    "parse_config",
    "save_config",
    "stored_config",
    "config_for",
    "config_for_wave",
    "check_wave",
    "resolve_smtp",
    "DEFAULT_PASSWORD_ENV",
]

DEFAULT_PASSWORD_ENV = "CXLAB_SMTP_PASSWORD"
# Words that name a group or a robot, not a person.  Respondents answer people:
# an invitation signed by "the team" or sent from noreply@ gets fewer answers
# and leaves nobody to reply to.
_GENERIC_NAME = re.compile(
    r"\b(team|команда|команды|коллектив|noreply|no-reply|no_reply|donotreply|do-not-reply|"
    r"отдел|department|dept|служба|service desk|support|поддержка|администрация|admin|"
    r"robot|робот|bot|mailer|newsletter|рассылка)\b",
    re.IGNORECASE,
)
_GENERIC_MAILBOX = {
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer-daemon",
    "team",
    "info",
    "support",
    "office",
    "mail",
    "admin",
    "hello",
    "newsletter",
    "robot",
    "bot",
}


class _Model(BaseModel):
    # Unknown keys are errors: a typo ("eligibilty") would otherwise be ignored silently.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class FormConfig(_Model):
    """Where respondents answer: the form tool and the URL template with ``{token}``."""

    # Literal[tuple] means "one of its values" to pydantic at run time; mypy wants them spelled out.
    tool: Literal[FORM_TOOLS] = "other"  # type: ignore[valid-type]
    url: str
    #: How long the survey takes, said in the invitation ("about 5 minutes").
    minutes: int | None = Field(None, ge=1, le=120)

    @field_validator("url")
    @classmethod
    def _url(cls, url, info):
        LinkTemplate(url, info.data.get("tool", "other"))
        return url

    @property
    def template(self) -> LinkTemplate:
        return LinkTemplate(self.url, self.tool)


class Eligibility(_Model):
    """Who is asked.

    Tenure is counted in whole months from ``clients.start_date`` to the
    wave's ``opened_at``; a client without a start date has an unknown tenure
    and is left out unless ``min_tenure_months`` is 0.
    """

    statuses: list[Literal["active", "churned", "paused"]] = ["active"]
    min_tenure_months: int = Field(3, ge=0)
    roles: list[Literal[ROLES]] | None = None  # type: ignore[valid-type]  # None: every role (Literal: see FormConfig.tool)
    exclude_clients: list[str] = []
    exclude_contacts: list[str] = []
    max_contacts_per_client: int | None = Field(None, ge=1)


class Sender(_Model):
    """The person who signs the invitation and whom respondents can answer."""

    name: str
    position: str
    email: str
    company: str
    phone: str | None = None

    @field_validator("name")
    @classmethod
    def _person(cls, name):
        if not name:
            raise ConfigError("the sender's name is empty: invitations are signed by a person", field="sender.name")
        if _GENERIC_NAME.search(name):
            raise ConfigError(
                f"'{name}' is not a person: invitations are signed by a real person "
                "(name and position), never by a team, a department or a robot",
                field="sender.name",
            )
        return name

    @field_validator("position", "company")
    @classmethod
    def _not_empty(cls, value):
        if not value:
            raise ConfigError("must not be empty")
        return value

    @field_validator("email")
    @classmethod
    def _mailbox(cls, email):
        if not EMAIL.match(email):
            raise ConfigError(f"'{email}' is not an e-mail address", field="sender.email")
        local = email.split("@", 1)[0].lower()
        if local in _GENERIC_MAILBOX:
            raise ConfigError(
                f"'{email}' is a shared or no-reply mailbox: use the sender's own address, "
                "so that a respondent's reply reaches a person",
                field="sender.email",
            )
        return email


class SmtpConfig(_Model):
    """The outgoing mail server.  Never put the password here: name an environment variable.

    ``CXLAB_SMTP_HOST``, ``CXLAB_SMTP_PORT`` and ``CXLAB_SMTP_USER`` in the
    environment override ``host``, ``port`` and ``username``.
    """

    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    password_env: str = DEFAULT_PASSWORD_ENV
    timeout: float = Field(30.0, gt=0, le=600)
    #: A CA bundle to trust besides the system's (a company's own mail server certificate).
    cafile: str | None = None


class Reminders(_Model):
    """When to remind: ``after_days`` calendar days after the last message, at most ``max`` times."""

    after_days: int = Field(7, ge=1)
    max: int = Field(2, ge=0)


class WaveConfig(_Model):
    """A validated wave config (see the module docstring)."""

    wave: str | None = Field(None, pattern=r"^[^\W_][\w .-]*$")
    questionnaire: str = "pr_agency"
    opened_at: date | None = None
    closed_at: date | None = None
    #: Language of the e-mail for contacts without one.
    language: Literal["ru", "en"] = "ru"
    form: FormConfig
    eligibility: Eligibility = Eligibility()
    sender: Sender
    smtp: SmtpConfig | None = None
    reminders: Reminders = Reminders()
    #: A folder of the agency's own e-mail templates (same file names as the bundled ones).
    email_templates: str | None = None

    @field_validator("closed_at")
    @classmethod
    def _after_opening(cls, closed, info):
        opened = info.data.get("opened_at")
        if closed is not None and opened is not None and closed < opened:
            raise ConfigError(f"{closed} is before opened_at {opened}", field="closed_at")
        return closed

    def stored_dict(self) -> dict:
        """The config as plain YAML-able data, without a literal password."""
        data = self.model_dump(mode="json", exclude_none=True)
        if data.get("smtp"):
            data["smtp"].pop("password", None)
        return data


def _path(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(err: Mapping[str, Any]) -> str:
    kind, msg = err["type"], err["msg"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def parse_config(data: Mapping, *, source: str = "wave config", base_dir=None) -> WaveConfig:
    """Validate config data (as read from YAML).

    Parameters
    ----------
    data : mapping
        The YAML content.
    source : str
        Name used in messages (the file name).
    base_dir : path, optional
        Folder that a relative ``email_templates`` is relative to.

    Raises
    ------
    ConfigError
        Every problem, each as ``<source>: <key path>: <message>``.
    """
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{source}: the config must be a mapping of keys (wave, form, sender, ...), not {type(data).__name__}",
            file=source,
        )
    data = dict(data)
    if "deadline" in data:  # 'deadline' is a friendlier name for closed_at
        if data.get("closed_at") is not None:
            raise ConfigError(
                f"{source}: deadline: give closed_at or deadline, not both", file=source, field="deadline"
            )
        data["closed_at"] = data.pop("deadline")
    try:
        cfg = WaveConfig.model_validate(data)
    except ValidationError as exc:
        lines = [f"{_path(e['loc'])}: {_message(e)}" for e in exc.errors()]
        if len(lines) == 1:
            field = _path(exc.errors()[0]["loc"])
            raise ConfigError(f"{source}: {lines[0]}", file=source, field=field) from None
        raise ConfigError(f"{source}: {len(lines)} problems:\n  " + "\n  ".join(lines), file=source) from None
    if cfg.email_templates and base_dir is not None and not Path(cfg.email_templates).is_absolute():
        cfg.email_templates = str((Path(base_dir) / cfg.email_templates).resolve())
    if cfg.email_templates and not Path(cfg.email_templates).is_dir():
        raise ConfigError(
            f"{source}: email_templates: no such folder {cfg.email_templates}", file=source, field="email_templates"
        )
    return cfg


def load_config(path) -> WaveConfig:
    """Read and validate a wave config file.

    Raises
    ------
    ConfigError
        Missing file, invalid YAML, or a config that breaks the rules.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no wave config at {path}", file=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path.name}: not valid YAML: {exc}", file=path) from None
    return parse_config(data if data is not None else {}, source=path.name, base_dir=path.parent)


def config_for(config) -> WaveConfig:
    """Accept a :class:`WaveConfig`, a mapping or a path to a YAML file."""
    if isinstance(config, WaveConfig):
        return config
    if isinstance(config, Mapping):
        return parse_config(config)
    return load_config(config)


def check_wave(config: WaveConfig, wave: str) -> WaveConfig:
    """``config`` when its ``wave`` (if given) is ``wave``; a :class:`ConfigError` otherwise.

    A config names its wave so that one wave's form link (and dates) cannot be
    used for another by mistake.
    """
    if config.wave and config.wave != wave:
        raise ConfigError(f"wave: the config is for wave '{config.wave}', not '{wave}'", field="wave")
    return config


def config_for_wave(config, wave: str) -> WaveConfig:
    """:func:`config_for`, checked to be ``wave``'s (see :func:`check_wave`)."""
    return check_wave(config_for(config), wave)


def save_config(ws, wave: str, config: WaveConfig) -> tuple[Path, list[str]]:
    """Store the validated config as ``<workspace>/waves/<wave>.yaml``.

    A literal ``smtp.password`` is never written; the returned messages say
    so, and which environment variable the later steps will read instead.
    """
    messages = []
    data = {"wave": wave, **{k: v for k, v in config.stored_dict().items() if k != "wave"}}
    if config.smtp is not None and config.smtp.password is not None:
        messages.append(
            f"smtp.password was not stored in waves/{wave}.yaml: set the environment variable "
            f"{config.smtp.password_env} before `cxlab wave send` (a password in a file gets "
            "copied, committed and mailed around)"
        )
    target = waves_dir(ws) / f"{wave}.yaml"
    target.parent.mkdir(parents=True, exist_ok=True)
    header = (
        f"# Wave {wave}: the validated config stored by `cxlab wave plan` on "
        f"{datetime.now():%Y-%m-%d %H:%M}.\n# Later steps (send, remind, status) read it from here; "
        "re-run plan with --config to change it.\n"
    )
    text = header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    old = target.read_text(encoding="utf-8") if target.exists() else None
    if old is not None and old.split("\n", 2)[-1] != text.split("\n", 2)[-1]:
        messages.append(f"waves/{wave}.yaml updated from the new config")
    target.write_text(text, encoding="utf-8")
    return target, messages


def stored_config(ws, wave: str) -> WaveConfig:
    """The config stored for ``wave`` by :func:`cxlab.fieldwork.plan`.

    Raises
    ------
    ConfigError
        When the wave has not been planned with a config yet.
    """
    path = waves_dir(ws) / f"{wave}.yaml"
    if not path.is_file():
        raise ConfigError(
            f"no config stored for wave '{wave}' ({path} is missing): run "
            f"`cxlab wave plan --wave {wave} --config wave.yaml` first, or pass --config",
            file=path,
        )
    return check_wave(load_config(path), wave)


@dataclass(frozen=True)
class SmtpSettings:
    """Everything needed to connect, after the environment overrides."""

    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    timeout: float
    cafile: str | None = None

    def __repr__(self) -> str:  # never print the password
        return (
            f"SmtpSettings(host={self.host!r}, port={self.port}, security={self.security!r}, "
            f"username={self.username!r}, password={'***' if self.password else None})"
        )


def resolve_smtp(config: WaveConfig, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP settings of a config with ``CXLAB_SMTP_HOST/PORT/USER`` and the password from the environment.

    Raises
    ------
    ConfigError
        No host, a port that is not a number, or a username without a password.

    Examples
    --------
    >>> cfg = parse_config({"form": {"url": "https://x.ru/?t={token}"},
    ...     "sender": {"name": "Анна Петрова", "position": "директор", "email": "anna@agency.ru",
    ...                "company": "Пример"}, "smtp": {"host": "smtp.agency.ru", "username": "anna"}})
    >>> resolve_smtp(cfg, {"CXLAB_SMTP_PASSWORD": "s3cret", "CXLAB_SMTP_PORT": "2525"})
    SmtpSettings(host='smtp.agency.ru', port=2525, security='starttls', username='anna', password=***)
    """
    env = os.environ if env is None else env
    smtp = config.smtp or SmtpConfig()
    host = env.get("CXLAB_SMTP_HOST") or smtp.host
    if not host:
        raise ConfigError(
            "smtp.host: no mail server: set smtp.host in the wave config or CXLAB_SMTP_HOST "
            "(or write the messages with --via eml)",
            field="smtp.host",
        )
    port = smtp.port or {"ssl": 465, "starttls": 587, "none": 25}[smtp.security]
    if env.get("CXLAB_SMTP_PORT"):
        try:
            port = int(env["CXLAB_SMTP_PORT"])
        except ValueError:
            raise ConfigError(
                f"CXLAB_SMTP_PORT: '{env['CXLAB_SMTP_PORT']}' is not a port number", field="CXLAB_SMTP_PORT"
            ) from None
    username = env.get("CXLAB_SMTP_USER") or smtp.username
    password = smtp.password.get_secret_value() if smtp.password is not None else env.get(smtp.password_env)
    if username and not password:
        raise ConfigError(
            f"smtp.username is '{username}' but there is no password: set the environment variable {smtp.password_env}",
            field="smtp.password_env",
        )
    return SmtpSettings(
        host=host,
        port=port,
        security=smtp.security,
        username=username,
        password=password or None,
        timeout=smtp.timeout,
        cafile=smtp.cafile,
    )
