"""The source policy: which sources intake may fetch, judged on what git will actually contact.

Rules (DESIGN §3a):
- a source is judged after the operator's own `url.<base>.insteadOf` rewrites (`git ls-remote
  --get-url`), so a mirror the operator configured is what gets judged, not the URL typed;
- remote URLs need an allowed scheme (AE_SOURCE_SCHEMES) and a host whose every address is public,
  unless the host or its network is listed (AE_SOURCE_ALLOWED_HOSTS) or private networks are allowed
  (AE_SOURCE_ALLOW_PRIVATE); the addresses checked are the ones git is made to connect to;
- local paths and file:// URLs only where the operator allows them (AE_SOURCE_ALLOW_LOCAL: by
  default the CLI on the embedded default), never from the web; an operator's rewrite to a local
  mirror is allowed from anywhere, as long as the result stays inside the mirror's base;
- a host that does not resolve gives the same sentence as a closed port or a silent host, and a
  URL's credentials never appear in a message;
- an uploaded archive (`archive:<sha256>`, stored at submission) is its own kind of source: allowed
  from anywhere, the web included, as it is bytes handed in rather than a fetch; it is never a git
  URL, so a CK `repo_deps` entry cannot name one.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from ae.errors import ConfigError, SourceError
from ae.intake.git import insteadof_rules, remote_url
from ae.intake.snapshot import Caps

log = logging.getLogger(__name__)

DEFAULT_SCHEMES = ("https", "http", "git", "ssh")
DEFAULT_PORTS = {"https": 443, "http": 80, "git": 9418, "ssh": 22}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
_HELPER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9+.-]*::")  # git's `<transport>::<address>` syntax
_SCP_BRACKETED = re.compile(r"^(?:[^@/\[]*@)?\[([^\]/]+)\]:(.*)$")  # [user@][host]:path
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_ARCHIVE = re.compile(r"^archive:([0-9a-f]{64})$")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class SourcePolicy:
    """What intake may fetch and take in: schemes, local paths, hosts, time and size limits."""

    schemes: tuple[str, ...] = DEFAULT_SCHEMES
    allow_local: bool = False
    allow_private: bool = False
    allowed_hosts: tuple[str, ...] = ()
    allowed_networks: tuple[Network, ...] = ()
    clone_timeout: float = 300.0
    clone_max_bytes: int = 4 << 30
    caps: Caps = field(default_factory=Caps)


@dataclass(frozen=True)
class Target:
    """Where git will fetch an allowed source from.

    `source` is the source as submitted (normalised; what is stored), `url` what git contacts after
    the operator's rewrites; `addresses` are the checked addresses git must connect to (empty when
    the host is trusted by name or the source is local).
    """

    source: str
    url: str
    scheme: str
    host: str = ""
    port: int | None = None
    addresses: tuple[str, ...] = ()
    rewritten: bool = False

    @property
    def local(self) -> bool:
        """Tell whether git reads this source from the local file system."""
        return self.scheme == "file"


def check(source: str, policy: SourcePolicy) -> str:
    """Return the normalised source if the policy allows it, else raise SourceError naming the rule."""
    digest = archive_digest(source.strip())
    if digest is not None:
        return archive_source(digest)  # an upload the service already holds: nothing is fetched
    return judge(source, policy).source


def archive_source(digest: str) -> str:
    """Return the source that names an uploaded archive by its sha256."""
    return f"archive:{digest}"


def archive_digest(source: str) -> str | None:
    """Return the sha256 of the uploaded archive a source names, or None when it names none."""
    match = _ARCHIVE.match(source)
    return match.group(1) if match else None


def judge(source: str, policy: SourcePolicy) -> Target:
    """Decide where git would fetch `source` from and whether the policy allows it."""

    source = source.strip()
    if not source or any(ord(c) < 32 or c == "\x7f" for c in source):
        raise SourceError("source refused: it is empty or holds control characters")
    if source.startswith("-") or _HELPER.match(source):
        raise SourceError(f"source refused: {redact(source)} is not a git URL")
    if source.lower().startswith("archive:"):
        raise SourceError(f"source refused: {redact(source)} is not a git URL (an archive is taken in "
                          "only when it is uploaded with a submission)")
    given_local = _local_path(source)
    if given_local is not None:
        source = os.path.abspath(os.path.expanduser(given_local))
    try:
        url = remote_url(source)
    except SourceError as exc:
        raise SourceError(f"source refused: {redact(source)} is not a git URL") from exc
    rewritten = url != source
    path = _local_path(url)
    if path is not None:
        if rewritten:
            return _mirror(source, url, path, insteadof_rules())
        return _user_path(source, path, policy)
    parts = _split(url, source)
    scheme = parts.scheme
    if scheme not in policy.schemes:
        raise SourceError(f"source refused: {redact(source)} uses the {scheme}:// scheme, which is "
                          f"not allowed (allowed: {', '.join(policy.schemes) or 'none'}; the operator "
                          "sets them with AE_SOURCE_SCHEMES)")
    host = (parts.hostname or "").lower()
    try:
        port = parts.port or DEFAULT_PORTS.get(scheme)
    except ValueError as exc:
        raise SourceError(f"source refused: {redact(source)} has an invalid port") from exc
    if not host or not host.isascii():
        raise SourceError(f"source refused: {redact(source)} names no host, or one that is not ASCII "
                          "(write an international name in its xn-- form)")
    target = Target(source=source, url=url, scheme=scheme, host=host, port=port, rewritten=rewritten)
    if host in policy.allowed_hosts or (rewritten and host == _mirror_host(source, url, insteadof_rules())):
        return target
    addresses = _resolve(host, port, source, policy)
    for address in addresses:
        _allow_address(address, source, policy)
    return Target(source=source, url=url, scheme=scheme, host=host, port=port,
                  addresses=tuple(str(a) for a in addresses), rewritten=rewritten)


def redact(url: str) -> str:
    """Return `url` with any password or token it carries replaced by `***`."""
    match = _SCHEME.match(url)
    if not match:
        return url
    head, _, rest = url[match.end():].partition("/")
    if "@" not in head:
        return url
    userinfo, _, hostport = head.rpartition("@")
    user, has_password, _ = userinfo.partition(":")
    if match.group(1).lower() == "ssh" and not has_password:
        return url
    kept = f"{user}:***" if has_password else "***"
    return f"{match.group(0)}{kept}@{hostport}" + (f"/{rest}" if rest or url.endswith("/") else "")


def unreachable(source: str, policy: SourcePolicy) -> SourceError:
    """Return the one error for every network failure: unknown host, closed port, silence, no repo."""
    return SourceError(f"{redact(source)} cannot be fetched: no git repository answered there within "
                       f"the {policy.clone_timeout:g} s limit (check the URL, and that the repository "
                       "is public)")


def policy_from_config(config: Mapping[str, Any], *, web: bool) -> SourcePolicy:
    """Build the source policy from the app config, for the web/API (`web`) or the CLI and jobs."""
    from ae.config import is_embedded

    schemes = tuple(s.lower() for s in _words(config.get("SOURCE_SCHEMES", DEFAULT_SCHEMES)))
    unknown = [s for s in schemes if s not in DEFAULT_PORTS]
    if unknown:
        raise ConfigError(f"AE_SOURCE_SCHEMES: unknown scheme {unknown[0]!r} (choose from "
                          f"{', '.join(DEFAULT_SCHEMES)}; local paths are AE_SOURCE_ALLOW_LOCAL)")
    local = _flag(config.get("SOURCE_ALLOW_LOCAL", "auto"), "SOURCE_ALLOW_LOCAL", auto=True)
    if local is None:
        local = is_embedded(config)
    hosts, networks = _allowed(config.get("SOURCE_ALLOWED_HOSTS", ""))
    caps = Caps(max_files=_positive(config, "SNAPSHOT_MAX_FILES", Caps.max_files),
                max_bytes=_positive(config, "SNAPSHOT_MAX_BYTES", Caps.max_bytes),
                max_depth=_positive(config, "SNAPSHOT_MAX_DEPTH", Caps.max_depth))
    return SourcePolicy(
        schemes=schemes, allow_local=bool(local) and not web,
        allow_private=bool(_flag(config.get("SOURCE_ALLOW_PRIVATE", False), "SOURCE_ALLOW_PRIVATE")),
        allowed_hosts=hosts, allowed_networks=networks,
        clone_timeout=float(_positive(config, "CLONE_TIMEOUT", 300)),
        clone_max_bytes=_positive(config, "CLONE_MAX_BYTES", SourcePolicy.clone_max_bytes), caps=caps)


def author_policy() -> SourcePolicy:
    """Return the policy of `ae run` on an author's own machine: local paths and private hosts too."""
    return SourcePolicy(allow_local=True, allow_private=True)


