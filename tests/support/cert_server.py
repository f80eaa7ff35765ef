"""A real HTTP server for the Alexa certificate-chain download, on a free local port in a background thread.

It serves `pem` at every path and counts the GETs in `hits`. With `hold` set, each request waits (up to 30 s)
until `release()` before answering, which is how tests make a slow or hanging certificate server. `status`
other than 200 answers that status with no body. `LocalRoute` is an httpx transport that sends every request
(the product only asks for https://s3.amazonaws.com/echo.api/...) to this server over a real socket.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx


class CertServer:
    def __init__(self, pem: bytes = b"", *, hold: bool = False, status: int = 200) -> None:
        self.pem, self.status = pem, status
        self.hits = 0
        self.requested = threading.Event()
        self._open = threading.Event()
        if not hold:
            self._open.set()
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda *args: None  # type: ignore[method-assign]  # clients that gave up
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with server._lock:
                    server.hits += 1
                server.requested.set()
                server._open.wait(timeout=30)
                body = server.pem if server.status == 200 else b""
                self.send_response(server.status)
                self.send_header("Content-Type", "application/x-pem-file")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler

    def start(self) -> CertServer:
        self._thread.start()
        return self

    def release(self) -> None:
        self._open.set()

    def stop(self) -> None:
        self.release()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)


class LocalRoute(httpx.AsyncBaseTransport):
    """Sends every request to 127.0.0.1:`port` over plain HTTP, keeping its path and its timeouts.

    A connection pool per request: the product closes its client (and so this transport) after each download.
    """

    def __init__(self, port: int) -> None:
        self.port = port

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        async with httpx.AsyncHTTPTransport() as inner:
            response = await inner.handle_async_request(request)
            content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content, request=request)
