"""Outgoing mail (the only smtplib user): through AE_MAIL_URL when set, else not at all.

AE_MAIL_URL is `smtp://user:password@host:587` (STARTTLS), `smtps://…:465` (TLS) or
`smtp://host:25` (plain, a local relay). Without it the service sends nothing and the caller shows
the link to the person entitled to it (the chair who invites) or logs it for the operator.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from email.message import EmailMessage
from typing import Any
from urllib.parse import unquote, urlsplit

from ae.errors import ConfigError


def configured(config: Mapping[str, Any]) -> bool:
    """Tell whether mail can be sent."""
    return bool(config.get("MAIL_URL"))


def send(config: Mapping[str, Any], *, to: str, subject: str, body: str) -> None:
    """Send one plain-text message through the configured server."""
    url = urlsplit(str(config["MAIL_URL"]))
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise ConfigError("AE_MAIL_URL must look like smtp://user:password@host:587 or smtps://…:465")
    message = EmailMessage()
    message["From"] = str(config.get("MAIL_FROM") or f"ae@{url.hostname}")
    message["To"], message["Subject"] = to, subject
    message.set_content(body)
    port = url.port or (465 if url.scheme == "smtps" else 25)
    context = ssl.create_default_context()
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    kwargs: dict[str, Any] = {"context": context} if url.scheme == "smtps" else {}
    with smtp_class(url.hostname, port, timeout=30, **kwargs) as server:
        if url.scheme == "smtp" and port != 25:
            server.starttls(context=context)
        if url.username:
            server.login(unquote(url.username), unquote(url.password or ""))
        server.send_message(message)
