"""Alexa certificate-chain download: off the event loop, one download per URL, cached until expiry, bounded,
and a slow or failing certificate server gives a 401 error body instead of a stalled server. Clients choose the
URL, so downloads in flight are bounded, failed URLs are remembered for a while, and a stale timestamp is refused
before any download.

Every download goes over a real socket to `tests.support.cert_server` (the product's httpx client, routed there).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from api.app import create_app
from api.speaker.alexa import alexa_verifier
from api.speaker.certs import CertChains
from assistant.keys import SpeakerSettings, Unauthorized
from assistant.keys.settings import AlexaSettings
from assistant.services import Components
from assistant.settings import Settings
from benchmarks.support.live import services_for, settings_with
from tests.api.conftest import assert_error_body
from tests.api.speaker_pki import NOW, AlexaPki, alexa_pki, sign
from tests.api.test_speaker import alexa
from tests.support.cert_server import CertServer, LocalRoute

URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"


@pytest.fixture(scope="module")
def pki() -> AlexaPki:
    return alexa_pki()


@pytest.fixture
def cert_server(pki: AlexaPki) -> Iterator[CertServer]:
    server = CertServer(pki.chain_pem).start()
    yield server
    server.stop()


@pytest.fixture
def hanging_server(pki: AlexaPki) -> Iterator[CertServer]:
    server = CertServer(pki.chain_pem, hold=True).start()
    yield server
    server.stop()


async def _requested(server: CertServer) -> None:
    while not server.requested.is_set():
        await asyncio.sleep(0.01)


async def test_concurrent_gets_of_one_url_download_it_once(cert_server: CertServer, pki: AlexaPki) -> None:
    chains = CertChains(transport=LocalRoute(cert_server.port))
    got = await asyncio.gather(*(chains.get(URL, NOW) for _ in range(5)))
    assert got == [pki.chain_pem] * 5 and cert_server.hits == 1
    assert await chains.get(URL, NOW) == pki.chain_pem and cert_server.hits == 1


async def test_a_chain_is_fetched_again_once_its_earliest_not_after_has_passed(cert_server: CertServer) -> None:
    chains = CertChains(transport=LocalRoute(cert_server.port))
    await chains.get(URL, NOW)
    await chains.get(URL, NOW + timedelta(days=29))  # the test leaf is valid for 30 days
    assert cert_server.hits == 1
    await chains.get(URL, NOW + timedelta(days=31))
    assert cert_server.hits == 2


async def test_cache_keeps_n_chains_and_drops_the_least_recently_used_at_n_plus_1(cert_server: CertServer) -> None:
    chains = CertChains(AlexaSettings(cert_cache_entries=2), transport=LocalRoute(cert_server.port))
    urls = [f"https://s3.amazonaws.com/echo.api/cert-{i}.pem" for i in range(3)]
    for url in urls[:2]:
        await chains.get(url, NOW)
    await chains.get(urls[0], NOW)  # N chains: both kept, and cert-0 is now the most recently used
    assert cert_server.hits == 2 and len(chains) == 2
    await chains.get(urls[2], NOW)  # N + 1: cert-1 goes
    assert len(chains) == 2 and urls[1] not in chains and urls[0] in chains and urls[2] in chains
    await chains.get(urls[1], NOW)
    assert cert_server.hits == 4


async def test_a_failed_download_is_a_401_and_is_refused_without_a_download_until_its_ttl_passes(
        pki: AlexaPki) -> None:
    server = CertServer(pki.chain_pem, status=404).start()
    try:
        chains = CertChains(failure_ttl_s=60, transport=LocalRoute(server.port))
        with pytest.raises(Unauthorized, match="cannot fetch") as failed:
            await chains.get(URL, NOW)
        assert failed.value.code == "signature_cert_fetch" and URL not in chains
        server.status = 200
        with pytest.raises(Unauthorized, match="cannot fetch") as again:
            await chains.get(URL, NOW + timedelta(seconds=59))
        assert again.value.code == "signature_cert_fetch" and server.hits == 1  # no second connection
        assert await chains.get(URL, NOW + timedelta(seconds=61)) == pki.chain_pem and server.hits == 2
    finally:
        server.stop()


async def test_a_url_serving_no_certificate_is_a_failure_remembered_like_a_failed_download(pki: AlexaPki) -> None:
    server = CertServer(b"<html>not a chain</html>").start()
    try:
        chains = CertChains(transport=LocalRoute(server.port))
        for _ in range(2):
            with pytest.raises(Unauthorized, match="serves no certificate"):
                await chains.get(URL, NOW)
        assert server.hits == 1
    finally:
        server.stop()


async def test_failed_urls_remembered_are_n_and_the_oldest_is_forgotten_at_n_plus_1(pki: AlexaPki) -> None:
    server = CertServer(pki.chain_pem, status=404).start()
    try:
        chains = CertChains(max_failures=2, transport=LocalRoute(server.port))
        urls = [f"https://s3.amazonaws.com/echo.api/missing-{i}.pem" for i in range(3)]

        async def hits_after(url: str) -> int:
            with pytest.raises(Unauthorized):
                await chains.get(url, NOW)
            return server.hits

        assert [await hits_after(u) for u in urls[:2]] == [1, 2]
        assert [await hits_after(u) for u in urls[:2]] == [2, 2]  # N failures: both remembered
        assert await hits_after(urls[2]) == 3  # N + 1: missing-0 is forgotten
        assert await hits_after(urls[1]) == 3 and await hits_after(urls[0]) == 4
    finally:
        server.stop()


async def test_n_distinct_urls_download_at_once_and_the_n_plus_1th_is_refused_at_once(
        hanging_server: CertServer, pki: AlexaPki) -> None:
    chains = CertChains(max_downloads=2, transport=LocalRoute(hanging_server.port))
    urls = [f"https://s3.amazonaws.com/echo.api/any-{i}.pem" for i in range(3)]
    running = [asyncio.create_task(chains.get(url, NOW)) for url in urls[:2]]
    joined = asyncio.create_task(chains.get(urls[0], NOW))  # same URL: shares the download, takes no slot
    while hanging_server.hits < 2:
        await asyncio.sleep(0.01)
    with pytest.raises(Unauthorized, match="being fetched already") as refused:
        await asyncio.wait_for(chains.get(urls[2], NOW), timeout=1)
    assert refused.value.code == "signature_cert_fetch" and not joined.done()
    hanging_server.release()
    assert await asyncio.gather(*running, joined) == [pki.chain_pem] * 3
    assert await chains.get(urls[2], NOW) == pki.chain_pem  # the refusal is not remembered as a failure
    assert hanging_server.hits == 3


@pytest.mark.parametrize(("field", "limit", "over"), [("cert_fetch_timeout_s", 60, 60.01),
                                                      ("cert_cache_entries", 1024, 1025)])
def test_certificate_settings_accept_their_limit_and_refuse_past_it(field: str, limit: float, over: float) -> None:
    assert getattr(AlexaSettings(**{field: limit}), field) == limit
    with pytest.raises(ValidationError):
        AlexaSettings(**{field: over})
    with pytest.raises(ValidationError):
        AlexaSettings(**{field: 0})


@asynccontextmanager
async def _alexa_client(api_settings: Settings, components: Components, tmp_path: Path, pki: AlexaPki,
                        server: CertServer, **alexa_settings: Any) -> AsyncIterator[httpx.AsyncClient]:
    (tmp_path / "roots.pem").write_bytes(pki.root_pem)
    settings = settings_with(api_settings, speaker=SpeakerSettings(alexa=AlexaSettings(
        verify_signature=True, trusted_roots_path=tmp_path / "roots.pem", **alexa_settings)))
    # the store is not what these tests check: one SQLite file is enough
    with services_for(settings, components, f"sqlite:///{tmp_path / 'store.db'}") as services:
        app = create_app(services=services)
        alexa_verifier(app, services).chains.transport = LocalRoute(server.port)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test",
                                     timeout=60) as client:
            yield client


async def _launch(client: httpx.AsyncClient, pki: AlexaPki) -> httpx.Response:
    raw = json.dumps(alexa("LaunchRequest")).encode()
    return await client.post("/v1/speaker/alexa", content=raw, headers={
        "content-type": "application/json", "SignatureCertChainUrl": URL, "Signature-256": sign(pki.leaf_key, raw)})


async def test_two_concurrent_alexa_requests_fetch_the_chain_once(
        api_settings: Settings, components: Components, tmp_path: Path, pki: AlexaPki,
        hanging_server: CertServer) -> None:
    async with _alexa_client(api_settings, components, tmp_path, pki, hanging_server) as client:
        both = asyncio.gather(_launch(client, pki), _launch(client, pki))
        await _requested(hanging_server)
        await asyncio.sleep(0.2)  # the second request is waiting too by now
        hanging_server.release()
        assert [r.status_code for r in await both] == [200, 200]
        assert hanging_server.hits == 1


async def test_health_answers_while_the_certificate_server_hangs(
        api_settings: Settings, components: Components, tmp_path: Path, pki: AlexaPki,
        hanging_server: CertServer) -> None:
    async with _alexa_client(api_settings, components, tmp_path, pki, hanging_server) as client:
        launch = asyncio.create_task(_launch(client, pki))
        await _requested(hanging_server)
        health = await asyncio.wait_for(client.get("/health"), timeout=2)
        assert health.status_code == 200 and not launch.done()
        hanging_server.release()
        assert (await launch).status_code == 200


async def test_a_certificate_download_past_the_timeout_is_a_401_signature_cert_timeout(
        api_settings: Settings, components: Components, tmp_path: Path, pki: AlexaPki,
        hanging_server: CertServer) -> None:
    async with _alexa_client(api_settings, components, tmp_path, pki, hanging_server,
                             cert_fetch_timeout_s=0.3) as client:
        started = asyncio.get_running_loop().time()
        error = assert_error_body(await _launch(client, pki), 401)
        assert error["code"] == "signature_cert_timeout" and "0.3 s" in error["message"]
        assert asyncio.get_running_loop().time() - started < 5


async def test_a_stale_timestamp_is_refused_before_any_certificate_download(
        api_settings: Settings, components: Components, tmp_path: Path, pki: AlexaPki,
        cert_server: CertServer) -> None:
    stale = (NOW - timedelta(hours=1)).isoformat().replace("+00:00", "Z")
    raw = json.dumps(alexa("LaunchRequest", timestamp=stale)).encode()
    async with _alexa_client(api_settings, components, tmp_path, pki, cert_server) as client:
        response = await client.post("/v1/speaker/alexa", content=raw, headers={
            "content-type": "application/json", "SignatureCertChainUrl": URL,
            "Signature-256": sign(pki.leaf_key, raw)})
    assert assert_error_body(response, 401)["code"] == "timestamp_stale"
    assert cert_server.hits == 0
