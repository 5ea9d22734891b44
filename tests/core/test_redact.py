"""The one redactor (core.redact): environment keys, a client's own key, key shapes, secret-named fields."""

from __future__ import annotations

from core import REDACTED, Redactor

KEY = "fmp-secret-1234567890"


def test_a_clients_own_key_is_redacted_wherever_it_appears():
    r = Redactor(secrets=[KEY], environ={})
    text = f"GET /stable/quote?symbol=AAPL&apikey={KEY} failed; key {KEY} rejected"
    out = r.text(text)
    assert KEY not in out and out.count(REDACTED) == 2


def test_environment_keys_header_lines_and_key_shapes():
    r = Redactor(environ={"OPENAI_API_KEY": "sk-live-abcdefghijkl", "MY_SERVICE_TOKEN": "tok-0987654321"})
    out = r.text("Authorization: Bearer sk-live-abcdefghijkl and tok-0987654321 and sk-othershape123456")
    assert "abcdefghijkl" not in out and "0987654321" not in out and "othershape" not in out


def test_secret_named_fields_in_structures_and_nothing_else():
    r = Redactor(environ={})
    data = {"headers": {"Authorization": "anything at all", "Accept": "json"}, "apikey": "x1", "n": 3, "items": ["plain"]}
    out = r(data)
    assert out["headers"]["Authorization"] == REDACTED and out["apikey"] == REDACTED
    assert out["headers"]["Accept"] == "json" and out["n"] == 3 and out["items"] == ["plain"]


def test_empty_and_short_secrets_are_not_redacted_everywhere():
    r = Redactor(secrets=["", None, "ab"], environ={})
    assert r.text("a cab ab") == "a cab ab"
