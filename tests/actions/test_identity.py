"""Staff only from signed claims bound to the conversation (actions.identity), no server needed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions.identity import (
    ISSUER,
    ClaimVerifier,
    IdentityError,
    bridge_claim,
    mint_claim,
    resolve_role,
)
from settings.services import IdentitySettings, SettingsError, load_settings

SECRET = "test-role-secret-0123456789abcdef0123"
PORTAL_SECRET = "portal-secret-0123456789abcdef0123456789"
NOW = 1_750_000_000.0
SENDER = "web-session-1"
LOCAL = IdentitySettings(
    role_secret=SECRET, staff_telegram_ids=frozenset({"111"}), staff_zalo_ids=frozenset({"z9"})
)
PORTAL = IdentitySettings(
    role_secret=SECRET,
    portal_jwt_secret=PORTAL_SECRET,
    portal_jwt_issuer="https://portal.tinh.gov.vn",
)


def portal_token(key: Any = PORTAL_SECRET, algorithm: str = "HS256", **override: Any) -> str:
    claims = {
        "iss": "https://portal.tinh.gov.vn",
        "aud": "trolyao-ioc",
        "sub": "canbo01",
        "sid": SENDER,
        "role": "staff",
        "iat": int(NOW),
        "exp": int(NOW) + 600,
        **override,
    }
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm)


def test_minted_claim_is_staff_only_in_its_own_conversation() -> None:
    token = mint_claim(SENDER, SECRET, ttl_s=300, subject="cli", now=NOW)
    claims = ClaimVerifier(LOCAL).verify(token, SENDER, now=NOW + 10)
    assert claims is not None
    assert (claims.subject, claims.sender, claims.issuer) == ("cli", SENDER, ISSUER)
    assert resolve_role({"role_token": token}, SENDER, LOCAL, now=NOW) == "staff"
    assert resolve_role({"role_token": token}, "another", LOCAL, now=NOW) == "citizen"
    assert resolve_role({"role_token": token}, SENDER, LOCAL, now=NOW + 400) == "citizen"


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        {},
        {"role": "staff"},
        {"channel": "telegram", "user_id": "111"},
        {"channel": "telegram", "user_id": 111, "role": "staff"},
        {"channel": "zalo", "user_id": "z9", "is_staff": True},
        {"role_token": None},
        {"role_token": ""},
        {"role_token": 42},
        {"role_token": ["a.b.c"]},
        {"role_token": {"role": "staff"}},
        {"role_token": "a.b.c"},
        {"role_token": "é.é.é"},
        {"role_token": "x" * 100_000},
        {"role_token": jwt.encode({"role": "staff", "sid": SENDER}, "x" * 32, algorithm="HS256")},
        {"role_token": jwt.encode({"role": "staff", "sid": SENDER}, None, algorithm="none")},
    ],
)
def test_unsigned_or_malformed_metadata_is_citizen(metadata: Any) -> None:
    assert resolve_role(metadata, SENDER, PORTAL, now=NOW) == "citizen"
    assert resolve_role(metadata, "telegram:111", LOCAL, now=NOW) == "citizen"


def test_claim_signed_with_another_key_or_for_a_citizen_is_refused() -> None:
    forged = mint_claim(SENDER, "another-secret-0123456789abcdef0123", ttl_s=60, now=NOW)
    assert resolve_role({"role_token": forged}, SENDER, LOCAL, now=NOW) == "citizen"
    citizen = portal_token(role="citizen")
    assert resolve_role({"role_token": citizen}, SENDER, PORTAL, now=NOW) == "citizen"
    # the assistant's secret is not accepted for portal-issued claims and vice versa
    assert resolve_role({"role_token": portal_token(key=SECRET)}, SENDER, PORTAL) == "citizen"


def test_no_secret_means_nothing_verifies_and_nothing_is_minted() -> None:
    token = mint_claim(SENDER, SECRET, ttl_s=60)
    assert resolve_role({"role_token": token}, SENDER, IdentitySettings()) == "citizen"
    with pytest.raises(IdentityError, match="ASSISTANT_ROLE_SECRET"):
        mint_claim(SENDER, "", ttl_s=60)
    with pytest.raises(IdentityError, match="ttl"):
        mint_claim(SENDER, SECRET, ttl_s=10_000, max_ttl_s=600)


@pytest.mark.parametrize(
    ("override", "role"),
    [
        ({}, "staff"),
        ({"sid": "another-session"}, "citizen"),
        ({"sid": None}, "citizen"),
        ({"iss": "https://evil.example"}, "citizen"),
        ({"aud": "another-app"}, "citizen"),
        ({"aud": None}, "citizen"),
        ({"exp": int(NOW) - 120}, "citizen"),
        ({"exp": None}, "citizen"),
        ({"iat": None}, "citizen"),
        ({"iat": int(NOW) + 3600, "exp": int(NOW) + 4000}, "citizen"),  # issued in the future
        ({"exp": int(NOW) + 9 * 3600}, "citizen"),  # lifetime over the 8 h maximum
        ({"exp": "tomorrow"}, "citizen"),
        ({"iat": True}, "citizen"),
        ({"nbf": int(NOW) + 3600}, "citizen"),
        ({"role": ["staff"]}, "citizen"),
        ({"sub": 7}, "citizen"),
    ],
)
def test_portal_jwt_checks(override: dict[str, Any], role: str) -> None:
    token = portal_token(**override)
    assert resolve_role({"role_token": token}, SENDER, PORTAL, now=NOW + 5) == role


def test_portal_rs256_public_key_from_a_file(tmp_path: Path) -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (tmp_path / "portal.pem").write_bytes(pem)
    settings = load_settings(
        {
            "ASSISTANT_PORTAL_JWT_PUBLIC_KEY_FILE": str(tmp_path / "portal.pem"),
            "ASSISTANT_PORTAL_JWT_ISSUER": "https://portal.tinh.gov.vn",
        }
    ).identity
    token = portal_token(key=private, algorithm="RS256")
    assert resolve_role({"role_token": token}, SENDER, settings, now=NOW) == "staff"
    # algorithm confusion: an HS256 token "signed" with the public key text is refused
    confused = jwt.encode({"x": 1}, "k" * 40, algorithm="HS256")
    assert resolve_role({"role_token": confused}, SENDER, settings, now=NOW) == "citizen"
    (tmp_path / "bad.pem").write_text("not a key", encoding="utf-8")
    bad = IdentitySettings(
        portal_jwt_public_key_file=tmp_path / "bad.pem", portal_jwt_issuer="https://p"
    )
    with pytest.raises(IdentityError, match="PEM"):
        ClaimVerifier(bad)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ASSISTANT_ROLE_SECRET": "short"}, "too short"),
        ({"ASSISTANT_PORTAL_JWT_SECRET": PORTAL_SECRET}, "ASSISTANT_PORTAL_JWT_ISSUER"),
        ({"ASSISTANT_CLAIM_TTL_S": "99999"}, "ASSISTANT_STAFF_TOKEN_MAX_TTL_S"),
    ],
)
def test_bad_identity_settings_stop_at_start(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(env)


def test_bridge_signs_only_for_allow_listed_users_on_their_channel() -> None:
    token = bridge_claim("telegram", "111", "tg:111", LOCAL)
    assert token is not None
    assert resolve_role({"role_token": token}, "tg:111", LOCAL) == "staff"
    assert resolve_role({"role_token": token}, "tg:222", LOCAL) == "citizen"
    assert bridge_claim("zalo", "111", "zalo:111", LOCAL) is None  # other channel's list
    assert bridge_claim("telegram", "222", "tg:222", LOCAL) is None
    assert bridge_claim("telegram", "111", "tg:111", IdentitySettings(
        staff_telegram_ids=frozenset({"111"})
    )) is None  # fmt: skip


# --- property: the verifier never raises and never says staff for what it did not sign ---------

_VALID = mint_claim(SENDER, SECRET, ttl_s=300, now=NOW)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _sign(claims: dict[str, Any], key: str) -> str:
    """An HS256 JWT with any claims at all (PyJWT refuses to encode some of them)."""
    head = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = _b64(json.dumps(claims).encode())
    mac = hmac.new(key.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{_b64(mac)}"


_token_text = st.one_of(
    st.text(max_size=300),
    st.text(
        alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.=", max_size=400
    ),
    # valid structure, one segment mangled
    st.builds(
        lambda i, junk: ".".join(
            junk if n == i else part for n, part in enumerate(_VALID.split("."))
        ),
        st.integers(0, 2),
        st.text(max_size=80),
    ),
    # a self-made JWT with arbitrary claims and a key the verifier does not hold
    st.builds(
        lambda claims, key: _sign(claims, key),
        st.dictionaries(
            st.sampled_from(["iss", "aud", "sub", "sid", "role", "iat", "exp", "nbf"]),
            st.one_of(st.text(max_size=20), st.integers(), st.none(), st.booleans()),
        ),
        st.text(min_size=32, max_size=40).filter(lambda k: k != SECRET and k != PORTAL_SECRET),
    ),
)
_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _token_text, st.binary()),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(), inner)),
    max_leaves=4,
)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    metadata=st.one_of(
        _values,
        st.fixed_dictionaries(
            {"role_token": _values},
            optional={
                "role": st.just("staff"),
                "channel": st.sampled_from(["telegram", "zalo", "web", "rest"]),
                "user_id": st.sampled_from(["111", "z9", 111]),
            },
        ),
    ),
    sender=st.one_of(st.just(SENDER), st.text(max_size=40), st.integers(), st.none()),
)
def test_verifier_never_raises_and_never_grants_staff(metadata: Any, sender: Any) -> None:
    verifier = ClaimVerifier(PORTAL)
    assert verifier.role(metadata, sender, now=NOW) == "citizen"


def test_property_baseline_valid_claim_is_staff() -> None:
    """The property above is not vacuous: the untouched claim does verify."""
    assert ClaimVerifier(PORTAL).role({"role_token": _VALID}, SENDER, now=NOW + 1) == "staff"
    assert time.time() > NOW  # the fixed clock is in the past: nothing depends on today
