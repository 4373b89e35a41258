"""`ae badges` (issue, withhold, revoke, list, export, keys) and `ae verify` (offline and by URL)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from lxml import etree

from tests.badges.helpers import evaluated


def _ok(result: Any) -> str:
    assert result.exit_code == 0, result.output
    return str(result.output)


def _issued_id(output: str) -> str:
    return output.split("badge ")[1].split(",")[0]


def test_a_chair_issues_from_the_cli_and_others_are_refused(app: Any, runner: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    refused = runner.invoke(["badges", "issue", artifact[:8], "replicated", "--by", "evaluator@ae.test"])
    assert refused.exit_code == 2 and "evaluator@ae.test does not chair ppopp-2019" in refused.output
    unknown = runner.invoke(["badges", "issue", artifact[:8], "replicated", "--by", "nobody@ae.test"])
    assert unknown.exit_code == 2 and "no active user 'nobody@ae.test'" in unknown.output
    out = _ok(runner.invoke(["badges", "issue", artifact[:8], "replicated", "--by", "chair@ae.test",
                             "--note", "all claims hold"]))
    assert out.startswith(f"issued replicated (acm-1.0) to {artifact}: badge ")
    _ok(runner.invoke(["badges", "withhold", artifact[:8], "reusable", "--by", "admin@ae.test",
                       "--note", "thin docs"]))
    listing = _ok(runner.invoke(["badges", "list", "--artifact", artifact[:8]]))
    assert "replicated" in listing and "valid" in listing
    assert "issued replicated: all claims hold" in listing and "withheld reusable: thin docs" in listing
    badge = _issued_id(out)
    no_reason = runner.invoke(["badges", "revoke", badge, "--by", "chair@ae.test", "--reason", " "])
    assert no_reason.exit_code == 2 and "a reason is required" in no_reason.output
    _ok(runner.invoke(["badges", "revoke", badge[:8], "--by", "chair@ae.test", "--reason", "wrong DOI"]))
    assert "revoked" in _ok(runner.invoke(["badges", "list", "--conference", "ppopp-2019"]))


def test_export_writes_acm_xml_valid_against_the_dtd(app: Any, runner: Any, people: Any,
                                                      tmp_path: Path) -> None:
    artifact = evaluated(app, "Fast sort")
    _ok(runner.invoke(["badges", "issue", artifact, "available", "--by", "chair@ae.test"]))
    out = tmp_path / "acm.xml"
    _ok(runner.invoke(["badges", "export", "ppopp-2019", "--format", "acm-xml", "-o", str(out)]))
    dtd = etree.DTD(str(Path(__file__).parent / "data" / "acm_artifact_v1.1.dtd"))
    assert dtd.validate(etree.parse(str(out)))
    assert "Fast sort" in _ok(runner.invoke(["badges", "export", "ppopp-2019", "--format", "sysartifacts"]))


def test_verify_offline_with_a_jwks_file_through_rotation_and_revocation(app: Any, runner: Any, people: Any,
                                                                        client: Any, tmp_path: Path) -> None:
    artifact = evaluated(app, "Fast sort")
    issued = _ok(runner.invoke(["badges", "issue", artifact, "replicated", "--by", "chair@ae.test"]))
    badge = _issued_id(issued)
    svg = tmp_path / "badge.svg"
    svg.write_bytes(client.get(f"/badges/{badge}.svg").get_data())
    _ok(runner.invoke(["badges", "keys", "--rotate"]))
    jwks = tmp_path / "jwks.json"
    jwks.write_text(_ok(runner.invoke(["badges", "keys"])))
    assert len(json.loads(jwks.read_text())["keys"]) == 2
    good = _ok(runner.invoke(["verify", str(svg), "--jwks", str(jwks), "--status-list", "none"]))
    assert good.startswith("valid: Results Replicated (ACM Artifact Review and Badging v1.0) for 'Fast sort'")
    assert "revocation not checked" in good
    token = client.get(f"/badges/{badge}.jwt").get_data(as_text=True)
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["credentialSubject"]["artifact"]["commit"] = "f" * 40
    forged = tmp_path / "forged.jwt"
    body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged.write_text(f"{head}.{body}.{sig}")
    bad = runner.invoke(["verify", str(forged), "--jwks", str(jwks), "--status-list", "none"])
    assert bad.exit_code == 2 and "the signature does not verify" in bad.output
    _ok(runner.invoke(["badges", "revoke", badge, "--by", "chair@ae.test", "--reason", "withdrawn"]))
    status = tmp_path / "status.jwt"
    status.write_bytes(client.get("/badges/status-list").get_data())
    revoked = runner.invoke(["verify", str(svg), "--jwks", str(jwks), "--status-list", str(status)])
    assert revoked.exit_code == 2 and "revoked by its issuer (status list index 0)" in revoked.output
    missing = runner.invoke(["verify", str(tmp_path / "nope.svg"), "--jwks", str(jwks)])
    assert missing.exit_code == 2 and "cannot be read" in missing.output


def test_verify_by_url_obeys_the_outbound_rules(app: Any, runner: Any, people: Any, ae_server: str) -> None:
    artifact = evaluated(app, "Fast sort")
    issued = _ok(runner.invoke(["badges", "issue", artifact, "available", "--by", "chair@ae.test"]))
    badge = _issued_id(issued)
    args = ["verify", f"{ae_server}/badges/{badge}.svg", "--jwks", f"{ae_server}/badges/jwks.json",
            "--status-list", f"{ae_server}/badges/status-list"]
    refused = runner.invoke(args)
    assert refused.exit_code == 2 and "resolves to a loopback address" in refused.output
    assert "not revoked" in _ok(runner.invoke([*args, "--allow-host", "127.0.0.1"]))
    private = runner.invoke(["verify", f"{ae_server}/badges/manage/ppopp-2019", "--allow-host", "127.0.0.1"])
    assert private.exit_code == 2 and "answered HTTP 401" in private.output
