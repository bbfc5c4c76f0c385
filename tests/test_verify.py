"""skill.verify: the checks Amazon requires before a web-service skill may answer a request.

A test CA (tests/signing.py) stands in for Amazon's, and a ``ChainHost`` stands in for S3: it
serves PEM chains by URL and counts fetches, so the verifier runs every real check with no
network. The tables here (the URL forms, the chains and the refused signatures) are shared
with tests/test_web.py, which sends the same requests through the Flask app.
"""

from __future__ import annotations

import base64
import datetime as dt
import http.server
import socket
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.x509.oid import NameOID
from signing import CERT_URL, NOW, Authority, Signer, body_of, pem

from skill import envelopes, verify
from skill.verify import (
    CACHE_SIZE,
    CERT_URL_HEADER,
    MAX_CHAIN_BYTES,
    SIGNATURE_HEADER,
    AlexaRequestVerifier,
    RequestRejectedError,
    check_cert_url,
    default_roots,
)

STAMP = NOW.strftime("%Y-%m-%dT%H:%M:%SZ")


def s3(path: str) -> str:
    return f"https://s3.amazonaws.com/echo.api/{path}"


# -- the chains S3 would serve ----------------------------------------------------------------

EXPIRED_URL = s3("expired.pem")
NOT_YET_VALID_URL = s3("not-yet-valid.pem")
SHORT_LIVED_URL = s3("short-lived.pem")
UNTRUSTED_URL = s3("untrusted.pem")
UNTRUSTED_WITH_ROOT_URL = s3("untrusted-with-its-root.pem")
LEAF_ONLY_URL = s3("leaf-only.pem")
OTHER_NAME_URL = s3("other-name.pem")
NO_SAN_URL = s3("no-san.pem")
EC_URL = s3("ec.pem")
FETCH_FAILS_URL = s3("fetch-fails.pem")
FETCH_TIMES_OUT_URL = s3("fetch-times-out.pem")
TOO_LARGE_URL = s3("too-large.pem")
LARGEST_URL = s3("largest-allowed.pem")
GARBAGE_URL = s3("garbage.pem")
EMPTY_URL = s3("empty.pem")


@dataclass(frozen=True)
class Pki:
    """Amazon's CA, a stranger's CA, and the signing certificates the tests need.

    The faulty certificates reuse the good key, so a signature made with it is valid and only
    the certificate itself can be the reason for a refusal.
    """

    authority: Authority
    stranger: Authority
    good: Signer
    second: Signer  # same CA, another key
    strangers_signer: Signer  # another CA altogether
    expired: Signer
    not_yet_valid: Signer
    short_lived: Signer
    untrusted: Signer
    other_name: Signer
    no_san: Signer
    ec_key: Signer

    def chains(self) -> dict[str, bytes | BaseException]:
        """What each test URL serves: a chain, or the error fetching it raises."""
        good = self.good.chain_pem
        return {
            CERT_URL: good,
            EXPIRED_URL: self.expired.chain_pem,
            NOT_YET_VALID_URL: self.not_yet_valid.chain_pem,
            SHORT_LIVED_URL: self.short_lived.chain_pem,
            UNTRUSTED_URL: self.untrusted.chain_pem,
            UNTRUSTED_WITH_ROOT_URL: self.untrusted.chain_pem + pem(self.stranger.root),
            LEAF_ONLY_URL: pem(self.good.cert),
            OTHER_NAME_URL: self.other_name.chain_pem,
            NO_SAN_URL: self.no_san.chain_pem,
            EC_URL: self.ec_key.chain_pem,
            FETCH_FAILS_URL: OSError("connection refused"),
            FETCH_TIMES_OUT_URL: TimeoutError("timed out"),
            TOO_LARGE_URL: good + b"\n" * (MAX_CHAIN_BYTES + 1 - len(good)),
            LARGEST_URL: good + b"\n" * (MAX_CHAIN_BYTES - len(good)),
            GARBAGE_URL: b"<html>404 Not Found</html>",
            EMPTY_URL: b"",
        }


