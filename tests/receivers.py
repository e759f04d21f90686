"""A real HTTP server standing in for a webhook's receiver: it records every request it gets and
answers as the test tells it, or holds requests open until the test lets them go."""

import ssl
import subprocess
import threading
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

# However long a test holds requests, the server lets them go after this.
HOLD_AT_MOST_SECONDS = 120


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for localhost and 127.0.0.1, made by the openssl command."""
    certificate, key = folder / "receiver.crt", folder / "receiver.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(certificate),
        ],
        check=True,
        capture_output=True,
    )
    return certificate, key


class WebhookReceiver:
    """Listens on 127.0.0.1 on a free port, over TLS with `certificate` (certificate, key).
    `answers` are the statuses of the next requests, in order (then 200); `hold()` keeps each
    request open until `release()`."""

    def __init__(self, certificate: tuple[Path, Path] | None = None):
        self.requests: list[ReceivedRequest] = []
        self.answers: deque[int] = deque()
        self.holding = 0
        self._released = threading.Event()
        self._released.set()
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self.scheme = "http"
        if certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        # Over TLS by the name its certificate is for, which resolves to it.
        return f"{self.scheme}://{'localhost' if self.scheme == 'https' else host}:{port}"

    def start(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()

    def hold(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def _handler_class(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append(
                        ReceivedRequest("POST", self.path, dict(self.headers.items()), body)
                    )
                    status = receiver.answers.popleft() if receiver.answers else 200
                    receiver.holding += 1
                try:
                    receiver._released.wait(HOLD_AT_MOST_SECONDS)
                finally:
                    with receiver._lock:
                        receiver.holding -= 1
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain")
                    self.end_headers()
                    self.wfile.write(b"ok" if status < 300 else b"receiver broke")
                except OSError:  # the sender gave up waiting and hung up
                    pass

            def log_message(self, format, *args):
                """Quiet: the test reads `requests`."""

        return Handler
