"""Invitation and reminder e-mails: rendering from templates, and the two ways out (SMTP, .eml files).

Messages are rendered with jinja2 from ``templates/emails/`` (or a folder of
the agency's own, named by ``email_templates`` in the wave config): a subject,
a plain-text body and an HTML alternative (autoescaped), in the contact's
language (``ru`` or ``en``), signed by the person named in the config.

Two transports deliver them:

* :class:`SmtpTransport` talks to the agency's mail server with smtplib
  (STARTTLS, SSL or plain; login when a username is set).  A recipient the
  server refuses permanently (5xx) is *bounced*; a temporary refusal (4xx)
  is *deferred* and tried again on the next run.  The server's words are
  kept as the note, with the recipient's address replaced by ``<recipient>``.
* :class:`EmlTransport` writes one ``.eml`` draft per message (``X-Unsent: 1``,
  so Outlook and Thunderbird open it ready to send) and a mail-merge CSV
  (UTF-8 with BOM, for Excel) into ``<workspace>/outbox/<wave>/``.

Examples
--------
>>> from cxlab.fieldwork.config import parse_config
>>> cfg = parse_config({"form": {"url": "https://forms.yandex.ru/u/abc/?token={token}", "tool": "yandex_forms"},
...     "closed_at": "2026-12-20", "sender": {"name": "Анна Петрова", "position": "директор по работе с клиентами",
...     "email": "anna@agency.ru", "company": "Агентство «Пример»"}})
>>> r = Recipient("K1", "C1", "boris@client.ru", "Борис", "ru", "ООО «Альфа»",
...               "https://forms.yandex.ru/u/abc/?token=T0K")
>>> msg = render_email("invitation", r, cfg, wave="2026-Q4")
>>> msg["Subject"]
'Агентство «Пример»: оцените, пожалуйста, нашу работу'
>>> "https://forms.yandex.ru/u/abc/?token=T0K" in msg.get_body(("plain",)).get_content()
True
"""

from __future__ import annotations

import csv
import re
import smtplib
import ssl
from dataclasses import dataclass
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import jinja2

from cxlab.errors import ParameterError
from cxlab.fieldwork.common import FieldworkError, isna, without_address
from cxlab.fieldwork.config import SmtpSettings, WaveConfig
from cxlab.resources import template_path
from cxlab.safe_text import safe_cell

__all__ = [
    "EMAIL_TEMPLATE_DIR",
    "KINDS",
    "Recipient",
    "Delivery",
    "render_email",
    "format_date",
    "SmtpTransport",
    "EmlTransport",
    "MERGE_COLUMNS",
]

#: The bundled e-mail templates (``templates/emails``, package data).
EMAIL_TEMPLATE_DIR = template_path("emails")
#: Message kinds (template name prefixes).
KINDS = ("invitation", "reminder")
#: Columns of the mail-merge CSV written with the .eml files.
MERGE_COLUMNS = ["email", "name", "language", "subject", "link", "client"]

_MONTHS_RU = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class Recipient:
    """One message's addressee (personal data: it never leaves the analyst's side)."""

    contact_id: str
    client_id: str
    email: str | None  # None: no usable address (the message is not sent)
    name: str | None
    language: str
    client_name: str | None
    link: str


@dataclass(frozen=True)
class Delivery:
    """What happened to one message.

    ``status`` is ``delivered`` (the SMTP server accepted it), ``invited``
    (written as a file for a mail client), ``bounced`` (refused for good) or
    ``deferred`` (refused for now; tried again on the next run).
    """

    status: str
    note: str | None = None
    file: str | None = None


def format_date(day: date, language: str) -> str:
    """A date the way a letter says it.

    >>> format_date(date(2026, 12, 20), "ru"), format_date(date(2026, 12, 20), "en")
    ('20 декабря 2026 года', '20 December 2026')
    """
    if language == "ru":
        return f"{day.day} {_MONTHS_RU[day.month - 1]} {day.year} года"
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


