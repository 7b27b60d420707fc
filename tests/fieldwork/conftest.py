"""Fixtures of the fieldwork tests: a wave config, and a real SMTP server on 127.0.0.1 (aiosmtpd)."""

from __future__ import annotations

import copy
import socket
import warnings
from email import policy
from email.parser import BytesParser
from types import SimpleNamespace

import pytest

from cxlab.fieldwork.planning import plan

WAVE = "2026-Q4"
BASE_CONFIG = {
    "wave": WAVE,
    "questionnaire": "pr_agency",
    "opened_at": "2026-12-01",
    "closed_at": "2026-12-20",
    "language": "ru",
    "form": {
        "tool": "yandex_forms",
        "url": "https://forms.yandex.ru/u/abc123/?token={token}&client={client_name}",
        "minutes": 5,
    },
    "sender": {
        "name": "Анна Петрова",
        "position": "директор по работе с клиентами",
        "email": "anna.petrova@agency.ru",
        "phone": "+7 495 000-00-00",
        "company": "Агентство «Пример»",
    },
    "smtp": {"host": "127.0.0.1", "port": 2525, "security": "none", "timeout": 10},
    "reminders": {"after_days": 7, "max": 2},
}


@pytest.fixture
def config():
    """A fresh copy of a valid wave config (a dict, as read from YAML)."""
    return copy.deepcopy(BASE_CONFIG)


@pytest.fixture
def config_with():
    """``config_with(port, **smtp)``: the config pointing at a test server."""

    def make(port: int, **smtp) -> dict:
        cfg = copy.deepcopy(BASE_CONFIG)
        cfg["smtp"] = {**cfg["smtp"], "port": port, **smtp}
        return cfg

    return make


@pytest.fixture
def planned_ws(small_ws, config):
    """small_ws with wave 2026-Q4 planned (5 contacts: K3 in English, the others in Russian)."""
    plan(small_ws, WAVE, config)
    return small_ws


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def unused_port():
    """A port on 127.0.0.1 where nothing listens."""
    return free_port()


class Recorder:
    """An aiosmtpd handler that keeps every accepted message and refuses some recipients at RCPT."""

    def __init__(self, refuse=(), defer=()):
        self.refuse, self.defer = set(refuse), set(defer)
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        if address in self.defer:
            return "451 4.7.1 Greylisted, please try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        self.messages.append(
            SimpleNamespace(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                raw=raw,
                msg=BytesParser(policy=policy.default).parsebytes(raw),
                login=getattr(session, "login_data", None),
                authenticated=session.authenticated,
            )
        )
        return "250 2.0.0 Message accepted for delivery"

    def to(self, address):
        return [m for m in self.messages if address in m.rcpt_tos]


class Authenticator:
    def __init__(self, login: bytes, password: bytes):
        self.login, self.password = login, password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        from aiosmtpd.smtp import AuthResult

        ok = mechanism in ("LOGIN", "PLAIN") and auth_data.login == self.login and auth_data.password == self.password
        return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    """Start real SMTP servers on 127.0.0.1: ``smtp_server(refuse=..., auth=(user, pw), tls_context=...)``."""
    from aiosmtpd.controller import Controller

    started = []

    def start(refuse=(), defer=(), auth=None, tls_context=None, require_starttls=False):
        handler = Recorder(refuse, defer)
        kwargs = {}
        if auth:
            kwargs.update(
                authenticator=Authenticator(auth[0].encode(), auth[1].encode()),
                auth_required=True,
                auth_require_tls=tls_context is not None,
            )
        if tls_context is not None:
            kwargs.update(tls_context=tls_context, require_starttls=require_starttls)
        port = free_port()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "AUTH without TLS" is what the plain test means to do
            controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
            controller.start()
        started.append(controller)
        return SimpleNamespace(port=port, handler=handler, controller=controller)

    yield start
    for controller in started:
        controller.stop()
