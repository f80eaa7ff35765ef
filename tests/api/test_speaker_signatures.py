"""Speaker request signatures: CEK RSA-SHA256 over the body; Alexa certificate chain, signature and timestamp."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives import hashes

from api.speaker.certs import CertChains
from api.speaker.signatures import AlexaVerifier, ClovaVerifier, check_alexa_cert_url
from assistant.keys import Unauthorized
from tests.api.speaker_pki import NOW, alexa_pki, new_key, public_pem, sign
from tests.support.cert_server import CertServer, LocalRoute

BODY = b'{"version":"0.1.0","request":{"type":"LaunchRequest"}}'
CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-12.pem"


@pytest.fixture(scope="module")
def pki():
    return alexa_pki()


def _alexa(pki, **kwargs) -> AlexaVerifier:
    verifier = AlexaVerifier(pki.root_pem, **kwargs)
    verifier.chains.put(CERT_URL, pki.chain_pem)  # what the download of CERT_URL would return
    return verifier


def test_cek_signature_over_the_exact_body_is_accepted() -> None:
    key = new_key()
    ClovaVerifier(public_pem(key)).verify(BODY, sign(key, BODY))


@pytest.mark.parametrize("case", ["missing", "not_base64", "other_body", "other_key"])
def test_cek_bad_signatures_are_unauthorized(case: str) -> None:
    key = new_key()
    header = {"missing": None, "not_base64": "@@@", "other_body": sign(key, BODY + b" "),
              "other_key": sign(new_key(), BODY)}[case]
    with pytest.raises(Unauthorized):
        ClovaVerifier(public_pem(key)).verify(BODY, header)


async def test_alexa_signature_with_a_trusted_chain_is_accepted(pki) -> None:
    stamp = NOW.isoformat()
    await _alexa(pki).verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, stamp, now=NOW)
    await _alexa(pki).verify(BODY, CERT_URL, None, sign(pki.leaf_key, BODY, hashes.SHA1()), stamp, now=NOW)


@pytest.mark.parametrize("url", [
    "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "https://notamazon.com/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
])
def test_alexa_cert_urls_outside_amazon_echo_api_are_refused(url: str) -> None:
    with pytest.raises(Unauthorized):
        check_alexa_cert_url(url)


def test_alexa_cert_url_forms_amazon_documents_as_valid_pass() -> None:
    for url in ("https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
                "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
                "HTTPS://S3.AMAZONAWS.COM/echo.api/../echo.api/echo-api-cert.pem"):
        check_alexa_cert_url(url)


async def test_alexa_chain_from_an_untrusted_root_is_refused(pki) -> None:
    other = alexa_pki()
    verifier = AlexaVerifier(other.root_pem)
    verifier.chains.put(CERT_URL, pki.chain_pem)
    with pytest.raises(Unauthorized, match="not trusted"):
        await verifier.verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, NOW.isoformat(), now=NOW)


async def test_alexa_leaf_for_another_name_or_expired_is_refused() -> None:
    for pki in (alexa_pki(san="evil.example.com"), alexa_pki(not_after=NOW - timedelta(minutes=1))):
        server = CertServer(pki.chain_pem).start()  # an expired chain is never served from the cache: fetched
        try:
            verifier = AlexaVerifier(pki.root_pem, chains=CertChains(transport=LocalRoute(server.port)))
            with pytest.raises(Unauthorized, match="not trusted"):
                await verifier.verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, NOW.isoformat(), now=NOW)
        finally:
            server.stop()


async def test_alexa_tampered_body_and_stale_timestamp_are_refused(pki) -> None:
    with pytest.raises(Unauthorized, match="does not match"):
        await _alexa(pki).verify(BODY + b" ", CERT_URL, sign(pki.leaf_key, BODY), None, NOW.isoformat(), now=NOW)
    stale = (NOW - timedelta(seconds=151)).isoformat()
    with pytest.raises(Unauthorized, match="away from now"):
        await _alexa(pki).verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, stale, now=NOW)
    edge = (NOW - timedelta(seconds=150)).isoformat()
    await _alexa(pki).verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, edge, now=NOW)


async def test_alexa_unreachable_chain_is_unauthorized_not_a_crash(pki) -> None:
    with socket.socket() as closed:  # a port nobody listens on: a real "connection refused"
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    verifier = AlexaVerifier(pki.root_pem, chains=CertChains(transport=LocalRoute(port)))
    with pytest.raises(Unauthorized, match="cannot fetch") as refused:
        await verifier.verify(BODY, CERT_URL, sign(pki.leaf_key, BODY), None, NOW.isoformat(), now=NOW)
    assert refused.value.code == "signature_cert_fetch"
