"""Alexa signing-certificate chains, fetched without blocking the event loop and cached by URL.

`CertChains.get(url, now)` returns the PEM chain that `url` serves. The download runs on httpx's async client
under one total deadline (`timeout_s`), so a slow or hanging certificate server delays only the requests that
need that chain. Concurrent callers for one URL share a single download. A chain is kept until the earliest
notAfter among its certificates, at most `max_entries` chains are kept (the least recently used goes first), and
failures are not cached. A failed download is `Unauthorized` (401) with code `signature_cert_timeout` (deadline
passed) or `signature_cert_fetch` (connection or HTTP error); the caller checks the URL before asking.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from datetime import datetime

import httpx
from cryptography.x509 import load_pem_x509_certificates

from assistant.keys import Unauthorized


def chain_expiry(pem: bytes) -> datetime:
    """The earliest notAfter in the chain: past it the chain cannot verify, so it is fetched again."""
    return min(cert.not_valid_after_utc for cert in load_pem_x509_certificates(pem))


class CertChains:
    def __init__(self, *, timeout_s: float = 5.0, max_entries: int = 16,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.timeout_s = timeout_s
        self.max_entries = max_entries
        self.transport = transport  # None: the network; tests route the Amazon URL to a local server
        self._kept: OrderedDict[str, tuple[datetime, bytes]] = OrderedDict()
        self._pending: dict[str, asyncio.Task[bytes]] = {}

    def __len__(self) -> int:
        return len(self._kept)

    def __contains__(self, url: object) -> bool:
        return url in self._kept

    def put(self, url: str, pem: bytes) -> None:
        """Keep `pem` for `url` until it expires; a chain without a readable certificate is not kept."""
        try:
            expires = chain_expiry(pem)
        except ValueError:
            return
        self._kept[url] = (expires, pem)
        self._kept.move_to_end(url)
        while len(self._kept) > self.max_entries:
            self._kept.popitem(last=False)

    def forget(self, url: str) -> None:
        self._kept.pop(url, None)

    async def get(self, url: str, now: datetime) -> bytes:
        kept = self._kept.get(url)
        if kept is not None and kept[0] > now:
            self._kept.move_to_end(url)
            return kept[1]
        task = self._pending.get(url)
        if task is None:
            task = asyncio.get_running_loop().create_task(self._fetch_and_keep(url))
            self._pending[url] = task
            task.add_done_callback(lambda done: self._settled(url, done))
        # shield: one caller giving up (client gone) must not cancel the download the others wait for
        return await asyncio.shield(task)

    def _settled(self, url: str, task: asyncio.Task[bytes]) -> None:
        if self._pending.get(url) is task:
            del self._pending[url]
        if not task.cancelled():
            task.exception()  # retrieved here, so a failure nobody waits for any more is not logged as lost

    async def _fetch_and_keep(self, url: str) -> bytes:
        pem = await self._download(url)
        self.put(url, pem)
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