def build_pki() -> Pki:
    authority, stranger = Authority(), Authority(name="Stranger Root CA")
    good = authority.leaf()
    day = dt.timedelta(days=1)
    return Pki(
        authority=authority,
        stranger=stranger,
        good=good,
        second=authority.leaf(),
        strangers_signer=stranger.leaf(),
        expired=authority.leaf(key=good.key, not_before=NOW - 400 * day, not_after=NOW - day),
        not_yet_valid=authority.leaf(key=good.key, not_before=NOW + day, not_after=NOW + 9 * day),
        short_lived=authority.leaf(key=good.key, not_after=NOW + dt.timedelta(hours=1)),
        untrusted=stranger.leaf(key=good.key),
        other_name=authority.leaf(key=good.key, names=("echo-api.example.com",)),
        no_san=authority.leaf(key=good.key, names=()),
        ec_key=authority.leaf(key=ec.generate_private_key(ec.SECP256R1())),
    )


class ChainHost:
    """Stands in for S3: serves the chains by URL and counts every fetch."""

    def __init__(self, chains: Mapping[str, bytes | BaseException]) -> None:
        self.chains = dict(chains)
        self.fetches: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, url: str) -> bytes:
        with self._lock:
            self.fetches[url] += 1
        served = self.chains.get(url)
        if served is None:
            raise OSError(f"HTTP Error 403: Forbidden ({url})")
        if isinstance(served, BaseException):
            raise served
        return served


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


# -- the requests, signed and not ---------------------------------------------------------------

Headers = dict[str, str]
MakeAttempt = Callable[[Pki, bytes], tuple[Headers, bytes]]


def launch_body(session: envelopes.Session | None = None) -> bytes:
    """A LaunchRequest envelope, sent at NOW, as Alexa would serialise it."""
    event = (session or envelopes.Session()).envelope(envelopes.launch_request())
    event["request"]["timestamp"] = STAMP
    return body_of(event)


BODY = launch_body()


def signed(signer: Signer, body: bytes, url: str = CERT_URL) -> Headers:
    return signer.headers(body, url)


def without(headers: Headers, name: str) -> Headers:
    return {k: v for k, v in headers.items() if k != name}


def replaced(headers: Headers, name: str, value: str) -> Headers:
    return {**headers, name: value}


def sha1_signature(signer: Signer, body: bytes) -> str:
    assert not isinstance(signer.key, ec.EllipticCurvePrivateKey)
    raw = signer.key.sign(body, padding.PKCS1v15(), hashes.SHA1())
    return base64.b64encode(raw).decode("ascii")


def _legacy_header_only(p: Pki, body: bytes) -> tuple[Headers, bytes]:
    # The retired SHA-1 "Signature" header, without Signature-256.
    headers = without(signed(p.good, body), SIGNATURE_HEADER)
    return {**headers, "Signature": sha1_signature(p.good, body)}, body


