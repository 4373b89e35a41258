"""Accounts through the real forms: sign-in, sessions, invitations, password resets, API tokens."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

PASSWORD = "correct horse battery staple"


def _csrf(client: Any, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))
    assert found, f"{url} has no CSRF token"
    return found.group(1)


def _post(client: Any, url: str, form_url: str | None = None, **data: Any) -> Any:
    return client.post(url, data={"csrf_token": _csrf(client, form_url or url), **data})


def test_sign_in_and_out(client: Any, people: Any) -> None:
    wrong = _post(client, "/login", email=people.emails["author"], password="not the password")
    assert wrong.status_code == 401 and b"not recognised" in wrong.data
    unknown = _post(client, "/login", email="nobody@ae.test", password=PASSWORD)
    assert unknown.status_code == 401 and unknown.data.count(b"not recognised") == 1
    assert client.post("/login", data={"email": people.emails["author"], "password": PASSWORD}).status_code \
        == 400, "a form without its CSRF token is refused"
    ok = _post(client, "/login", email=people.emails["author"].upper(), password=PASSWORD)
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert b"Author" in client.get("/account").data and b"ppopp-2019: author" in client.get("/account").data
    assert _post(client, "/logout", form_url="/account").status_code == 302
    assert client.get("/account").status_code == 302, "signed out: the account page asks to sign in"


def test_session_cookie_is_hardened_and_renewed_at_sign_in(app: Any, client: Any, people: Any) -> None:
    client.get("/login")
    before = client.get_cookie("session")
    response = _post(client, "/login", email=people.emails["author"], password=PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert before is not None and client.get_cookie("session").value != before.value
    app.config["SESSION_COOKIE_SECURE"] = True  # what init_app sets outside the embedded default
    secure = _post(client, "/login", email=people.emails["author"], password=PASSWORD)
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize("target", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)"])
def test_no_open_redirect_after_sign_in(client: Any, people: Any, target: str) -> None:
    response = _post(client, "/login", email=people.emails["author"], password=PASSWORD, next=target)
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_pages_that_need_a_user_send_visitors_to_sign_in(client: Any) -> None:
    response = client.get("/account")
    assert response.status_code == 302 and response.headers["Location"] == "/login?next=/account"


def test_sign_in_attempts_are_rate_limited(app: Any, client: Any, people: Any) -> None:
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    codes = [_post(client, "/login", email=people.emails["author"], password="wrong").status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]


def test_invitation_creates_the_account_with_its_role(runner: Any, client: Any, people: Any) -> None:
    result = runner.invoke(["conference", "invite", "newcomer@ae.test", "--conference", "ppopp-2019",
                            "--role", "evaluator"])
    assert result.exit_code == 0, result.output
    link = result.output.strip().splitlines()[-1]
    assert link.startswith("http://127.0.0.1:5000/invite/inv_")
    path = link.removeprefix("http://127.0.0.1:5000")
    page = client.get(path)
    assert b"<strong>evaluator</strong> of <strong>ppopp-2019</strong>" in page.data
    short = _post(client, path, name="New Comer", password="short")
    assert short.status_code == 400 and b"at least 10 characters" in short.data
    accepted = _post(client, path, name="New Comer", password=PASSWORD)
    assert accepted.status_code == 302
    assert b"ppopp-2019: evaluator" in client.get("/account").data
    _post(client, "/logout", form_url="/account")
    again = client.get(path)
    assert again.status_code == 400 and b"not valid (used, expired or mistyped)" in again.data


def test_an_invitation_to_an_existing_account_adds_the_role(runner: Any, client: Any, people: Any) -> None:
    link = runner.invoke(["conference", "invite", people.emails["author"], "--conference", "ppopp-2019",
                          "--role", "chair"]).output.strip().splitlines()[-1]
    path = link.removeprefix("http://127.0.0.1:5000")
    assert b"enter its password to accept" in client.get(path).data
    assert _post(client, path, password="not it at all").status_code == 401
    assert _post(client, path, password=PASSWORD).status_code == 302
    assert b"ppopp-2019: author, chair" in client.get("/account").data


def test_password_reset_by_link_ends_other_sessions(app: Any, client: Any, people: Any,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    other = app.test_client()
    people.sign_in(other, "author")
    assert other.get("/account").status_code == 200
    with caplog.at_level(logging.WARNING, logger="ae.web.auth"):
        response = _post(client, "/reset", email=people.emails["author"])
        _post(client, "/reset", email="nobody@ae.test")
    assert response.status_code == 302
    links = re.findall(r"http://127\.0\.0\.1:5000(/reset/rst_\S+)", caplog.text)
    assert len(links) == 1, "a link only for the account that exists"
    new_password = "an entirely new passphrase"
    assert _post(client, links[0], password=new_password).status_code == 302
    assert other.get("/account").status_code == 302, "the other session ended with the reset"
    assert people.sign_in(app.test_client(), "author").status_code == 401, "the old password is gone"
    assert people.sign_in(app.test_client(), "author", new_password).status_code == 302
    assert _post(app.test_client(), links[0], password="yet another passphrase").status_code == 400


def test_api_tokens_are_shown_once_scoped_and_revocable(client: Any, people: Any) -> None:
    people.sign_in(client, "author")
    made = _post(client, "/account/tokens", form_url="/account", name="laptop", scopes="read")
    assert made.status_code == 302
    page = client.get("/account").get_data(as_text=True)
    token = re.search(r"copy it now\): (ae_\S+)</div>", page)
    assert token, "the new token is shown once"
    assert token.group(1) not in client.get("/account").get_data(as_text=True), "and only once"
    headers = {"Authorization": f"Bearer {token.group(1)}"}
    fresh = client.__class__(client.application)  # no session cookie: the token alone
    assert fresh.get("/api/artifacts", headers=headers).status_code == 200
    refused = fresh.post("/api/artifacts", json={"conference": "ppopp-2019", "title": "t", "source": "x"},
                         headers=headers)
    assert refused.status_code == 403, "a read token cannot submit"
    assert fresh.get("/account", headers=headers).status_code == 403, "tokens never manage the account"
    token_id = re.search(r'/account/tokens/([0-9a-f]+)/revoke', page)
    assert token_id
    _post(client, f"/account/tokens/{token_id.group(1)}/revoke", form_url="/account")
    gone = fresh.get("/api/artifacts", headers=headers)
    assert gone.status_code == 401 and gone.get_json()["detail"].startswith("the API token is not valid")


def test_operator_cli_adds_the_first_administrator(runner: Any, client: Any) -> None:
    result = runner.invoke(["users", "add", "root@ae.test", "--name", "Root", "--admin", "--password-stdin"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "created root@ae.test (site administrator)" in result.output
    again = runner.invoke(["users", "add", "ROOT@ae.test", "--name", "Root", "--password-stdin"],
                          input=PASSWORD + "\n")
    assert again.exit_code == 2 and "an account for root@ae.test exists already" in again.output
    assert _post(client, "/login", email="root@ae.test", password=PASSWORD).status_code == 302
    made = runner.invoke(["tokens", "create", "--user", "root@ae.test", "--name", "ci", "--scope", "read"])
    token = made.output.strip().splitlines()[-1]
    assert token.startswith("ae_") and client.get(
        "/api/workers", headers={"Authorization": f"Bearer {token}"}).status_code == 200
