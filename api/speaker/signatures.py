"""Request signature checks of the speaker platforms (`cryptography` does all the cryptography).

CLOVA (CEK): the `SignatureCEK` header is a base64 RSA PKCS#1 v1.5 / SHA-256 signature of the raw body, checked
against CLOVA's public key (PEM file named in `speaker.clova.public_key_path`).
Alexa (ASK): `SignatureCertChainUrl` must be https://s3.amazonaws.com/echo.api/... (port 443); the PEM chain it
names is downloaded without blocking the event loop and cached until it expires (`api.speaker.certs`); the leaf
must be valid now, name `echo-api.amazon.com` and chain to a trusted
root (`speaker.alexa.trusted_roots_path`, default certifi's bundle); `Signature-256` (or the legacy SHA-1
`Signature`) must verify over the raw body with the leaf's key. The request timestamp must be within
`max_clock_skew_s` (replay protection); it is checked before the chain is fetched, so a stale request opens no
outbound connection. Every failure is `Unauthorized` (401) with the reason.
"""

from __future__ import annotations

import base64
import binascii
import posixpath
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509 import DNSName, load_pem_x509_certificates
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from api.speaker.certs import CertChains
from assistant.keys import Unauthorized
from assistant.keys.settings import AlexaSettings

ALEXA_SAN = "echo-api.amazon.com"


def _decode_signature(value: str | None, header: str) -> bytes:
    if not value:
        raise Unauthorized(f"the {header} header is required", code="signature_missing")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise Unauthorized(f"the {header} header is not base64", code="signature_invalid") from None


def _verify_rsa(public_key: object, signature: bytes, body: bytes, algorithm: hashes.HashAlgorithm) -> None:
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise Unauthorized("the signing key is not an RSA key", code="signature_invalid")
    try:
        public_key.verify(signature, body, padding.PKCS1v15(), algorithm)
    except InvalidSignature:
        raise Unauthorized("the request signature does not match its body", code="signature_invalid") from None


class ClovaVerifier:
    def __init__(self, public_key_pem: bytes) -> None:
        self.public_key = serialization.load_pem_public_key(public_key_pem)

    @classmethod
    def from_file(cls, path: Path) -> ClovaVerifier:
        return cls(path.read_bytes())

    def verify(self, body: bytes, signature_header: str | None) -> None:
        _verify_rsa(self.public_key, _decode_signature(signature_header, "SignatureCEK"), body, hashes.SHA256())


def check_alexa_cert_url(url: str) -> None:
    parts = urlsplit(url)
    path = posixpath.normpath(parts.path) if parts.path else ""
    ok = (parts.scheme.lower() == "https" and (parts.hostname or "").lower() == "s3.amazonaws.com"
          and path.startswith("/echo.api/") and parts.port in (None, 443))
    if not ok:
        raise Unauthorized(f"SignatureCertChainUrl {url!r} is not an Amazon echo.api certificate URL",
                           code="signature_cert_url")


class AlexaVerifier:
    def __init__(self, roots_pem: bytes, settings: AlexaSettings | None = None, *,
                 chains: CertChains | None = None) -> None:
        """`settings` (None: the defaults) gives the clock skew allowed and, when `chains` is None, the signing
        chains' download timeout and cache size."""
        settings = settings if settings is not None else AlexaSettings()
        self.store = Store(load_pem_x509_certificates(roots_pem))
        self.max_clock_skew_s = settings.max_clock_skew_s
        self.chains = chains if chains is not None else CertChains(settings)

    @classmethod
    def from_settings(cls, settings: AlexaSettings) -> AlexaVerifier:
        roots_path = settings.trusted_roots_path
        if roots_path is None:
            import certifi

            roots_path = Path(certifi.where())
        return cls(roots_path.read_bytes(), settings)

    async def verify(self, body: bytes, cert_url: str | None, signature_256: str | None, signature_sha1: str | None,
                     timestamp: str | None, now: datetime | None = None) -> None:
        if not cert_url:
            raise Unauthorized("the SignatureCertChainUrl header is required", code="signature_missing")
        check_alexa_cert_url(cert_url)
        now = now or datetime.now(UTC)
        # Before any download: a stale or missing timestamp costs no outbound connection.
        check_timestamp(timestamp, now, self.max_clock_skew_s)
        pem = await self.chains.get(cert_url, now)
        try:
            certs = load_pem_x509_certificates(pem)
            verifier = PolicyBuilder().store(self.store).time(now).build_server_verifier(DNSName(ALEXA_SAN))
            verifier.verify(certs[0], certs[1:])
        except (ValueError, VerificationError) as exc:
            self.chains.forget(cert_url)
            raise Unauthorized(f"the signing certificate is not trusted: {exc}", code="signature_cert") from None
        algorithm: hashes.HashAlgorithm
        if signature_256:
            signature, algorithm = _decode_signature(signature_256, "Signature-256"), hashes.SHA256()
        else:
            header = "Signature" if signature_sha1 else "Signature-256"  # neither sent: ask for the current one
            signature, algorithm = _decode_signature(signature_sha1, header), hashes.SHA1()
        _verify_rsa(certs[0].public_key(), signature, body, algorithm)


def check_timestamp(timestamp: str | None, now: datetime, max_skew_s: float) -> None:
    try:
        moment = datetime.fromisoformat((timestamp or "").replace("Z", "+00:00"))
    except ValueError:
        raise Unauthorized("request.timestamp is missing or not ISO 8601", code="timestamp_invalid") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if abs((now - moment).total_seconds()) > max_skew_s:
        raise Unauthorized(f"request.timestamp is more than {max_skew_s:g} s away from now", code="timestamp_stale")