@lru_cache(maxsize=8)
def _environment(custom_dir: str | None) -> jinja2.Environment:
    loaders = [jinja2.FileSystemLoader(custom_dir)] if custom_dir else []
    loaders.append(jinja2.FileSystemLoader(str(EMAIL_TEMPLATE_DIR)))
    return jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        # HTML is escaped (client names like «Beta & Co» and links with '&'); text is not.
        autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        # A typo in a template variable must fail before anything is sent, not print blank.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
    )


def _tidy_text(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_email(
    kind: str,
    recipient: Recipient,
    config: WaveConfig,
    *,
    wave: str,
    deadline=None,
    reminder_number: int | None = None,
    draft: bool = False,
) -> EmailMessage:
    """Render one message.

    Parameters
    ----------
    kind : {"invitation", "reminder"}
    recipient : Recipient
    config : WaveConfig
        Sender, form minutes, deadline (``closed_at``) and template folder.
    wave : str
    deadline : date, optional
        Defaults to the config's ``closed_at``.
    reminder_number : int, optional
        Which reminder this is (1, 2, ...), for the templates.
    draft : bool
        For an .eml file: marked ``X-Unsent`` and without a date, so that the
        mail client sends it as new.

    Raises
    ------
    ValueError
        When the recipient's address cannot stand in a header.
    jinja2.TemplateError
        A template that does not render (unknown variable, syntax).
    """
    if kind not in KINDS:
        raise ParameterError(f"kind must be one of {KINDS}", parameter="kind", value=kind)
    lang = recipient.language if recipient.language in ("ru", "en") else config.language
    deadline = deadline if deadline is not None else config.closed_at
    sender = config.sender
    context: dict[str, Any] = {
        "contact_name": None if isna(recipient.name) else recipient.name,
        "client_name": recipient.client_name or "",
        "link": recipient.link,
        "wave": wave,
        "language": lang,
        "deadline": format_date(deadline, lang) if deadline is not None and not isna(deadline) else None,
        "minutes": config.form.minutes,
        "reminder_number": reminder_number,
        "sender": sender.model_dump(),
    }
    env = _environment(config.email_templates)
    subject = " ".join(env.get_template(f"{kind}_{lang}_subject.txt").render(context).split())
    text = _tidy_text(env.get_template(f"{kind}_{lang}.txt").render(context))
    html = env.get_template(f"{kind}_{lang}.html").render({**context, "subject": subject})

    msg = EmailMessage()
    try:
        to = Address(display_name=context["contact_name"] or "", addr_spec=str(recipient.email).strip())
    except Exception as exc:  # email's header parser raises several kinds
        raise ParameterError(
            f"'{recipient.email}' cannot be used as an address ({exc})", parameter="recipient", value=recipient.email
        ) from None
    msg["Subject"] = subject
    msg["From"] = Address(display_name=sender.name, addr_spec=sender.email)
    msg["To"] = to
    msg["Reply-To"] = Address(display_name=sender.name, addr_spec=sender.email)
    msg["Message-ID"] = make_msgid(domain=sender.email.rsplit("@", 1)[-1])
    if draft:
        msg["X-Unsent"] = "1"
    else:
        msg["Date"] = formatdate(localtime=True)
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


class SmtpTransport:
    """Send messages through an SMTP server; use as a context manager.

    >>> with SmtpTransport(settings) as smtp:            # doctest: +SKIP
    ...     smtp.send(msg, recipient)
    Delivery(status='delivered', note=None, file=None)
    """

    via = "smtp"

    def __init__(self, settings: SmtpSettings):
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if self.settings.cafile:
            context.load_verify_locations(cafile=self.settings.cafile)
        return context

    def __enter__(self) -> SmtpTransport:
        s = self.settings
        where = f"{s.host}:{s.port} ({s.security})"
        try:
            if s.security == "ssl":
                self.smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=self._context())
            else:
                self.smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
                if s.security == "starttls":
                    self.smtp.starttls(context=self._context())
            if s.username:
                self.smtp.login(s.username, s.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            self._close()
            raise FieldworkError(
                f"the SMTP server {where} refused the login of '{s.username}': {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            self._close()
            raise FieldworkError(
                f"the SMTP server {where} does not support this: {exc} (check smtp.security: starttls, ssl or none)"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            self._close()
            raise FieldworkError(f"cannot connect to the SMTP server {where}: {exc}") from None
        return self

    def send(self, msg: EmailMessage, recipient: Recipient, tag: str | None = None) -> Delivery:
        """Send one message; refusals of this recipient are returned, others raise."""
        try:
            refused = cast(smtplib.SMTP, self.smtp).send_message(msg)  # connected by __enter__
        except smtplib.SMTPRecipientsRefused as exc:
            address, (code, text) = next(iter(exc.recipients.items()))
            return _refusal(code, text, recipient.email, address)
        except smtplib.SMTPDataError as exc:
            return _refusal(exc.smtp_code, exc.smtp_error, recipient.email)
        except smtplib.SMTPSenderRefused as exc:
            raise FieldworkError(
                f"the SMTP server refused the sender {exc.sender}: {exc.smtp_code} "
                f"{_text(exc.smtp_error)} (check sender.email and the SMTP account)"
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise FieldworkError(
                f"sending stopped, the SMTP connection failed: {exc}; the messages sent so "
                "far are recorded, run the command again to send the rest"
            ) from None
        if refused:  # only with several recipients; kept for completeness
            address, (code, text) = next(iter(refused.items()))
            return _refusal(code, text, recipient.email, address)
        return Delivery("delivered")

    def _close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                self.smtp.close()
            self.smtp = None

    def __exit__(self, *exc) -> None:
        self._close()


def _text(value) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _refusal(code: int, text, *addresses) -> Delivery:
    # 4xx is "try later" (greylisting, rate limits): never a bounce.  The
    # server's words go into the invitation's note without the recipient's
    # address ("550 5.1.1 <recipient>: User unknown").
    note = without_address(f"{code} {_text(text)}".strip(), *addresses)
    return Delivery("deferred" if 400 <= int(code) < 500 else "bounced", note)


class EmlTransport:
    """Write each message as an ``.eml`` draft and a mail-merge CSV; use as a context manager.

    Parameters
    ----------
    out_dir : path
        Folder for the files (created); ``<workspace>/outbox/<wave>`` by default
        in :func:`cxlab.fieldwork.send`.
    label : str
        Start of the file names and of the CSV's: ``invitation``, ``reminder``.
    stamp : str
        Names this run's CSV (``<label>-<stamp>.csv``), so that each run's
        batch can be merged on its own.
    """

    via = "eml"

    def __init__(self, out_dir, label: str, stamp: str):
        self.out_dir = Path(out_dir)
        self.label = label
        self.csv_path = self.out_dir / f"{label}-{stamp}.csv"
        self.rows: list[dict] = []

    def __enter__(self) -> EmlTransport:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return self

    def send(self, msg: EmailMessage, recipient: Recipient, tag: str | None = None) -> Delivery:
        """Write one message as ``<tag or label>-<contact_id>.eml`` (e.g. ``reminder2-K7.eml``)."""
        safe = re.sub(r"[^\w.-]+", "_", recipient.contact_id)
        path = self.out_dir / f"{tag or self.label}-{safe}.eml"
        path.write_bytes(bytes(msg))
        self.rows.append(
            {
                "email": recipient.email,
                "name": recipient.name or "",
                "language": recipient.language,
                "subject": str(msg["Subject"]),
                "link": recipient.link,
                "client": recipient.client_name or "",
            }
        )
        return Delivery("invited", note=f"written to {path.name}", file=str(path))

    def __exit__(self, *exc) -> None:
        # Written even when the run stops half-way: the CSV lists what was written.
        if not self.rows:
            return
        # Opened in a spreadsheet before the merge: a client or contact name must not run as a formula.
        with open(self.csv_path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=MERGE_COLUMNS)
            writer.writeheader()
            writer.writerows({key: safe_cell(value) for key, value in row.items()} for row in self.rows)