def _local_path(source: str) -> str | None:
    """Return the file-system path a source names, or None for a remote URL (git's own rule)."""
    match = _SCHEME.match(source)
    if match:
        if match.group(1).lower() != "file":
            return None
        parts = urlsplit(source)
        if parts.netloc not in ("", "localhost"):
            raise SourceError(f"source refused: {redact(source)} names a file on another host")
        return unquote(parts.path)
    colon, slash = source.find(":"), source.find("/")
    if colon >= 0 and (slash < 0 or colon < slash):
        return None  # scp-like `[user@]host:path`: ssh
    return source


def _split(url: str, source: str) -> SplitResult:
    """Split a remote URL; scp-like `[user@]host:path` counts as ssh://."""
    try:
        if _SCHEME.match(url):
            parts = urlsplit(url)
            return parts._replace(scheme=parts.scheme.lower())
        bracketed = _SCP_BRACKETED.match(url)
        if bracketed:
            host, path = bracketed.groups()
        else:
            login, _, path = url.partition(":")
            host = login.rpartition("@")[2]
        return urlsplit(f"ssh://{'[' + host + ']' if ':' in host else host}/{path}")
    except ValueError as exc:
        raise SourceError(f"source refused: {redact(source)} is not a valid URL") from exc


def _user_path(source: str, path: str, policy: SourcePolicy) -> Target:
    """Allow a local path the submitter named only where the operator allows local sources."""
    if not policy.allow_local:
        raise SourceError(f"source refused: {redact(source)} is a path on the server, and local paths "
                          "are accepted only from the command line where the operator allows them "
                          "(AE_SOURCE_ALLOW_LOCAL); submit a git URL")
    real = os.path.realpath(path)
    if not os.path.isdir(real):
        raise SourceError(f"{source}: no such directory and not a git URL")
    return Target(source=real if source == path else source, url=real, scheme="file")