# Each refused request: how it is made from a good body, and the reason it is refused for.
REFUSALS: dict[str, tuple[MakeAttempt, str]] = {
    "no-cert-url-header": (
        lambda p, b: (without(signed(p.good, b), CERT_URL_HEADER), b),
        "cert_url_missing",
    ),
    "empty-cert-url-header": (
        lambda p, b: (replaced(signed(p.good, b), CERT_URL_HEADER, ""), b),
        "cert_url_missing",
    ),
    "no-signature-header": (
        lambda p, b: (without(signed(p.good, b), SIGNATURE_HEADER), b),
        "signature_missing",
    ),
    "only-legacy-sha1-signature-header": (_legacy_header_only, "signature_missing"),
    "signature-not-base64": (
        lambda p, b: (replaced(signed(p.good, b), SIGNATURE_HEADER, "not*base64!"), b),
        "signature_malformed",
    ),
    "signature-too-short": (
        lambda p, b: (replaced(signed(p.good, b), SIGNATURE_HEADER, "c2lnbmF0dXJl"), b),
        "signature_invalid",
    ),
    "signed-with-sha1": (
        lambda p, b: (replaced(signed(p.good, b), SIGNATURE_HEADER, sha1_signature(p.good, b)), b),
        "signature_invalid",
    ),
    "body-changed-after-signing": (
        lambda p, b: (signed(p.good, b), b.replace(b"LaunchRequest", b"IntentRequest")),
        "signature_invalid",
    ),
    "whitespace-added-after-signing": (
        lambda p, b: (signed(p.good, b), b + b" "),
        "signature_invalid",
    ),
    "signed-by-another-key-same-ca": (
        lambda p, b: (signed(p.second, b), b),
        "signature_invalid",
    ),
    "signed-by-another-cas-key": (
        lambda p, b: (signed(p.strangers_signer, b), b),
        "signature_invalid",
    ),
    "expired-certificate": (
        lambda p, b: (signed(p.good, b, EXPIRED_URL), b),
        "cert_chain_invalid",
    ),
    "not-yet-valid-certificate": (
        lambda p, b: (signed(p.good, b, NOT_YET_VALID_URL), b),
        "cert_chain_invalid",
    ),
    "chain-to-untrusted-root": (
        lambda p, b: (signed(p.good, b, UNTRUSTED_URL), b),
        "cert_chain_invalid",
    ),
    "chain-carrying-its-own-untrusted-root": (
        lambda p, b: (signed(p.good, b, UNTRUSTED_WITH_ROOT_URL), b),
        "cert_chain_invalid",
    ),
    "chain-without-intermediate": (
        lambda p, b: (signed(p.good, b, LEAF_ONLY_URL), b),
        "cert_chain_invalid",
    ),
    "certificate-for-another-name": (
        lambda p, b: (signed(p.good, b, OTHER_NAME_URL), b),
        "cert_chain_invalid",
    ),
    "certificate-without-san": (
        lambda p, b: (signed(p.good, b, NO_SAN_URL), b),
        "cert_chain_invalid",
    ),
    "ec-key-certificate": (
        lambda p, b: (signed(p.ec_key, b, EC_URL), b),
        "cert_key_not_rsa",
    ),
    "chain-fetch-fails": (
        lambda p, b: (signed(p.good, b, FETCH_FAILS_URL), b),
        "cert_fetch_failed",
    ),
    "chain-fetch-times-out": (
        lambda p, b: (signed(p.good, b, FETCH_TIMES_OUT_URL), b),
        "cert_fetch_failed",
    ),
    "chain-not-found": (
        lambda p, b: (signed(p.good, b, s3("no-such-chain.pem")), b),
        "cert_fetch_failed",
    ),
    "chain-over-64-kib": (
        lambda p, b: (signed(p.good, b, TOO_LARGE_URL), b),
        "cert_chain_too_large",
    ),
    "chain-not-pem": (
        lambda p, b: (signed(p.good, b, GARBAGE_URL), b),
        "cert_chain_unreadable",
    ),
    "chain-empty": (
        lambda p, b: (signed(p.good, b, EMPTY_URL), b),
        "cert_chain_unreadable",
    ),
}

# Amazon's documented examples, and the other forms its rules allow.
VALID_CERT_URLS = {
    "documented": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "scheme-upper-case": "HTTPS://s3.amazonaws.com/echo.api/x.pem",
    "host-upper-case": "https://S3.AmazonAWS.com/echo.api/x.pem",
    "port-443": "https://s3.amazonaws.com:443/echo.api/x.pem",
    "dot-dot-back-into-echo-api": "https://s3.amazonaws.com/echo.api/../echo.api/x.pem",
}

