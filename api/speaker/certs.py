"""Alexa signing-certificate chains, fetched without blocking the event loop and cached by URL.

`CertChains.get(url, now)` returns the PEM chain that `url` serves. The download runs on httpx's async client
under one total deadline (`timeout_s`), so a slow or hanging certificate server delays only the requests that
need that chain. Concurrent callers for one URL share a single download. A chain is kept until the earliest
notAfter among its certificates, at most `max_entries` chains are kept (the least recently used goes first).
A failed download is `Unauthorized` (401) with code `signature_cert_timeout` (deadline passed) or
`signature_cert_fetch` (connection or HTTP error, or no certificate in the answer); the caller checks the URL
before asking.

Unauthenticated clients choose the URL (any path under s3.amazonaws.com/echo.api/), so outbound connections are
bounded: at most `max_downloads` distinct URLs are fetched at once, and a request that would start one more is
refused at once with `signature_cert_fetch` rather than queued (a queue would hold requests open and still let
them pile up; Alexa itself uses a handful of URLs, cached after the first success). A failed URL is refused
without a new download for `failure_ttl_s` (at most `max_failures` such URLs remembered, oldest dropped first).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime, timedelta

import httpx
from cryptography.x509 import load_pem_x509_certificates

from assistant.keys import Unauthorized
from assistant.keys.settings import AlexaSettings


def chain_expiry(pem: bytes) -> datetime:
    """The earliest notAfter in the chain: past it the chain cannot verify, so it is fetched again."""
    return min(cert.not_valid_after_utc for cert in load_pem_x509_certificates(pem))


class CertChains:
    def __init__(self, settings: AlexaSettings | None = None, *, max_downloads: int = 4,
                 failure_ttl_s: float = 60.0, max_failures: int = 256,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        """`settings` (None: the defaults) gives the download timeout and the number of chains kept."""
        settings = settings if settings is not None else AlexaSettings()
        self.timeout_s = settings.cert_fetch_timeout_s
        self.max_entries = settings.cert_cache_entries
        self.max_downloads = max_downloads
        self.failure_ttl = timedelta(seconds=failure_ttl_s)
        self.max_failures = max_failures
        self.transport = transport  # None: the network; tests route the Amazon URL to a local server
        self._kept: OrderedDict[str, tuple[datetime, bytes]] = OrderedDict()
        self._pending: dict[str, asyncio.Task[bytes]] = {}  # one task per URL: its size is the downloads in flight
        self._failed: OrderedDict[str, tuple[datetime, Unauthorized]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, url: object) -> bool:
        return url in self._kept

    def put(self, url: str, pem: bytes) -> bool:
        """Keep `pem` for `url` until it expires; a chain without a readable certificate is not kept (False)."""
        try:
            expires = chain_expiry(pem)
        except ValueError:
            return False
        self._kept[url] = (expires, pem)
        self._kept.move_to_end(url)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)
        return True

    def forget(self, url: str) -> None:
        self._kept.pop(url, None)

    async def get(self, url: str, now: datetime) -> bytes:
        kept = self._kept.get(url)
        if kept is not None and kept[0] > now:
            self._kept.move_to_end(url)
            return kept[1]
        failed = self._failed.get(url)
        if failed is not None:
            if failed[0] > now:
                raise Unauthorized(failed[1].message, code=failed[1].code)
            del self._failed[url]
        task = self._pending.get(url)
        if task is None:
            if len(self._pending) >= self.max_downloads:
                raise Unauthorized(f"{self.max_downloads} certificate chains are being fetched already; try again",
                                   code="signature_cert_fetch")
            task = asyncio.get_running_loop().create_task(self._fetch_and_keep(url, now))
            self._pending[url] = task
            task.add_done_callback(lambda done: self._settled(url, done))
        # shield: one caller giving up (client gone) must not cancel the download the others wait for
        return await asyncio.shield(task)

    def _settled(self, url: str, task: asyncio.Task[bytes]) -> None:
        if self._pending.get(url) is task:
            del self._pending[url]
        if not task.cancelled():
            task.exception()  # retrieved here, so a failure nobody waits for any more is not logged as lost

    async def _fetch_and_keep(self, url: str, now: datetime) -> bytes:
        try:
            pem = await self._download(url)
            if not self.put(url, pem):
                raise Unauthorized("the certificate chain URL serves no certificate", code="signature_cert_fetch")
        except Unauthorized as exc:
            self._failed[url] = (now + self.failure_ttl, exc)
            self._failed.move_to_end(url)
            while len(self._failed) > self.max_failures:
                self._failed.popitem(last=False)
            raise
        return pem

    async def _download(self, url: str) -> bytes:
        try:
            async with asyncio.timeout(self.timeout_s):
                async with httpx.AsyncClient(transport=self.transport, timeout=self.timeout_s) as client:
                    response = await client.get(url)
                    response.raise_for_status()
                    return response.content
        except (TimeoutError, httpx.TimeoutException):
            raise Unauthorized(f"fetching the certificate chain took longer than {self.timeout_s:g} s",
                               code="signature_cert_timeout") from None
        except (httpx.HTTPError, OSError) as exc:
            raise Unauthorized(f"cannot fetch the certificate chain: {exc}", code="signature_cert_fetch") from None
