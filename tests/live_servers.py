"""Real processes for the live-session tests (tests/test_live_servers.py): Foro socket servers under
gunicorn, a private redis-server as their message queue, a tiny TCP balancer, and logged-in Socket.IO
clients. Every wait is bounded; everything started here is stopped by ``stop()``/``close()``, which the
tests' fixtures call in ``finally``. Never touches the machine's own Redis (port 6379)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable

import requests
import socketio

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GUNICORN = os.path.join(os.path.dirname(sys.executable), "gunicorn")
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
# Generous: a loaded 2-core machine imports the app slowly; a healthy start takes about a second.
START_TIMEOUT = 60.0
WAIT_TIMEOUT = 30.0
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], bool], timeout: float = WAIT_TIMEOUT, message: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {message}")
        time.sleep(0.02)


def _stop_process_group(process: subprocess.Popen, first_signal: int, grace: float) -> None:
    """Signal the whole group (gunicorn's master and its worker), then SIGKILL whatever is left."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, first_signal)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # a worker outliving its master
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


class RedisServer:
    """A private redis-server on a free port, without persistence."""

    def __init__(self, folder: str):
        if not os.path.exists(REDIS_SERVER):
            raise AssertionError(f"redis-server not found at {REDIS_SERVER}: install Debian's 'redis-server' package")
        self.port = free_port()
        assert self.port != 6379
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._log = open(os.path.join(folder, f"redis-{self.port}.log"), "wb")
        self.process: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(self._answers_ping, START_TIMEOUT, f"redis-server on port {self.port}")

    def _answers_ping(self) -> bool:
        assert self.process.poll() is None, "redis-server exited at start"
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            _stop_process_group(self.process, signal.SIGTERM, grace=10)
            self.process = None

    def close(self) -> None:
        self.stop()
        self._log.close()


class ServerProcess:
    """``gunicorn -w 1 -k gthread --threads 64 wsgi:app`` on a free port, on the tests' database."""

    def __init__(self, folder: str, database_url: str, message_queue: str | None = None, **environment):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = os.path.join(folder, f"gunicorn-{self.port}.log")
        self._log = open(self.log_path, "wb")
        env = {
            **os.environ,
            "FORO_ENV": "testing",
            "FORO_TEST_DATABASE_URL": database_url,
            "PYTHONWARNINGS": "ignore",
            **environment,
        }
        env.pop("SOCKETIO_MESSAGE_QUEUE", None)
        if message_queue:
            env["SOCKETIO_MESSAGE_QUEUE"] = message_queue
        self.process = subprocess.Popen(
            [
                GUNICORN,
                "-w", "1",
                "-k", "gthread",
                "--threads", "64",
                "-b", f"127.0.0.1:{self.port}",
                "--graceful-timeout", "3",
                "--log-level", "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() and kill() reach the worker too
        )
        wait_until(self._ready, START_TIMEOUT, f"the server on port {self.port} (log: {self.log_path})")

    def _ready(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"the server exited at start:\n{self.log()}")
        try:
            with requests.get(f"{self.url}/socket.io/?EIO=4&transport=polling", timeout=2) as response:
                return response.status_code == 200
        except requests.RequestException:
            return False

    def log(self) -> str:
        self._log.flush()
        with open(self.log_path, encoding="utf-8", errors="replace") as log:
            return log.read()[-5000:]

    def kill(self) -> None:
        """SIGKILL, master and worker at once: a crashed server, no goodbyes."""
        _stop_process_group(self.process, signal.SIGKILL, grace=10)

    def stop(self) -> None:
        # SIGINT is gunicorn's quick shutdown: open websockets would hold a graceful one for its timeout.
        _stop_process_group(self.process, signal.SIGINT, grace=10)
        self._log.close()


class TcpProxy:
    """A minimal balancer: each connection goes to the first backend that accepts it, and stays there
    (sticky per connection, like ip_hash for one client). Closing either side closes both."""

    def __init__(self, backend_ports: list[int]):
        self.backend_ports = backend_ports
        self._listener = socket.create_server(("127.0.0.1", 0))
        # accept() is not woken by close() from another thread: poll, and look at _closed between waits.
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._closed = False
        self.routed_to: list[int] = []
        self._start(self._accept_loop)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _track(self, sock: socket.socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _accept_loop(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed
            client.settimeout(None)
            self._track(client)
            backend = self._connect_backend()
            if backend is None:
                self._close_pair(client, None)
                continue
            self._start(self._pipe, client, backend)
            self._start(self._pipe, backend, client)

    def _connect_backend(self) -> socket.socket | None:
        for port in self.backend_ports:
            try:
                backend = socket.create_connection(("127.0.0.1", port), timeout=2)
            except OSError:
                continue
            backend.settimeout(None)
            self._track(backend)
            with self._lock:
                self.routed_to.append(port)
            return backend
        return None

    def _pipe(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        self._close_pair(source, target)

    def _close_pair(self, *pair) -> None:
        for sock in pair:
            if sock is None:
                continue
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()
            with self._lock:
                self._sockets.discard(sock)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            threads = list(self._threads)
        threads[0].join(timeout=10)  # the accept loop
        self._listener.close()
        with self._lock:
            open_sockets = list(self._sockets)
        self._close_pair(*open_sockets)
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout=10)


def login_cookie(base_url: str, email: str, password: str) -> str:
    """Log in through the real form; return the Cookie header value of the session."""
    with requests.Session() as http:
        page = http.get(f"{base_url}/cuenta/ingresar", timeout=WAIT_TIMEOUT)
        match = _CSRF.search(page.text)
        assert match, page.text[:500]
        response = http.post(
            f"{base_url}/cuenta/ingresar",
            data={"csrf_token": match.group(1), "email": email, "password": password},
            allow_redirects=False,
            timeout=WAIT_TIMEOUT,
        )
        assert response.status_code == 302, response.text[:500]
        return f"session={http.cookies['session']}"


class LiveClient:
    """A real python-socketio client that records what the server sends it."""

    EVENTS = ("question", "poll", "commitment", "agenda", "presence", "session", "live_error")

    def __init__(self, base_url: str, cookie: str | None = None, *, reconnect: bool = False):
        self.base_url = base_url
        self.headers = {"Cookie": cookie} if cookie else {}
        self.client = socketio.Client(
            reconnection=reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=1,
            randomization_factor=0.2,
        )
        self._lock = threading.Lock()
        self.received: list[tuple[str, dict]] = []
        self.connects = 0
        self.disconnects = 0
        for name in self.EVENTS:
            self.client.on(name, self._recorder(name))
        self.client.on("connect", self._on_connect)
        self.client.on("disconnect", self._on_disconnect)

    def _recorder(self, name):
        def record(data=None):
            with self._lock:
                self.received.append((name, data))

        return record

    def _on_connect(self):
        with self._lock:
            self.connects += 1

    def _on_disconnect(self, reason=None):
        with self._lock:
            self.disconnects += 1

    def connect(self, transports=("websocket",)) -> LiveClient:
        self.client.connect(self.base_url, headers=self.headers, transports=list(transports), wait_timeout=WAIT_TIMEOUT)
        return self

    def call(self, event: str, data: dict) -> dict:
        return self.client.call(event, data, timeout=WAIT_TIMEOUT)

    def join(self, space_id: int) -> dict:
        ack = self.call("join", {"space": space_id})
        assert ack["ok"] is True, ack
        return ack["snapshot"]

    def events(self, name: str) -> list[dict]:
        with self._lock:
            return [data for event, data in self.received if event == name]

    def wait_for(self, name: str, predicate: Callable[[dict], bool], timeout: float = WAIT_TIMEOUT) -> dict:
        found: list[dict] = []

        def arrived() -> bool:
            found[:] = [data for data in self.events(name) if predicate(data)]
            return bool(found)

        wait_until(arrived, timeout, f"a {name!r} event on {self.base_url}")
        return found[0]

    def close(self) -> None:
        # Disconnects, or stops the reconnection attempts of a client between two of them.
        self.client.shutdown()


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="foro-live-servers-")
