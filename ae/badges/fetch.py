"""Fetching a credential, key set or status list by URL under the service's outbound rules.

Rule: the URL is judged like an intake source (ae.intake.policy: allowed schemes, every address
public unless the operator allowed it), then fetched from the address that was checked, so a
second DNS answer cannot point the request elsewhere; no redirects, a size cap and a timeout.
"""

from __future__ import annotations

import http.client
import socket
import ssl
from urllib.parse import urlsplit

from ae.errors import SourceError
from ae.intake.policy import SourcePolicy, judge

MAX_BYTES = 1 << 20
TIMEOUT = 15.0


def verify_policy(allowed_hosts: tuple[str, ...] = ()) -> SourcePolicy:
    """Return the rules for `ae verify`'s fetches: http(s) only, public addresses or named hosts."""
    return SourcePolicy(schemes=("https", "http"), allowed_hosts=allowed_hosts)


def fetch(url: str, policy: SourcePolicy) -> str:
    """Return the text at `url`, refusing what the policy refuses; SourceError names the rule."""
    target = judge(url, policy)
    parts = urlsplit(target.url)
    port = target.port or (443 if target.scheme == "https" else 80)
    address = target.addresses[0] if target.addresses else target.host
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        sock = socket.create_connection((address, port), timeout=TIMEOUT)
        conn: http.client.HTTPConnection
        if target.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=target.host)
            conn = http.client.HTTPSConnection(target.host, port, timeout=TIMEOUT)
        else:
            conn = http.client.HTTPConnection(target.host, port, timeout=TIMEOUT)
        conn.sock = sock  # the checked address, not a new lookup
        conn.request("GET", path, headers={"Host": parts.netloc.rpartition("@")[2],
                                           "Accept": "application/json, image/svg+xml, */*"})
        response = conn.getresponse()
        body = response.read(MAX_BYTES + 1)
        conn.close()
    except (OSError, http.client.HTTPException) as exc:
        raise SourceError(f"{url} could not be fetched: {exc}") from exc
    if response.status != 200:
        raise SourceError(f"{url} answered HTTP {response.status} (redirects are not followed)")
    if len(body) > MAX_BYTES:
        raise SourceError(f"{url} is larger than {MAX_BYTES} bytes")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{url} is not UTF-8 text") from exc
