"""kgpub.secrets: credentials taken from a URL or ~/.netrc, resolved once for a command's URLs, and masked in
everything shown."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from kgpub.secrets import Credentials, check_url, credentials, netrc_password, redact, safe_url, split_credentials


@pytest.fixture
def netrc_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder of the test's own whose ~/.netrc names curator on 127.0.0.1."""
    (tmp_path / ".netrc").write_text("machine 127.0.0.1 login curator password from-netrc\n")
    os.chmod(tmp_path / ".netrc", 0o600)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(("url", "shown"), [
    ("http://bob:s3cret@127.0.0.1:3030/ds", "http://127.0.0.1:3030/ds"),
    ("http://bob@127.0.0.1/ds", "http://127.0.0.1/ds"),
    ("https://a%40b:p%3Ass@host/x?q=1", "https://host/x?q=1"),
    ("see http://u:p@h/x and https://v:q@k/y", "see http://h/x and https://k/y"),
    ("http://127.0.0.1/ds", "http://127.0.0.1/ds"),
    ("not a url", "not a url"),
])
def test_a_url_is_shown_without_its_credentials(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def test_the_credentials_of_a_url_are_decoded() -> None:
    assert split_credentials("https://a%40b:p%3Ass@host/x") == ("https://host/x", "a@b", "p:ss")
    assert split_credentials("http://bob@host/x") == ("http://host/x", "bob", None)
    assert split_credentials("http://host/x") == ("http://host/x", None, None)


def test_redact_masks_the_header_the_password_and_its_token() -> None:
    token = base64.b64encode(b"bob:s3cret").decode()
    text = f"you sent Authorization: Basic {token}; password s3cret; again {token}"
    assert redact(text, "bob", "s3cret") == "you sent Authorization: ***; password ***; again ***"
    assert redact("proxy-authorization=Digest abc") == "proxy-authorization=***"


@pytest.mark.parametrize(("url", "why"), [
    ("http://127.0.0.1:3030/ds", None),
    ("ftp://127.0.0.1/x", "not an http(s) URL (scheme 'ftp')"),
    ("not a url", "not an http(s) URL"),
    ("http://", "has no host"),
    ("http://127.0.0.1:0/x", "has port 0"),
])
def test_check_url(url: str, why: str | None) -> None:
    assert check_url(url) == why


def test_a_port_out_of_range_is_not_a_valid_url() -> None:
    assert (check_url("http://127.0.0.1:99999/x") or "").startswith("not a valid URL (")


def test_the_netrc_password_is_the_named_users(netrc_home: Path) -> None:
    assert netrc_password("http://127.0.0.1:3030/ds", "curator") == "from-netrc"
    assert netrc_password("http://127.0.0.1:3030/ds", "someone-else") is None
    assert netrc_password("http://localhost:3030/ds", "curator") is None


def test_credentials_as_given_win(netrc_home: Path) -> None:
    urls, given = credentials(["http://bob:url-pass@127.0.0.1/ds", None], "curator", "given-pass")
    assert urls == ["http://127.0.0.1/ds", None] and given == Credentials("curator", "given-pass")


def test_credentials_from_the_first_url_that_has_them(netrc_home: Path) -> None:
    urls, found = credentials(["http://127.0.0.1/ds", "http://bob:one@127.0.0.1/gsp", "http://eve:two@127.0.0.1/q"])
    assert urls == ["http://127.0.0.1/ds", "http://127.0.0.1/gsp", "http://127.0.0.1/q"]
    assert found == Credentials("bob", "one")
    # a URL's user without a password keeps the password given (KGPUB_PASSWORD)
    assert credentials(["http://bob@127.0.0.1/ds"], None, "env-pass")[1] == Credentials("bob", "env-pass")


def test_a_user_without_a_password_gets_netrcs(netrc_home: Path) -> None:
    assert credentials(["http://127.0.0.1:3030/ds"], "curator")[1] == Credentials("curator", "from-netrc")
    assert credentials(["http://curator@127.0.0.1:3030/ds"])[1] == Credentials("curator", "from-netrc")
    assert credentials(["http://127.0.0.1:3030/ds"], "someone-else")[1] == Credentials("someone-else", None)
    assert credentials(["http://127.0.0.1:3030/ds"])[1] == Credentials()  # no user: no netrc lookup