def _mirror(source: str, url: str, path: str, rules: list[tuple[str, str]]) -> Target:
    """Allow an operator's rewrite to a local mirror, if the result stays inside the mirror's base."""
    base = _rewrite_base(source, url, rules)
    base_path = _local_path(base) if base is not None else None
    real = os.path.realpath(path)
    if base_path is None or os.path.commonpath([real, os.path.realpath(base_path)]) != \
            os.path.realpath(base_path):
        raise SourceError(f"source refused: {redact(source)} leads outside the operator's mirror")
    return Target(source=source, url=real, scheme="file", rewritten=True)


def _rewrite_base(source: str, url: str, rules: list[tuple[str, str]]) -> str | None:
    """Return the base of the insteadOf rule that turned `source` into `url` (git: longest prefix)."""
    matching = [(prefix, base) for prefix, base in rules if source.startswith(prefix)]
    if not matching:
        return None
    prefix, base = max(matching, key=lambda rule: len(rule[0]))
    return base if base + source[len(prefix):] == url else None


def _mirror_host(source: str, url: str, rules: list[tuple[str, str]]) -> str | None:
    """Return the host of the operator's rewrite base that made `url` (trusted like an allowed host).

    Only a base with a path after its host fixes the host: with `https://mirror` as base, the rest of
    the user's URL could still extend the host name.
    """
    base = _rewrite_base(source, url, rules)
    match = _SCHEME.match(base or "")
    if base is None or match is None or "/" not in base[match.end():]:
        return None
    try:
        return (urlsplit(base).hostname or "").lower() or None
    except ValueError:
        return None


def _resolve(host: str, port: int | None, source: str, policy: SourcePolicy) -> list[Address]:
    """Return every address a host resolves to; an unknown host reads like any unreachable one."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        log.info("source %s: host %s does not resolve: %s", redact(source), host, exc)
        raise unreachable(source, policy) from exc
    found: dict[str, Address] = {}
    for *_, sockaddr in infos:
        text = str(sockaddr[0]).split("%", 1)[0]
        found.setdefault(text, ipaddress.ip_address(text))
    if not found:
        raise unreachable(source, policy)
    return list(found.values())


def _allow_address(address: Address, source: str, policy: SourcePolicy) -> None:
    """Refuse an address that is not public, unless the operator allowed it."""
    if policy.allow_private or any(address in net for net in policy.allowed_networks):
        return
    kind = _kind(address)
    if kind is not None:
        raise SourceError(f"source refused: {redact(source)} resolves to a {kind} address; the operator "
                          "can allow it with AE_SOURCE_ALLOW_PRIVATE or AE_SOURCE_ALLOWED_HOSTS")


def _kind(address: Address) -> str | None:
    """Name the class of a non-public address (None: public), looking inside mapped IPv6 forms."""
    candidates: list[Address] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            candidates = [address.ipv4_mapped]
        elif address in _NAT64:
            candidates = [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
        elif address.sixtofour is not None:
            candidates.append(address.sixtofour)
    for ip in candidates:
        for kind, hit in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                          ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                          ("reserved", ip.is_reserved),
                          ("private", ip.is_private or not ip.is_global)):
            if hit:
                return kind
    return None


def _words(value: Any) -> list[str]:
    if isinstance(value, str):
        return [w for w in re.split(r"[\s,]+", value) if w]
    return [str(w).strip() for w in value or () if str(w).strip()]


def _flag(value: Any, name: str, *, auto: bool = False) -> bool | None:
    """Read a yes/no setting (None for `auto` where allowed)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "yes", "true", "on"):
        return True
    if text in ("0", "no", "false", "off", ""):
        return False
    if auto and text == "auto":
        return None
    raise ConfigError(f"AE_{name} must be yes or no{' or auto' if auto else ''} (got {value!r})")


def _allowed(value: Any) -> tuple[tuple[str, ...], tuple[Network, ...]]:
    """Split AE_SOURCE_ALLOWED_HOSTS into host names and networks (addresses or CIDRs)."""
    hosts: list[str] = []
    networks: list[Network] = []
    for word in _words(value):
        try:
            networks.append(ipaddress.ip_network(word.strip("[]"), strict=False))
        except ValueError:
            hosts.append(word.lower())
    return tuple(hosts), tuple(networks)


def _positive(config: Mapping[str, Any], name: str, default: int) -> int:
    value = config.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number <= 0:
        raise ConfigError(f"AE_{name} must be a positive whole number (got {value!r})")
    return number
