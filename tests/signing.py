"""A test certificate authority that signs requests the way Alexa does.

Alexa signs each request body with the private key of a certificate for
``echo-api.amazon.com`` and names the chain's URL in ``SignatureCertChainUrl``. Here a
root and an intermediate CA made with ``cryptography``'s builders stand in for Amazon's,
so the verifier runs its real checks with no network and no captured certificates.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"
NOW = dt.datetime(2026, 11, 25, 12, 0, 0, tzinfo=dt.UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class Authority:
    """A root CA and an intermediate under it."""

    name: str = "Test Root CA"
    root_key: rsa.RSAPrivateKey = field(default_factory=_rsa)
    intermediate_key: rsa.RSAPrivateKey = field(default_factory=_rsa)

    def __post_init__(self) -> None:
        start, end = NOW - dt.timedelta(days=3650), NOW + dt.timedelta(days=3650)
        self.root = self._ca(_name(self.name), self.root_key, self.root_key, None, start, end)
        self.intermediate = self._ca(
            _name(f"{self.name} Intermediate"),
            self.intermediate_key,
            self.root_key,
            self.root,
            start,
            end,
        )

    @staticmethod
    def _ca(
        subject: x509.Name,
        key: rsa.RSAPrivateKey,
        signer: rsa.RSAPrivateKey,
        issuer: x509.Certificate | None,
        start: dt.datetime,
        end: dt.datetime,
    ) -> x509.Certificate:
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(signer.public_key()),
                critical=False,
            )
        )
        return builder.sign(signer, hashes.SHA256())

    def leaf(
        self,
        *,
        key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | None = None,
        names: tuple[str, ...] = ("echo-api.amazon.com",),
        not_before: dt.datetime = NOW - dt.timedelta(days=30),
        not_after: dt.datetime = NOW + dt.timedelta(days=300),
    ) -> Signer:
        """A signing certificate issued by the intermediate, and its key."""
        key = key or _rsa()
        builder = (
            x509.CertificateBuilder()
            .subject_name(_name(names[0] if names else "no-san.example"))
            .issuer_name(self.intermediate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                critical=False,
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(
                    self.intermediate_key.public_key()
                ),
                critical=False,
            )
        )
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
        cert = builder.sign(self.intermediate_key, hashes.SHA256())
        return Signer(key, cert, self.intermediate)


@dataclass
class Signer:
    """Signs request bodies as Alexa does, with a certificate chain to serve at CERT_URL."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    cert: x509.Certificate
    intermediate: x509.Certificate

    @property
    def chain_pem(self) -> bytes:
        return b"".join(
            c.public_bytes(serialization.Encoding.PEM) for c in (self.cert, self.intermediate)
        )

    def signature(self, body: bytes) -> str:
        if isinstance(self.key, rsa.RSAPrivateKey):
            raw = self.key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        else:
            raw = self.key.sign(body, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(raw).decode("ascii")

    def headers(self, body: bytes, url: str = CERT_URL) -> dict[str, str]:
        return {
            "SignatureCertChainUrl": url,
            "Signature-256": self.signature(body),
            "Content-Type": "application/json; charset=utf-8",
        }


def body_of(event: dict[str, Any]) -> bytes:
    return json.dumps(event).encode("utf-8")


def pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)