# Every invalid form Amazon documents, and the tricks around them; each with its reason.
INVALID_CERT_URLS: dict[str, tuple[str, str]] = {
    "http": ("http://s3.amazonaws.com/echo.api/echo-api-cert.pem", "cert_url_not_https"),
    "ftp": ("ftp://s3.amazonaws.com/echo.api/x.pem", "cert_url_not_https"),
    "other-host": ("https://notamazon.com/echo.api/echo-api-cert.pem", "cert_url_wrong_host"),
    "amazon-host-as-prefix": (
        "https://s3.amazonaws.com.evil.com/echo.api/x.pem",
        "cert_url_wrong_host",
    ),
    "amazon-host-as-userinfo": (
        "https://s3.amazonaws.com@evil.com/echo.api/x.pem",
        "cert_url_wrong_host",
    ),
    "path-case-changed": (
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "cert_url_wrong_path",
    ),
    "other-path": (
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "cert_url_wrong_path",
    ),
    "dot-dot-out-of-echo-api": (
        "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
        "cert_url_wrong_path",
    ),
    "percent-encoded-dot-dot": (
        "https://s3.amazonaws.com/echo.api/%2e%2e/x",
        "cert_url_wrong_path",
    ),
    "percent-encoded-slash-and-dot-dot": (
        "https://s3.amazonaws.com/echo.api/..%2f..%2fother-bucket/x.pem",
        "cert_url_wrong_path",
    ),
    "echo-api-without-slash": ("https://s3.amazonaws.com/echo.api", "cert_url_wrong_path"),
    "no-path": ("https://s3.amazonaws.com", "cert_url_wrong_path"),
    "port-563": ("https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem", "cert_url_wrong_port"),
    "port-out-of-range": ("https://s3.amazonaws.com:99999/echo.api/x.pem", "cert_url_invalid"),
    "port-not-a-number": ("https://s3.amazonaws.com:https/echo.api/x.pem", "cert_url_invalid"),
    "userinfo": ("https://user:secret@s3.amazonaws.com/echo.api/x.pem", "cert_url_invalid"),
    "empty": ("", "cert_url_not_https"),
    "not-a-url": ("echo-api-cert.pem", "cert_url_not_https"),
}


# -- fixtures -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pki() -> Pki:
    return build_pki()


@pytest.fixture
def host(pki: Pki) -> ChainHost:
    return ChainHost(pki.chains())


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def verifier(pki: Pki, host: ChainHost, clock: Clock) -> AlexaRequestVerifier:
    return AlexaRequestVerifier(fetch=host, roots=[pki.authority.root], clock=clock)


def refusal(verifier: AlexaRequestVerifier, headers: Headers, body: bytes) -> str:
    """The reason ``verifier`` refuses this request for (it must refuse it)."""
    with pytest.raises(RequestRejectedError) as refused:
        verifier.check_signature(headers, body)
    assert str(refused.value) == refused.value.reason
    return refused.value.reason


# -- the certificate chain URL ------------------------------------------------------------------


@pytest.mark.parametrize("url", VALID_CERT_URLS.values(), ids=VALID_CERT_URLS.keys())
def test_valid_cert_url_forms_are_accepted(url: str) -> None:
    check_cert_url(url)


@pytest.mark.parametrize(
    ("url", "reason"), INVALID_CERT_URLS.values(), ids=INVALID_CERT_URLS.keys()
)
def test_invalid_cert_url_forms_are_refused(url: str, reason: str) -> None:
    with pytest.raises(RequestRejectedError) as refused:
        check_cert_url(url)
    assert refused.value.reason == reason


@pytest.mark.parametrize(
    ("url", "reason"), INVALID_CERT_URLS.values(), ids=INVALID_CERT_URLS.keys()
)
def test_invalid_cert_url_is_refused_before_anything_is_fetched(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, url: str, reason: str
) -> None:
    host.chains[url] = pki.good.chain_pem  # even a good chain there must not be used
    headers = signed(pki.good, BODY, url)
    expected = "cert_url_missing" if not url else reason
    assert refusal(verifier, headers, BODY) == expected
    assert not host.fetches, "an invalid URL must never be fetched"


