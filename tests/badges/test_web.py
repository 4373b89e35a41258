"""Badge pages: a chair issues, withholds and revokes; everyone sees and verifies; nothing private leaks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from jwt.algorithms import OKPAlgorithm
from lxml import etree
from sqlmodel import select

from ae.storage.db import session_scope
from ae.storage.models import BadgeEvent, IssuedBadge
from tests.badges.helpers import csrf, evaluated


def chair_client(app: Any, people: Any, name: str = "chair") -> tuple[Any, dict[str, str]]:
    client = app.test_client()
    people.sign_in(client, name)
    return client, {"X-CSRFToken": csrf(client)}


def issue(client: Any, headers: dict[str, str], artifact: str, badge: str, note: str = "") -> Any:
    return client.post("/badges/manage/ppopp-2019/issue", headers=headers,
                       data={"artifact": artifact, "badge": badge, "note": note})


def stored(app: Any) -> tuple[list[IssuedBadge], list[BadgeEvent]]:
    with app.app_context(), session_scope() as session:
        rows = list(session.exec(select(IssuedBadge)).all())
        events = list(session.exec(select(BadgeEvent)).all())
        for row in [*rows, *events]:
            session.expunge(row)
    return rows, events


def test_a_chair_issues_a_badge_that_a_second_jose_library_verifies(app: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    client, headers = chair_client(app, people)
    answer = issue(client, headers, artifact, "replicated", "unanimous")
    assert answer.status_code == 303
    [row], [event] = stored(app)
    assert (row.artifact_id, row.badge, row.scheme, row.scheme_version) == (
        artifact, "replicated", "acm-1.0", "1.0")
    assert (event.action, event.actor_id, event.note, event.issued_badge_id) == (
        "issued", people.ids["chair"], "unanimous", row.id)
    anon = app.test_client()
    jwks = anon.get("/badges/jwks.json").get_json()
    token = anon.get(f"/badges/{row.id}.jwt").get_data(as_text=True)
    [key] = [k for k in jwks["keys"] if k["kid"] == pyjwt.get_unverified_header(token)["kid"]]
    codec = pyjwt.PyJWT()
    codec._jws.register_algorithm("Ed25519", OKPAlgorithm())
    claims = codec.decode(token, OKPAlgorithm.from_jwk(json.dumps(key)), algorithms=["Ed25519"],
                          options={"verify_nbf": False, "verify_iat": False})
    assert claims["credentialSubject"]["artifact"]["badge_id"] == "acm-1.0/replicated"
    assert claims["credentialSubject"]["artifact"]["commit"] == "c" * 40
    page = anon.get(f"/badges/{row.id}").get_data(as_text=True)
    assert "Valid: signed by this service's key" in page and "not revoked" in page
    image = anon.get(f"/badges/{row.id}.svg")
    assert image.mimetype == "image/svg+xml" and token in image.get_data(as_text=True)
    assert stat_mode(Path(app.instance_path) / "badge-keys.json") == 0o600


def stat_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.parametrize("who", ["author", "evaluator", "organizer", "outsider"])
def test_only_a_chair_issues_and_nothing_is_stored_otherwise(app: Any, people: Any, who: str) -> None:
    artifact = evaluated(app, "Fast sort", owner=people.ids["author"])
    people.assign(artifact, "evaluator")
    client, headers = chair_client(app, people, who)
    assert issue(client, headers, artifact, "replicated").status_code == 403
    assert client.post("/badges/manage/ppopp-2019/withhold", headers=headers,
                       data={"artifact": artifact, "badge": "replicated"}).status_code == 403
    assert client.get("/badges/manage/ppopp-2019").status_code == 403
    assert client.get("/badges/manage/ppopp-2019/export.csv").status_code == 403
    anonymous = app.test_client().post("/badges/manage/ppopp-2019/issue", data={"artifact": artifact})
    assert anonymous.status_code in (400, 401)
    assert stored(app) == ([], [])


@pytest.mark.parametrize(("artifact", "badge", "message"), [
    ("mine", "gold", "badge &#39;gold&#39; is not offered by ppopp-2019"),
    ("mine", "", "badge &#39;&#39; is not offered by ppopp-2019"),
    ("nope", "replicated", "no artifact &#39;0000"),
    ("other", "replicated", "no artifact"),
    ("unpinned", "available", "has no pinned commit yet"),
])
def test_bad_issuance_says_why_and_stores_nothing(app: Any, people: Any, artifact: str, badge: str,
                                                  message: str) -> None:
    ids = {"mine": evaluated(app, "Mine"), "nope": "0" * 32,
           "other": evaluated(app, "Elsewhere", conference="request-asplos18"),
           "unpinned": evaluated(app, "Unpinned", commit=None)}
    client, headers = chair_client(app, people)
    answer = issue(client, headers, ids[artifact], badge)
    assert answer.status_code == 303
    assert message in client.get(answer.headers["Location"]).get_data(as_text=True)
    assert stored(app) == ([], [])


def test_issuing_twice_is_refused_until_revoked_and_revocation_is_recorded_not_deleted(
        app: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    client, headers = chair_client(app, people)
    issue(client, headers, artifact, "replicated")
    again = issue(client, headers, artifact, "replicated")
    assert "already issued" in client.get(again.headers["Location"]).get_data(as_text=True)
    [row], _ = stored(app)
    empty = client.post(f"/badges/{row.id}/revoke", headers=headers, data={"reason": "  "})
    assert "a reason is required" in client.get(empty.headers["Location"]).get_data(as_text=True)
    assert client.post(f"/badges/{row.id}/revoke", headers=headers,
                       data={"reason": "the DOI points to a private copy"}).status_code == 303
    twice = client.post(f"/badges/{row.id}/revoke", headers=headers, data={"reason": "again"})
    assert "already revoked" in client.get(twice.headers["Location"]).get_data(as_text=True)
    [revoked], events = stored(app)
    assert revoked.id == row.id and revoked.credential == row.credential and revoked.revoked_at is not None
    assert revoked.revoked_by == people.ids["chair"]
    assert revoked.revoked_reason == "the DOI points to a private copy"
    assert [e.action for e in events] == ["issued", "revoked"]
    anon = app.test_client()
    assert "revoked by its issuer" in anon.get(f"/badges/{row.id}").get_data(as_text=True)
    verdict = anon.post("/badges/verify", headers={"X-CSRFToken": csrf(anon)},
                        data={"credential": row.credential})
    assert verdict.status_code == 422 and "revoked by its issuer (status list index 0)" in verdict.get_data(
        as_text=True)
    assert issue(client, headers, artifact, "replicated").status_code == 303  # re-issued after revocation
    rows, _ = stored(app)
    assert sorted(r.status_index for r in rows) == [0, 1]


def test_the_verification_page_takes_a_pasted_jwt_or_an_svg_and_names_what_fails(app: Any,
                                                                                  people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    client, headers = chair_client(app, people)
    issue(client, headers, artifact, "available")
    [row], _ = stored(app)
    anon = app.test_client()
    token = {"X-CSRFToken": csrf(anon)}
    svg = anon.get(f"/badges/{row.id}.svg").get_data()
    ok = anon.post("/badges/verify", headers=token, data={"image": (__import__("io").BytesIO(svg), "b.svg")},
                   content_type="multipart/form-data")
    assert ok.status_code == 200 and "Valid: Artifacts Available" in ok.get_data(as_text=True)
    head, body, sig = row.credential.split(".")
    tampered = anon.post("/badges/verify", headers=token, data={"credential": f"{head}.{body}x.{sig}"})
    assert tampered.status_code == 422
    assert "signature does not verify" in tampered.get_data(as_text=True) or "cannot be decoded" in (
        tampered.get_data(as_text=True))
    junk = anon.post("/badges/verify", headers=token, data={"credential": "<svg>nothing</svg>"})
    assert junk.status_code == 400 and "no badge credential found" in junk.get_data(as_text=True)
    big = anon.post("/badges/verify", headers=token, data={"credential": "a" * 300_000})
    assert big.status_code == 413


def test_the_public_page_and_feed_show_badges_and_nothing_private(app: Any, people: Any) -> None:
    shown = evaluated(app, "Fast sort", owner=people.ids["author"])
    hidden = evaluated(app, "Secret unbadged work", owner=people.ids["other_author"])
    people.assign(shown, "evaluator")
    client, headers = chair_client(app, people)
    issue(client, headers, shown, "replicated", "chair's private note")
    issue(client, headers, shown, "available")
    client.post("/badges/manage/ppopp-2019/withhold", headers=headers,
                data={"artifact": shown, "badge": "reusable", "note": "withheld: docs too thin"})
    rows, _ = stored(app)
    available = next(r for r in rows if r.badge == "available")
    client.post(f"/badges/{available.id}/revoke", headers=headers,
                data={"reason": "secret revocation reason"})
    anon = app.test_client()
    page = anon.get("/reproduced/ppopp-2019")
    feed = anon.get("/reproduced/ppopp-2019.json")
    assert page.status_code == feed.status_code == 200
    text, data = page.get_data(as_text=True), feed.get_json()
    assert "Fast sort" in text and "2 reproduced" in text and "revoked" in text
    assert [a["title"] for a in data["artifacts"]] == ["Fast sort"]
    assert [(b["badge"], b["revoked"]) for b in data["artifacts"][0]["badges"]] == [
        ("replicated", False), ("available", True)]
    assert data["artifacts"][0]["verdicts"] == {"reproduced": 2} and data["scheme"] == "acm-1.0"
    for secret in ("Secret unbadged work", hidden, "Author", "author@ae.test", "Evaluator",
                   "evaluator@ae.test", "chair's private note", "docs too thin", "secret revocation reason",
                   "Chair", "recommended"):
        assert secret not in text, secret
        assert secret not in json.dumps(data), secret
    assert anon.get("/reproduced/no-such-conference").status_code == 404


def test_the_chairs_page_shows_recommendations_with_reasons_and_the_trail(app: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    client, headers = chair_client(app, people)
    client.post("/badges/manage/ppopp-2019/withhold", headers=headers,
                data={"artifact": artifact, "badge": "reusable", "note": "docs too thin"})
    page = client.get("/badges/manage/ppopp-2019").get_data(as_text=True)
    assert "Fast sort" in page and "all 2 claims reproduced on our workers" in page
    assert "withheld Artifacts Evaluated – Reusable: docs too thin" in page


def test_the_acm_export_validates_against_the_dtd(app: Any, people: Any) -> None:
    artifact = evaluated(app, "Fast sort")
    client, headers = chair_client(app, people)
    issue(client, headers, artifact, "replicated")
    issue(client, headers, artifact, "available")
    answer = client.get("/badges/manage/ppopp-2019/export.acm-xml")
    assert answer.status_code == 200 and answer.mimetype == "application/xml"
    dtd = etree.DTD(str(Path(__file__).parent / "data" / "acm_artifact_v1.1.dtd"))
    root = etree.fromstring(answer.get_data(), etree.XMLParser(resolve_entities=False, no_network=True))
    assert dtd.validate(root), dtd.error_log.filter_from_errors()
    assert [e.get("reproducible_types") for e in root.iter("reproducible_type")] == [
        "Results_Replicated", "Artifacts_Available"]
    assert root.findtext("artifact/artifact_doi") == "10.5281/zenodo.42"
    for fmt in ("csv", "json", "sysartifacts"):
        assert "Fast sort" in client.get(f"/badges/manage/ppopp-2019/export.{fmt}").get_data(as_text=True)
    assert client.get("/badges/manage/ppopp-2019/export.pdf").status_code == 404


def test_the_chairs_page_combines_submitted_reviews_with_the_evidence(app: Any, people: Any) -> None:
    from ae.storage.models import Review, utcnow
    from ae.storage.queries import latest_version

    artifact = evaluated(app, "Fast sort")
    people.assign(artifact, "evaluator")
    with app.app_context(), session_scope() as session:
        version = latest_version(session=session, artifact_id=artifact)
        session.add(Review(artifact_id=artifact, version_id=version.id, user_id=people.ids["evaluator"],
                           round="full-evaluation", submitted_at=utcnow(),
                           answers={"badge:reusable": "yes", "badge:replicated": "no"}))
    client, _ = chair_client(app, people)
    page = client.get("/badges/manage/ppopp-2019").get_data(as_text=True)
    assert "Evaluator A (full-evaluation): yes" in page and "[review full-evaluation/Evaluator A]" in page
    assert "all 2 claims reproduced on our workers; reviews: 1 no" in page
    assert people.emails["evaluator"] not in page


def _review(app: Any, people: Any, artifact: str, answers: dict[str, str]) -> None:
    from ae.storage.models import Review, utcnow
    from ae.storage.queries import latest_version

    people.assign(artifact, "evaluator")
    with app.app_context(), session_scope() as session:
        version = latest_version(session=session, artifact_id=artifact)
        session.add(Review(artifact_id=artifact, version_id=version.id, user_id=people.ids["evaluator"],
                           round="full-evaluation", submitted_at=utcnow(), answers=answers))


def test_every_reader_shows_one_recommendation_and_the_issued_badges(app: Any, people: Any,
                                                                      runner: Any) -> None:
    from ae import conferences
    from ae.reporting.artifact import artifact_report

    artifact = evaluated(app, "Fast sort", owner=people.ids["author"], outcomes=())  # no claims to show
    _review(app, people, artifact, {"badge:reusable": "yes", "badge:replicated": "no"})
    chair, headers = chair_client(app, people)
    issue(chair, headers, artifact, "available")
    assert issue(chair, headers, artifact, "reusable").status_code == 303
    rows, _ = stored(app)
    reusable = next(r for r in rows if r.badge == "reusable")
    chair.post(f"/badges/{reusable.id}/revoke", headers=headers, data={"reason": "docs were copied"})
    combined = "all 2 claims reproduced on our workers; reviews: 1 no"

    api = app.test_client().get(f"/api/artifacts/{artifact}", headers=people.headers("author")).get_json()
    by_badge = {b["badge"]: b for b in api["badges"]}
    assert (by_badge["replicated"]["status"], by_badge["replicated"]["why"]) == ("needs-review", combined)
    assert by_badge["reusable"]["status"] == "recommended"  # the review alone speaks for it
    issued = {b["badge"]: b for b in api["issued"]}
    assert issued["available"]["status"] == "valid" and issued["reusable"]["status"] == "revoked"
    assert issued["reusable"]["revoked_reason"] == "docs were copied"
    base = app.config["BASE_URL"].rstrip("/")
    assert issued["available"]["url"] == f"{base}/badges/{issued['available']['id']}"
    assert issued["available"]["verify"] == f"{base}/badges/verify"

    out = runner.invoke(["status", artifact[:8]]).output
    assert f"badge Results Replicated: needs-review — {combined}" in out
    assert f"issued Artifacts Available on {issued['available']['issued_at'][:10]} (version 1): valid — " \
           f"{base}/badges/{issued['available']['id']}" in out
    assert "issued Artifacts Evaluated – Reusable" in out and "revoked" in out and "docs were copied" in out

    author = app.test_client()
    people.sign_in(author, "author")
    page = author.get(f"/artifacts/{artifact}").get_data(as_text=True)
    assert f"Results Replicated</strong>: needs-review — {combined}" in page
    assert f'href="/badges/{issued["available"]["id"]}"' in page and 'href="/badges/verify"' in page
    assert "revoked" in page and "docs were copied" in page and people.emails["evaluator"] not in page

    with app.app_context(), session_scope() as session:
        report = artifact_report(session=session, artifact_id=artifact, base_url=base, generated_at="now",
                                 conference=conferences.get("ppopp-2019"))
    assert {b["badge"]: b["status"] for b in report.badges}["replicated"] == "needs-review"
    assert [h["outcome"] for h in report.headline if h["badge"] == "available"] == ["awarded"]
