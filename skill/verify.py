"""Check that an HTTPS request really comes from Alexa, for the self-hosted web endpoint.

Amazon requires every web-service skill to check, for each request: the certificate chain
URL, the chain itself (dates, the ``echo-api.amazon.com`` name, a path to a trusted root),
the ``Signature-256`` header over the exact raw body, the request timestamp, and the skill id.

This is written on ``cryptography`` (its ``x509.verification`` module does RFC 5280 path
validation and the name check) rather than on ask-sdk-webservice-support's own verifier,
whose certvalidator/oscrypto stack cannot load on OpenSSL 3.0.10 or later. Lambda never
imports this module: Alexa's trigger on Lambda needs no signature check.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import logging
import posixpath
import re
import threading
import urllib.request
import warnings
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

log = logging.getLogger("skill.verify")

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
ECHO_API_NAME = "echo-api.amazon.com"
CERT_HOST = "s3.amazonaws.com"
CERT_PATH_PREFIX = "/echo.api/"
MAX_CLOCK_SKEW = dt.timedelta(seconds=150)
# Amazon allows skill events (enabled, permission changed...) to arrive up to an hour late.
MAX_SKILL_EVENT_AGE = dt.timedelta(seconds=3600)
SKILL_EVENT_PREFIX = "AlexaSkillEvent."
MAX_CHAIN_BYTES = 64 * 1024
FETCH_TIMEOUT_SECONDS = 5.0
CACHE_SIZE = 8
_PEM_BLOCK = re.compile(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


class Headers(Protocol):
    """Case-insensitive header lookup, as Flask's request.headers provides."""

    def get(self, key: str, /) -> str | None: ...


class RequestRejectedError(Exception):
    """The request failed a check; ``reason`` is a short code, safe to log and return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def fetch_chain(url: str) -> bytes:
    """Download a PEM chain, refusing slow or oversized answers (Alexa waits for us)."""
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as answer:
        data: bytes = answer.read(MAX_CHAIN_BYTES + 1)
    if len(data) > MAX_CHAIN_BYTES:
        raise RequestRejectedError("cert_chain_too_large")
    return data


def default_roots() -> list[x509.Certificate]:
    """The public roots that Amazon's signing certificate chains to (certifi's bundle).

    Each root is read on its own: a few long-lived roots have negative serial numbers, which
    cryptography warns about today and may refuse later. One it refuses is left out rather
    than stopping start-up (Amazon's chain does not end at any of them).
    """
    import certifi

    roots = []
    for block in _PEM_BLOCK.findall(Path(certifi.where()).read_bytes()):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CryptographyDeprecationWarning)
            try:
                roots.append(x509.load_pem_x509_certificate(block))
            except ValueError:
                continue
    return roots


def check_cert_url(url: str) -> None:
    """Amazon's rules for ``SignatureCertChainUrl``; raises on any other form."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RequestRejectedError("cert_url_invalid") from None
    if parts.scheme.lower() != "https":
        raise RequestRejectedError("cert_url_not_https")
    if (parts.hostname or "").lower() != CERT_HOST:
        raise RequestRejectedError("cert_url_wrong_host")
    if port is not None and port != 443:
        raise RequestRejectedError("cert_url_wrong_port")
    if parts.username is not None or parts.password is not None:
        raise RequestRejectedError("cert_url_invalid")
    path = posixpath.normpath(unquote(parts.path)) if parts.path else ""
    if not path.startswith(CERT_PATH_PREFIX):
        raise RequestRejectedError("cert_url_wrong_path")


@dataclass
class _CachedChain:
    leaf: x509.Certificate
    expires: dt.datetime


@dataclass
class AlexaRequestVerifier:
    """Verifies that requests come from Alexa. Safe to share between threads.

    ``fetch`` and ``roots`` are injectable so that tests can use their own CA with no network.
    """

    fetch: Callable[[str], bytes] = fetch_chain
    roots: Sequence[x509.Certificate] = field(default_factory=default_roots)
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)
    _cache: OrderedDict[str, _CachedChain] = field(default_factory=OrderedDict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._store = Store(list(self.roots))

    # -- the signature, over the raw body -------------------------------------------------

    def check_signature(self, headers: Headers, body: bytes) -> None:
        url = headers.get(CERT_URL_HEADER)
        signature_text = headers.get(SIGNATURE_HEADER)
        if not url:
            raise RequestRejectedError("cert_url_missing")
        if not signature_text:
            raise RequestRejectedError("signature_missing")
        check_cert_url(url)
        try:
            signature = base64.b64decode(signature_text, validate=True)
        except (binascii.Error, ValueError):
            raise RequestRejectedError("signature_malformed") from None
        key = self._leaf(url).public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise RequestRejectedError("cert_key_not_rsa")
        try:
            key.verify(signature, body, padding.PKCS1v15(), SHA256())
        except InvalidSignature:
            raise RequestRejectedError("signature_invalid") from None

    def _leaf(self, url: str) -> x509.Certificate:
        """The validated signing certificate for ``url``, from the cache while it is valid."""
        now = self.clock()
        with self._lock:
            cached = self._cache.get(url)
            if cached is not None and cached.expires > now:
                self._cache.move_to_end(url)
                return cached.leaf
        try:
            pem = self.fetch(url)
        except RequestRejectedError:
            raise
        except Exception as exc:  # network errors take many forms; none may reach Alexa
            log.warning("event=cert_fetch_failed type=%s", type(exc).__name__)
            raise RequestRejectedError("cert_fetch_failed") from None
        if len(pem) > MAX_CHAIN_BYTES:
            raise RequestRejectedError("cert_chain_too_large")
        try:
            chain = x509.load_pem_x509_certificates(pem)
        except ValueError:
            raise RequestRejectedError("cert_chain_unreadable") from None
        leaf, intermediates = chain[0], chain[1:]
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(now)
            .build_server_verifier(x509.DNSName(ECHO_API_NAME))
        )
        try:
            verified = verifier.verify(leaf, intermediates)
        except VerificationError as exc:
            log.warning("event=cert_rejected detail=%s", _short(str(exc)))
            raise RequestRejectedError("cert_chain_invalid") from None
        expires = min(cert.not_valid_after_utc for cert in verified)
        with self._lock:
            self._cache[url] = _CachedChain(leaf, expires)
            self._cache.move_to_end(url)
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return leaf

    # -- the parsed request -------------------------------------------------------------

    def check_request(self, payload: Mapping[str, Any]) -> None:
        """The timestamp, once the (signed) body has been parsed."""
        request = payload.get("request")
        request_type = request.get("type") if isinstance(request, Mapping) else None
        stamp = request.get("timestamp") if isinstance(request, Mapping) else None
        if stamp is None:
            raise RequestRejectedError("timestamp_missing")
        if not isinstance(stamp, str):
            raise RequestRejectedError("timestamp_malformed")
        try:
            when = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise RequestRejectedError("timestamp_malformed") from None
        if when.tzinfo is None:
            raise RequestRejectedError("timestamp_malformed")
        # Skill events may arrive up to an hour late; nothing may come from the future.
        late = MAX_CLOCK_SKEW
        if isinstance(request_type, str) and request_type.startswith(SKILL_EVENT_PREFIX):
            late = MAX_SKILL_EVENT_AGE
        age = self.clock() - when
        if age > late or -age > MAX_CLOCK_SKEW:
            raise RequestRejectedError("timestamp_out_of_range")


def _short(text: str) -> str:
    """A validation error's text, made safe for one log line."""
    return "_".join(text.split())[:120]
