"""Fetching over the network with real servers: what is refused, what is pinned, what times out."""

from __future__ import annotations

import http.server
import ipaddress
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ae.errors import SourceError
from ae.intake import pin as git_source
from ae.intake.policy import SourcePolicy, unreachable

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)
Publish = Callable[[str, Path], Path]
MakeRepo = Callable[[Path, dict[str, bytes | str]], str]


@pytest.fixture
def repo(tmp_path: Path, served: Publish, make_repo: MakeRepo) -> str:
    """A small repository published as x.git; returns its commit."""
    commit = make_repo(tmp_path / "src", {".ckr.json": "{}", "a.txt": "one\n"})
    served("x.git", tmp_path / "src")
    return commit


def _leftover_processes(marker: str) -> list[str]:
    """Command lines of live processes that mention `marker` (a port), other than this one."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                line = handle.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in line and int(pid) != os.getpid():
            found.append(line)
    return found


def test_git_daemon_source_allowed_by_config(tmp_path: Path, repo: str, git_daemon: str) -> None:
    source = f"{git_daemon}x.git"
    with pytest.raises(SourceError, match="resolves to a loopback address"):
        git_source.pin(source, None, tmp_path / "in", policy=SourcePolicy())
    pinned = git_source.pin(source, None, tmp_path / "in", policy=SourcePolicy(allow_private=True))
    assert (pinned.source, pinned.commit) == (source, repo)
    assert pinned.tar_path.parent == tmp_path / "in" and pinned.tar_path.is_file()


def test_http_source_allowed_by_network_or_name(tmp_path: Path, repo: str, http_server: str) -> None:
    by_network = SourcePolicy(allowed_networks=LOOPBACK)
    assert git_source.pin(f"{http_server}x.git", None, tmp_path / "in", policy=by_network).commit == repo
    by_name = SourcePolicy(allowed_hosts=("localhost",))
    local_name = http_server.replace("127.0.0.1", "localhost")
    assert git_source.pin(f"{local_name}x.git", None, tmp_path / "in", policy=by_name).commit == repo
    with pytest.raises(SourceError, match="resolves to a loopback address"):
        git_source.pin(f"{local_name}x.git", None, tmp_path / "in", policy=SourcePolicy())


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_git_connects_to_the_address_that_was_checked(tmp_path: Path, repo: str, git_daemon: str,
                                                      http_server: str, fake_dns: dict[str, list[str]],
                                                      scheme: str) -> None:
    # the name resolves only for our check: git can reach the server only through the pinned address
    fake_dns["pinned.ae.test"] = ["127.0.0.1"]
    base = git_daemon if scheme == "git" else http_server
    source = base.replace("127.0.0.1", "pinned.ae.test") + "x.git"
    pinned = git_source.pin(source, None, tmp_path / "in", policy=SourcePolicy(allowed_networks=LOOPBACK))
    assert (pinned.commit, pinned.source) == (repo, source)


def test_ssh_connects_to_the_address_that_was_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      fake_dns: dict[str, list[str]]) -> None:
    record = tmp_path / "ssh-args"
    fake = tmp_path / "bin" / "ssh"
    fake.parent.mkdir()
    fake.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {record}\nexit 255\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    fake_dns["ssh.ae.test"] = ["10.9.8.7"]
    policy = SourcePolicy(allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),), clone_timeout=60)
    with pytest.raises(SourceError) as info:
        git_source.pin("ssh://git@ssh.ae.test:2222/x.git", None, tmp_path / "in", policy=policy)
    assert str(info.value) == str(unreachable("ssh://git@ssh.ae.test:2222/x.git", policy))
    args = record.read_text().splitlines()
    assert "HostName=10.9.8.7" in args and "HostKeyAlias=[ssh.ae.test]:2222" in args
    assert "BatchMode=yes" in args and "git@ssh.ae.test" in args


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_closed_open_silent_and_unknown_hosts_read_the_same(
        tmp_path: Path, listener: Callable[[bytes | None], int], free_port: Callable[[], int],
        scheme: str) -> None:
    policy = SourcePolicy(allow_private=True, clone_timeout=2)
    not_git = listener(b"SSH-2.0-OpenSSH_9.2\r\n")
    sources = {
        "closed port": f"{scheme}://127.0.0.1:{free_port()}/x.git",
        "open port, not git": f"{scheme}://127.0.0.1:{not_git}/x.git",
        "silent port": f"{scheme}://127.0.0.1:{listener(None)}/x.git",
        "unknown host": f"{scheme}://no-such-host.invalid/x.git",
    }
    messages = {}
    for case, source in sources.items():
        with pytest.raises(SourceError) as info:
            git_source.pin(source, None, tmp_path / "in", policy=policy)
        messages[case] = str(info.value).replace(source, "<source>")
    expected = ("<source> cannot be fetched: no git repository answered there within the 2 s limit "
                "(check the URL, and that the repository is public)")
    assert messages == dict.fromkeys(sources, expected)
    assert os.listdir(tmp_path / "in") == []


@pytest.mark.parametrize("scheme", ["git", "http"])
def test_a_silent_host_is_killed_with_its_process_group(
        tmp_path: Path, listener: Callable[[bytes | None], int], scheme: str) -> None:
    port = listener(None)  # accepts and never answers
    source = f"{scheme}://127.0.0.1:{port}/x.git"
    policy = SourcePolicy(allow_private=True, clone_timeout=3)
    start = time.monotonic()
    with pytest.raises(SourceError) as info:
        git_source.pin(source, None, tmp_path / "in", policy=policy)
    elapsed = time.monotonic() - start
    assert str(info.value) == str(unreachable(source, policy)) and "within the 3 s limit" in str(info.value)
    assert 3 <= elapsed < 3 + 60, "the clone timeout fired, not something else"
    assert _leftover_processes(f"127.0.0.1:{port}") == [], "git and its helpers were killed"
    assert os.listdir(tmp_path / "in") == []


@pytest.fixture
def redirector(http_server: str) -> Iterator[str]:
    """An HTTP server on loopback that redirects every request to the real one."""
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the handler's protocol)
            self.send_response(302)
            self.send_header("Location", http_server.rstrip("/") + self.path)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_redirects_are_not_followed(tmp_path: Path, repo: str, redirector: str) -> None:
    # a redirect would lead git to a host the policy never judged
    policy = SourcePolicy(allow_private=True, clone_timeout=60)
    with pytest.raises(SourceError) as info:
        git_source.pin(f"{redirector}x.git", None, tmp_path / "in", policy=policy)
    assert str(info.value) == str(unreachable(f"{redirector}x.git", policy))


def test_credentials_stay_out_of_errors_and_logs(tmp_path: Path, caplog: pytest.LogCaptureFixture,
                                                 listener: Callable[[bytes | None], int]) -> None:
    port = listener(b"HTTP/1.0 401 No\r\n\r\n")
    source = f"http://alice:s3cret-token@127.0.0.1:{port}/x.git"
    caplog.set_level("DEBUG")
    with pytest.raises(SourceError) as info:
        git_source.pin(source, None, tmp_path / "in", policy=SourcePolicy(allow_private=True))
    assert "alice:***@127.0.0.1" in str(info.value)
    assert "s3cret" not in str(info.value) and "s3cret" not in caplog.text
    assert "alice:***@" in caplog.text, "the failure is logged for the operator"


def test_a_rewrite_to_a_remote_mirror_needs_no_private_permission(
        tmp_path: Path, repo: str, git_daemon: str, gitconfig: Path) -> None:
    gitconfig.write_text(f'[url "{git_daemon}"]\n\tinsteadOf = https://github.com/ae-org/\n')
    pinned = git_source.pin("https://github.com/ae-org/x.git", None, tmp_path / "in",
                            policy=SourcePolicy())
    assert (pinned.commit, pinned.source) == (repo, "https://github.com/ae-org/x.git")


def test_a_rewrite_to_a_local_mirror_works_without_dns(tmp_path: Path, repo: str, served: Publish,
                                                        gitconfig: Path) -> None:
    gitconfig.write_text(f'[url "{tmp_path / "served"}/"]\n\tinsteadOf = https://github.com/ae-org/\n')
    pinned = git_source.pin("https://github.com/ae-org/x.git", None, tmp_path / "in",
                            policy=SourcePolicy())  # the web's policy: no local paths of its own
    assert pinned.commit == repo
    with pytest.raises(SourceError, match="leads outside the operator's mirror"):
        git_source.pin("https://github.com/ae-org/../src", None, tmp_path / "in", policy=SourcePolicy())


def test_the_clone_is_killed_past_its_byte_cap(tmp_path: Path, git_daemon: str, served: Publish,
                                               make_repo: MakeRepo) -> None:
    make_repo(tmp_path / "big", {"noise.bin": os.urandom(3 << 20)})
    served("big.git", tmp_path / "big")
    policy = SourcePolicy(allow_private=True, clone_max_bytes=256 << 10, clone_timeout=120)
    with pytest.raises(SourceError) as info:
        git_source.pin(f"{git_daemon}big.git", None, tmp_path / "in", policy=policy)
    assert str(info.value) == (f"source refused: {git_daemon}big.git: its clone grew past the cap of "
                               f"{256 << 10} bytes (AE_CLONE_MAX_BYTES)")
    assert os.listdir(tmp_path / "in") == []
