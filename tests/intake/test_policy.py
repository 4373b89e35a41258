"""The source policy: schemes, local paths, private addresses, the operator's rewrites, settings."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Any

import pytest

from ae.errors import ConfigError, SourceError
from ae.intake.policy import SourcePolicy, check, judge, policy_from_config, redact

PUBLIC = SourcePolicy()
PRIVATE_RULE = "the operator can allow it with AE_SOURCE_ALLOW_PRIVATE or AE_SOURCE_ALLOWED_HOSTS"


@pytest.mark.parametrize("source, kind", [
    ("http://127.0.0.1:8080/x.git", "loopback"),
    ("https://[::1]/x.git", "loopback"),
    ("git://localhost/x.git", "loopback"),
    ("https://10.1.2.3/x.git", "private"),
    ("https://192.168.0.7/x.git", "private"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("https://[fe80::1]/x.git", "link-local"),
    ("https://0.0.0.0/x.git", "unspecified"),
    ("https://[::ffff:127.0.0.1]/x.git", "loopback"),
    ("https://[64:ff9b::a00:1]/x.git", "private"),
    ("http://2130706433/x.git", "loopback"),  # 127.0.0.1 written as one number
    ("ssh://git@10.0.0.5/x.git", "private"),
    ("git@10.0.0.5:x.git", "private"),
    ("https://224.0.0.1/x.git", "multicast"),
    ("https://100.64.0.1/x.git", "private"),
])
def test_hosts_resolving_to_non_public_addresses_are_refused(source: str, kind: str) -> None:
    with pytest.raises(SourceError) as info:
        check(source, PUBLIC)
    assert str(info.value) == f"source refused: {source} resolves to a {kind} address; {PRIVATE_RULE}"


def test_a_name_is_refused_if_any_of_its_addresses_is_private(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["mixed.ae.test"] = ["93.184.215.14", "10.0.0.1"]
    fake_dns["public.ae.test"] = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    with pytest.raises(SourceError, match="resolves to a private address"):
        check("https://mixed.ae.test/x.git", PUBLIC)
    target = judge("https://public.ae.test/x.git", PUBLIC)
    assert target.addresses == ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    assert (target.host, target.port, target.scheme) == ("public.ae.test", 443, "https")


def test_the_operator_can_allow_private_hosts(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["git.corp.test"] = ["10.0.0.9"]
    assert check("http://127.0.0.1:9/x.git", SourcePolicy(allow_private=True)) == "http://127.0.0.1:9/x.git"
    by_network = SourcePolicy(allowed_networks=(ipaddress.ip_network("10.0.0.0/24"),))
    assert judge("https://git.corp.test/x.git", by_network).addresses == ("10.0.0.9",)
    with pytest.raises(SourceError, match="private"):
        check("https://10.0.1.1/x.git", by_network)
    by_name = SourcePolicy(allowed_hosts=("git.corp.test",))
    assert judge("https://GIT.corp.test/x.git", by_name).addresses == (), "trusted by name: not pinned"


@pytest.mark.parametrize("source, message", [
    ("ftp://example.org/x.git", "source refused: ftp://example.org/x.git uses the ftp:// scheme, which is "
                                "not allowed (allowed: https, http, git, ssh; the operator sets them with "
                                "AE_SOURCE_SCHEMES)"),
    ("ext::sh -c touch% /tmp/pwned", "source refused: ext::sh -c touch% /tmp/pwned is not a git URL"),
    ("fd::17", "source refused: fd::17 is not a git URL"),
    ("--upload-pack=touch /tmp/x", "source refused: --upload-pack=touch /tmp/x is not a git URL"),
    ("https://example.org/x\n.git", "source refused: it is empty or holds control characters"),
    ("", "source refused: it is empty or holds control characters"),
    ("https://example.org:99999/x.git",
     "source refused: https://example.org:99999/x.git has an invalid port"),
    ("https:///x.git", "source refused: https:///x.git names no host, or one that is not ASCII (write an "
                       "international name in its xn-- form)"),
])
def test_malformed_and_disallowed_sources(source: str, message: str) -> None:
    with pytest.raises(SourceError) as info:
        check(source, SourcePolicy(allow_local=True))
    assert str(info.value) == message


def test_schemes_are_the_operators_choice(fake_dns: dict[str, list[str]]) -> None:
    fake_dns["example.org"] = ["93.184.215.14"]
    only_https = SourcePolicy(schemes=("https",))
    assert check("https://example.org/x.git", only_https) == "https://example.org/x.git"
    for source in ("http://example.org/x.git", "git://example.org/x.git", "git@example.org:x.git"):
        with pytest.raises(SourceError, match="which is not allowed"):
            check(source, only_https)


def test_an_unknown_host_reads_like_any_unreachable_one() -> None:
    with pytest.raises(SourceError) as info:
        check("https://no-such-host.invalid/x.git", SourcePolicy(clone_timeout=30))
    assert str(info.value) == ("https://no-such-host.invalid/x.git cannot be fetched: no git repository "
                               "answered there within the 30 s limit (check the URL, and that the "
                               "repository is public)")


@pytest.mark.parametrize("source, shown", [
    ("https://alice:s3cret-token@10.0.0.1/x.git", "https://alice:***@10.0.0.1/x.git"),
    ("https://ghp_s3cret-token@10.0.0.1/x.git", "https://***@10.0.0.1/x.git"),
    ("http://u:s3cret-token@[::1]:8080/", "http://u:***@[::1]:8080/"),
    ("ssh://git:s3cret-token@10.0.0.1/x.git", "ssh://git:***@10.0.0.1/x.git"),
])
def test_credentials_in_urls_never_reach_a_message(source: str, shown: str) -> None:
    assert redact(source) == shown
    with pytest.raises(SourceError) as info:
        check(source, PUBLIC)
    assert "s3cret" not in str(info.value) and shown in str(info.value)
    with pytest.raises(SourceError) as info:
        check(source.replace("10.0.0.1", "no-such-host.invalid").replace("[::1]", "no-such-host.invalid"),
              PUBLIC)
    assert "s3cret" not in str(info.value)


def test_ssh_users_are_shown_but_not_passwords() -> None:
    assert redact("ssh://git@example.org/x.git") == "ssh://git@example.org/x.git"
    assert redact("git@example.org:x.git") == "git@example.org:x.git"


def test_local_paths_need_the_operators_permission(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    for source in (str(repo), repo.as_uri(), "relative/dir"):
        with pytest.raises(SourceError, match="is a path on the server, and local paths are accepted only "
                                              "from the command line"):
            check(source, PUBLIC)
    allowed = SourcePolicy(allow_local=True)
    assert check(str(repo), allowed) == str(repo.resolve())
    assert check(repo.as_uri(), allowed) == str(repo.resolve())
    assert judge(str(repo / ".." / "repo"), allowed).local
    with pytest.raises(SourceError, match="no such directory and not a git URL"):
        check(str(tmp_path / "missing"), allowed)
    with pytest.raises(SourceError, match="names a file on another host"):
        check("file://server/srv/repo", allowed)


def test_a_rewrite_to_a_local_mirror_is_allowed_from_the_web(tmp_path: Path, gitconfig: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "org").mkdir(parents=True)
    gitconfig.write_text(f'[url "{mirror}/"]\n\tinsteadOf = https://github.com/\n')
    target = judge("https://github.com/org/repo.git", PUBLIC)  # no DNS needed
    assert target.local and target.rewritten
    assert target.url == str(mirror / "org" / "repo.git")
    assert target.source == "https://github.com/org/repo.git"


@pytest.mark.parametrize("rest", ["../outside.git", "org/../../outside.git", "escape/repo.git"])
def test_a_rewrite_may_not_leave_the_mirror(tmp_path: Path, gitconfig: Path, rest: str) -> None:
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (tmp_path / "outside.git").mkdir()
    (mirror / "escape").symlink_to(tmp_path)
    gitconfig.write_text(f'[url "{mirror}/"]\n\tinsteadOf = https://github.com/\n')
    with pytest.raises(SourceError) as info:
        check(f"https://github.com/{rest}", SourcePolicy(allow_local=True))
    assert str(info.value) == f"source refused: https://github.com/{rest} leads outside the operator's mirror"


def test_a_file_url_mirror_of_one_repository(tmp_path: Path, gitconfig: Path) -> None:
    mirror = tmp_path / "datasets"
    mirror.mkdir()
    gitconfig.write_text(f'[url "{mirror.as_uri()}"]\n\tinsteadOf = https://example.org/datasets.git\n')
    assert judge("https://example.org/datasets.git", PUBLIC).url == str(mirror)


def test_a_rewrite_to_a_remote_mirror_trusts_the_mirrors_host(gitconfig: Path,
                                                             fake_dns: dict[str, list[str]]) -> None:
    gitconfig.write_text('[url "git://127.0.0.1:9418/mirror/"]\n\tinsteadOf = https://github.com/\n'
                         '[url "git://mirror.corp.test"]\n\tinsteadOf = https://open.example\n')
    target = judge("https://github.com/org/repo.git", PUBLIC)
    assert (target.scheme, target.host, target.url) == ("git", "127.0.0.1",
                                                        "git://127.0.0.1:9418/mirror/org/repo.git")
    # a base without a path does not fix the host: the user's text extends the host name
    fake_dns["mirror.corp.test.evil.test"] = ["10.0.0.66"]
    with pytest.raises(SourceError, match="resolves to a private address"):
        check("https://open.example.evil.test/x.git", PUBLIC)


def test_policy_from_config_local_paths_only_for_the_cli_on_the_embedded_default() -> None:
    embedded = {"DATABASE_URL": "sqlite:///instance/ae.sqlite", "SOURCE_ALLOW_LOCAL": "auto"}
    production = {"DATABASE_URL": "postgresql+psycopg://ae@db/ae", "SOURCE_ALLOW_LOCAL": "auto"}
    assert policy_from_config(embedded, web=False).allow_local
    assert not policy_from_config(embedded, web=True).allow_local
    assert not policy_from_config(production, web=False).allow_local
    assert policy_from_config({**production, "SOURCE_ALLOW_LOCAL": "yes"}, web=False).allow_local
    assert not policy_from_config({**production, "SOURCE_ALLOW_LOCAL": True}, web=True).allow_local
    assert not policy_from_config({**embedded, "SOURCE_ALLOW_LOCAL": False}, web=False).allow_local


def test_policy_from_config_reads_every_setting() -> None:
    built = policy_from_config({
        "DATABASE_URL": "sqlite:///x", "SOURCE_SCHEMES": "https, git", "SOURCE_ALLOW_PRIVATE": "yes",
        "SOURCE_ALLOWED_HOSTS": "git.corp.test, 10.0.0.0/8 ,[fd00::1]", "CLONE_TIMEOUT": 20,
        "CLONE_MAX_BYTES": "1000000", "SNAPSHOT_MAX_FILES": 10, "SNAPSHOT_MAX_BYTES": 2048,
        "SNAPSHOT_MAX_DEPTH": 5}, web=True)
    assert built.schemes == ("https", "git") and built.allow_private and not built.allow_local
    assert built.allowed_hosts == ("git.corp.test",)
    assert built.allowed_networks == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::1"))
    assert (built.clone_timeout, built.clone_max_bytes) == (20, 1_000_000)
    assert (built.caps.max_files, built.caps.max_bytes, built.caps.max_depth) == (10, 2048, 5)
    default = policy_from_config({"DATABASE_URL": "sqlite:///x"}, web=False)
    assert default.schemes == ("https", "http", "git", "ssh") and not default.allow_private


@pytest.mark.parametrize("setting, value, message", [
    ("SOURCE_SCHEMES", "https,file", "AE_SOURCE_SCHEMES: unknown scheme 'file'"),
    ("SOURCE_ALLOW_LOCAL", "maybe", "AE_SOURCE_ALLOW_LOCAL must be yes or no or auto"),
    ("SOURCE_ALLOW_PRIVATE", "auto", "AE_SOURCE_ALLOW_PRIVATE must be yes or no"),
    ("CLONE_TIMEOUT", 0, "AE_CLONE_TIMEOUT must be a positive whole number"),
    ("SNAPSHOT_MAX_DEPTH", "deep", "AE_SNAPSHOT_MAX_DEPTH must be a positive whole number"),
])
def test_bad_settings_are_named(setting: str, value: Any, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        policy_from_config({"DATABASE_URL": "sqlite:///x", setting: value}, web=False)


def test_the_app_builds_the_policy_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from ae.app import create_app

    monkeypatch.setenv("AE_SOURCE_ALLOW_PRIVATE", "true")
    monkeypatch.setenv("AE_SOURCE_ALLOWED_HOSTS", "git.corp.test")
    monkeypatch.setenv("AE_SNAPSHOT_MAX_DEPTH", "12")
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path)})
    built = policy_from_config(app.config, web=True)
    assert built.allow_private and built.allowed_hosts == ("git.corp.test",) and built.caps.max_depth == 12
    assert policy_from_config(app.config, web=False).allow_local, "embedded default, CLI"