@pytest.mark.parametrize("url", VALID_CERT_URLS.values(), ids=VALID_CERT_URLS.keys())
def test_request_signed_with_a_chain_at_any_valid_url_form_passes(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, url: str
) -> None:
    host.chains[url] = pki.good.chain_pem
    verifier.check_signature(signed(pki.good, BODY, url), BODY)
    assert host.fetches == {url: 1}


# -- the signature ------------------------------------------------------------------------------


def test_correctly_signed_request_passes(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost
) -> None:
    verifier.check_signature(signed(pki.good, BODY), BODY)
    assert host.fetches == {CERT_URL: 1}


def test_chain_of_exactly_64_kib_is_accepted(pki: Pki, verifier: AlexaRequestVerifier) -> None:
    verifier.check_signature(signed(pki.good, BODY, LARGEST_URL), BODY)


@pytest.mark.parametrize(("make", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_request_is_refused_with_its_reason(
    pki: Pki, verifier: AlexaRequestVerifier, make: MakeAttempt, reason: str
) -> None:
    headers, body = make(pki, BODY)
    assert refusal(verifier, headers, body) == reason


def test_headers_are_read_case_insensitively_through_a_mapping_that_does_so(
    pki: Pki, verifier: AlexaRequestVerifier
) -> None:
    class LowerCaseHeaders:
        def __init__(self, headers: Headers) -> None:
            self._headers = {k.lower(): v for k, v in headers.items()}

        def get(self, key: str, /) -> str | None:
            return self._headers.get(key.lower())

    verifier.check_signature(LowerCaseHeaders(signed(pki.good, BODY)), BODY)


# -- the certificate cache: never a way to make a later request fail -----------------------------


def test_same_chain_url_is_fetched_once(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost
) -> None:
    for _ in range(3):
        verifier.check_signature(signed(pki.good, BODY), BODY)
    assert host.fetches[CERT_URL] == 1


def test_cached_chain_is_fetched_again_once_it_expires_and_then_refused(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, clock: Clock
) -> None:
    headers = signed(pki.good, BODY, SHORT_LIVED_URL)
    verifier.check_signature(headers, BODY)
    clock.now = NOW + dt.timedelta(minutes=59)
    verifier.check_signature(headers, BODY)
    assert host.fetches[SHORT_LIVED_URL] == 1
    clock.now = NOW + dt.timedelta(minutes=61)
    assert refusal(verifier, headers, BODY) == "cert_chain_invalid"
    assert host.fetches[SHORT_LIVED_URL] == 2


def test_renewed_chain_at_the_same_url_is_used_once_the_old_one_expires(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, clock: Clock
) -> None:
    headers = signed(pki.good, BODY, SHORT_LIVED_URL)
    verifier.check_signature(headers, BODY)
    clock.now = NOW + dt.timedelta(hours=2)
    host.chains[SHORT_LIVED_URL] = pki.good.chain_pem  # Amazon renewed the certificate
    verifier.check_signature(headers, BODY)
    assert host.fetches[SHORT_LIVED_URL] == 2


def test_cache_keeps_at_most_cache_size_chains_dropping_the_least_recently_used(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost
) -> None:
    urls = [s3(f"chain-{n}.pem") for n in range(CACHE_SIZE + 3)]
    for url in urls:
        host.chains[url] = pki.good.chain_pem

    def check(url: str) -> None:
        verifier.check_signature(signed(pki.good, BODY, url), BODY)

    for url in urls[:CACHE_SIZE]:
        check(url)
    check(urls[0])  # used again: now the most recent
    for url in urls[CACHE_SIZE:]:
        check(url)
    assert len(verifier._cache) <= CACHE_SIZE
    check(urls[0])
    assert host.fetches[urls[0]] == 1, "a recently used chain was dropped"
    check(urls[1])
    assert host.fetches[urls[1]] == 2, "the least recently used chain was kept"
    assert len(verifier._cache) <= CACHE_SIZE


@pytest.mark.parametrize(
    "first",
    [OSError("connection reset"), b"garbage", b"expired"],
    ids=["fetch-failed", "unreadable-chain", "invalid-chain"],
)
def test_failed_fetch_or_validation_is_not_cached(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, first: bytes | OSError
) -> None:
    url = s3("flaky.pem")
    host.chains[url] = pki.expired.chain_pem if first == b"expired" else first
    headers = signed(pki.good, BODY, url)
    refusal(verifier, headers, BODY)
    host.chains[url] = pki.good.chain_pem
    verifier.check_signature(headers, BODY)
    assert host.fetches[url] == 2


@pytest.mark.parametrize(("make", "reason"), REFUSALS.values(), ids=REFUSALS.keys())
def test_refused_request_does_not_disturb_the_next_good_one(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost, make: MakeAttempt, reason: str
) -> None:
    verifier.check_signature(signed(pki.good, BODY), BODY)
    headers, body = make(pki, BODY)
    assert refusal(verifier, headers, body) == reason
    verifier.check_signature(signed(pki.good, BODY), BODY)
    assert host.fetches[CERT_URL] == 1


def test_verifier_shared_between_threads_checks_every_request(
    pki: Pki, verifier: AlexaRequestVerifier, host: ChainHost
) -> None:
    urls = [s3(f"thread-{n}.pem") for n in range(CACHE_SIZE * 2)]
    for url in urls:
        host.chains[url] = pki.good.chain_pem

    def check(n: int) -> str:
        url = urls[n % len(urls)]
        if n % 3 == 0:
            return refusal(verifier, signed(pki.second, BODY, url), BODY)
        verifier.check_signature(signed(pki.good, BODY, url), BODY)
        return "passed"

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(check, range(96)))
    assert results == ["signature_invalid" if n % 3 == 0 else "passed" for n in range(96)]
    assert len(verifier._cache) <= CACHE_SIZE


# -- the timestamp ------------------------------------------------------------------------------


def payload_at(
    when: dt.datetime | str | None, request_type: str = "LaunchRequest"
) -> dict[str, Any]:
    request: dict[str, Any] = {"type": request_type}
    if when is not None:
        request["timestamp"] = when if isinstance(when, str) else when.isoformat()
    return {"version": "1.0", "request": request}


@pytest.mark.parametrize(
    ("seconds", "request_type"),
    [
        (0, "LaunchRequest"),
        (149, "IntentRequest"),
        (-149, "IntentRequest"),
        (149, "SessionEndedRequest"),
        (3599, "AlexaSkillEvent.SkillEnabled"),
        (3599, "AlexaSkillEvent.SkillPermissionAccepted"),
    ],
    ids=[
        "on-time",
        "149s-old",
        "149s-ahead",
        "session-ended-149s-old",
        "skill-enabled-59min-old",
        "permission-accepted-59min-old",
    ],
)
def test_timestamp_within_the_allowed_skew_passes(
    verifier: AlexaRequestVerifier, seconds: int, request_type: str
) -> None:
    verifier.check_request(payload_at(NOW - dt.timedelta(seconds=seconds), request_type))


@pytest.mark.parametrize(
    ("seconds", "request_type"),
    [
        (151, "IntentRequest"),
        (-151, "IntentRequest"),
        (3599, "LaunchRequest"),
        (3601, "AlexaSkillEvent.SkillEnabled"),
        (86400, "AlexaSkillEvent.SkillDisabled"),
    ],
    ids=["151s-old", "151s-ahead", "hour-old-launch", "skill-enabled-61min-old", "day-old-event"],
)
def test_stale_or_future_timestamp_is_refused(
    verifier: AlexaRequestVerifier, seconds: int, request_type: str
) -> None:
    with pytest.raises(RequestRejectedError) as refused:
        verifier.check_request(payload_at(NOW - dt.timedelta(seconds=seconds), request_type))
    assert refused.value.reason == "timestamp_out_of_range"


@pytest.mark.parametrize(
    "stamp", ["2026-11-25T12:00:00Z", "2026-11-25T13:00:00+01:00", "2026-11-25T12:00:00.250Z"]
)
def test_timestamp_in_other_iso_forms_is_read(verifier: AlexaRequestVerifier, stamp: str) -> None:
    verifier.check_request(payload_at(stamp))


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (payload_at(None), "timestamp_missing"),
        ({"version": "1.0"}, "timestamp_missing"),
        ({"request": "LaunchRequest"}, "timestamp_missing"),
        ({"request": {"type": "LaunchRequest", "timestamp": 1795608000}}, "timestamp_malformed"),
        (payload_at("yesterday"), "timestamp_malformed"),
        (payload_at(""), "timestamp_malformed"),
        (payload_at("2026-11-25T12:00:00"), "timestamp_malformed"),
        (payload_at("2026-11-25"), "timestamp_malformed"),
    ],
    ids=[
        "no-timestamp",
        "no-request",
        "request-not-object",
        "unix-seconds",
        "garbage",
        "empty",
        "no-time-zone",
        "date-only",
    ],
)
def test_missing_or_unreadable_timestamp_is_refused(
    verifier: AlexaRequestVerifier, payload: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RequestRejectedError) as refused:
        verifier.check_request(payload)
    assert refused.value.reason == reason


# -- the production defaults --------------------------------------------------------------------


def _common_names(roots: list[Any]) -> set[str]:
    return {
        str(attribute.value)
        for root in roots
        for attribute in root.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    }


def test_default_roots_load_without_warnings_and_include_amazon_root_ca_1() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roots = default_roots()
        AlexaRequestVerifier()  # the production verifier builds its trust store from them
    assert "Amazon Root CA 1" in _common_names(roots)
    assert len(roots) > 50


# -- fetching a chain over HTTP: a size limit and a timeout -------------------------------------


class _ChainHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        size = int(self.path.strip("/"))
        self.send_response(200)
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.wfile.write(b"-" * size)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def chain_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _ChainHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_fetch_chain_returns_a_chain_up_to_64_kib(chain_server: str) -> None:
    assert len(verify.fetch_chain(f"{chain_server}/{MAX_CHAIN_BYTES}")) == MAX_CHAIN_BYTES


def test_fetch_chain_stops_reading_past_64_kib(chain_server: str) -> None:
    with pytest.raises(RequestRejectedError) as refused:
        verify.fetch_chain(f"{chain_server}/{4 * 1024 * 1024}")
    assert refused.value.reason == "cert_chain_too_large"


def test_fetch_chain_gives_up_on_a_host_that_never_answers(
    pki: Pki, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(verify, "FETCH_TIMEOUT_SECONDS", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/chain.pem"
        checker = AlexaRequestVerifier(
            fetch=lambda _: verify.fetch_chain(url), roots=[pki.authority.root]
        )
        started = time.monotonic()
        with pytest.raises(RequestRejectedError) as refused:
            checker.check_signature({CERT_URL_HEADER: CERT_URL, SIGNATURE_HEADER: "AAAA"}, BODY)
        assert time.monotonic() - started < 3
    assert refused.value.reason == "cert_fetch_failed"


def test_a_skill_event_may_be_an_hour_late_but_never_from_the_future(pki: Pki) -> None:
    verifier = AlexaRequestVerifier(
        fetch=lambda url: b"", roots=[pki.authority.root], clock=lambda: NOW
    )

    def event_at(offset: dt.timedelta) -> dict[str, Any]:
        stamp = (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"request": {"type": "AlexaSkillEvent.SkillEnabled", "timestamp": stamp}}

    verifier.check_request(event_at(-dt.timedelta(seconds=3500)))
    with pytest.raises(RequestRejectedError) as refused:
        verifier.check_request(event_at(dt.timedelta(seconds=3500)))
    assert refused.value.reason == "timestamp_out_of_range"
