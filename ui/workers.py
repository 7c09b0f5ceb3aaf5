"""``rag serve --workers N``: N server processes behind one port, with sticky sessions.

Why not uvicorn's own ``--workers``: the web chat is a Gradio app, and Gradio keeps each browser
session (its queue, its ``gr.State``) in the process that served it. Behind a shared socket the
kernel hands a browser's next connection to any worker, and the session breaks (gradio-app/gradio
#7224, #10487). So the supervisor here listens on the public port itself and forwards each
connection, byte for byte, to one of N workers on Unix sockets:

* a browser carries a ``rag_worker`` cookie that its worker set on its first page, and stays there;
* a client without the cookie (the JSON API, a load balancer's health probe) goes to the worker
  with the fewest open connections;
* a worker that dies is started again (and its browsers move to another in the meantime);
* ``SIGHUP`` restarts the workers one at a time, each replacement ready before the old one stops:
  that is how a new index is picked up without refusing a request;
* ``SIGTERM``/``SIGINT`` stop everything.

The index is built (or brought up to date) once by the supervisor before any worker starts; the
workers load it read-only and never build. Each worker is a plain ``rag serve --uds PATH``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("rag.workers")

COOKIE = "rag_worker"
_COOKIE_RE = re.compile(rb"(?:^|;)\s*" + COOKIE.encode() + rb"=(\d+)")
#: Largest request head the proxy reads before choosing a worker.
MAX_HEAD = 64 * 1024
READY_TIMEOUT_S = float(os.environ.get("RAG_WORKER_READY_TIMEOUT", "300"))


# -- in each worker: the cookie ----------------------------------------------------------------
class StickyCookie:
    """ASGI middleware: pages (not ``/api/``) tell the browser which worker served them."""

    def __init__(self, app, worker_id: str):
        self.app = app
        self.value = f"{COOKIE}={worker_id}".encode()
        self.header = (b"set-cookie", self.value + b"; Path=/; HttpOnly; SameSite=Lax")

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            return await self.app(scope, receive, send)
        cookies = b";".join(v for k, v in scope.get("headers", ()) if k == b"cookie")
        if self.value in cookies:
            return await self.app(scope, receive, send)

        async def send_with_cookie(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), self.header]}
            await send(message)

        return await self.app(scope, receive, send_with_cookie)


# -- in the supervisor ------------------------------------------------------------------------
@dataclass
class Worker:
    id: int
    socket: Path
    proc: subprocess.Popen | None = None
    started: float = 0.0
    active: int = 0  # open proxied connections
    failures: list[float] = field(default_factory=list)

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """A worker must not outlive a supervisor killed with SIGKILL."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Supervisor:
    def __init__(self, worker_argv: list[str], n: int, host: str, port: int):
        self.worker_argv = worker_argv
        self.host, self.port = host, port
        self.dir = Path(tempfile.mkdtemp(prefix="rag-workers-"))
        self.workers = [Worker(i, self.dir / f"w{i}.sock") for i in range(n)]
        self._rr = 0
        self._stopping = False
        self._generation = 0

    # -- processes ---------------------------------------------------------------------------
    def _spawn(self, w: Worker, socket_path: Path) -> subprocess.Popen:
        env = {**os.environ, "RAG_WORKER_ID": str(w.id)}
        with contextlib.suppress(FileNotFoundError):
            socket_path.unlink()
        return subprocess.Popen([*self.worker_argv, "--uds", str(socket_path)], env=env,
                                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None)

    async def _ready(self, proc: subprocess.Popen, socket_path: Path) -> bool:
        """Wait until the worker answers ``GET /api/health`` on its socket."""
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if socket_path.exists():
                with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                    r, w = await asyncio.open_unix_connection(str(socket_path))
                    w.write(b"GET /api/health HTTP/1.1\r\nHost: worker\r\nConnection: close\r\n\r\n")
                    await w.drain()
                    status = await r.readline()
                    w.close()
                    if b" 200 " in status:
                        return True
            await asyncio.sleep(0.25)
        return False

    async def start_worker(self, w: Worker) -> None:
        self._generation += 1
        path = self.dir / f"w{w.id}.{self._generation}.sock"
        proc = self._spawn(w, path)
        if not await self._ready(proc, path):
            proc.kill()
            raise RuntimeError(f"worker {w.id} did not start (exit status {proc.poll()})")
        old, w.proc, w.socket, w.started = w.proc, proc, path, time.monotonic()
        if old is not None and old.poll() is None:
            await self._retire(old)
        log.info("worker %d ready (pid %d)", w.id, proc.pid)

    async def _retire(self, proc: subprocess.Popen) -> None:
        """Stop a replaced worker gracefully: uvicorn finishes the requests in flight on SIGTERM."""
        proc.terminate()
        for _ in range(150):
            if proc.poll() is not None:
                return
            await asyncio.sleep(0.1)
        proc.kill()

    async def watch(self) -> None:
        """Restart workers that died; give up on one that keeps dying at start."""
        while not self._stopping:
            await asyncio.sleep(1.0)
            for w in self.workers:
                if self._stopping or w.alive:
                    continue
                now = time.monotonic()
                w.failures = [t for t in w.failures if now - t < 60] + [now]
                code = w.proc.poll() if w.proc else None
                if len(w.failures) > 5:
                    log.error("worker %d died %d times in a minute (last exit status %s); not restarting it",
                              w.id, len(w.failures), code)
                    continue
                log.warning("worker %d exited with status %s; restarting it", w.id, code)
                with contextlib.suppress(RuntimeError):
                    await self.start_worker(w)

    async def rolling_restart(self) -> None:
        log.info("SIGHUP: restarting %d workers one at a time", len(self.workers))
        for w in self.workers:
            try:
                await self.start_worker(w)
            except RuntimeError as exc:
                log.error("%s; keeping the running one", exc)

    # -- the proxy ---------------------------------------------------------------------------
    def _choose(self, head: bytes) -> list[Worker]:
        """Workers to try, best first: the cookie's, else the least busy (round robin on ties)."""
        alive = [w for w in self.workers if w.alive]
        m = _COOKIE_RE.search(_header(head, b"cookie"))
        first = None
        if m:
            wid = int(m.group(1))
            first = next((w for w in alive if w.id == wid), None)
        self._rr = (self._rr + 1) % max(1, len(self.workers))
        rest = sorted(alive, key=lambda w: (w.active, (w.id - self._rr) % len(self.workers)))
        return ([first] if first else []) + [w for w in rest if w is not first]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        for w in self._choose(head):
            try:
                br, bw = await asyncio.open_unix_connection(str(w.socket), limit=MAX_HEAD)
            except OSError:
                continue
            w.active += 1
            try:
                bw.write(head)
                await asyncio.gather(_pipe(reader, bw), _pipe(br, writer))
            finally:
                w.active -= 1
                bw.close()
                writer.close()
            return
        body = b'{"error": "no server process is available; try again in a few seconds"}'
        with contextlib.suppress(ConnectionError):
            writer.write(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                         b"Retry-After: 5\r\nConnection: close\r\nContent-Length: " + str(len(body)).encode()
                         + b"\r\n\r\n" + body)
            await writer.drain()
        writer.close()

    async def run(self) -> int:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, lambda: asyncio.ensure_future(self.rolling_restart()))
        try:
            # Start the workers one after another: each loads the model and the index, and two
            # at once on a small machine only slow each other down.
            for w in self.workers:
                await self.start_worker(w)
            server = await asyncio.start_server(self.handle, self.host, self.port, limit=MAX_HEAD, backlog=2048)
            log.warning("serving on http://%s:%d with %d workers (pids %s)", self.host, self.port,
                        len(self.workers), ", ".join(str(w.proc.pid) for w in self.workers))
            print(f"Serving on http://{self.host}:{self.port} with {len(self.workers)} workers", file=sys.stderr,
                  flush=True)
            watcher = asyncio.ensure_future(self.watch())
            async with server:
                await stop.wait()
            watcher.cancel()
            return 0
        except RuntimeError as exc:
            print(f"Error: {exc}", file=sys.stderr)
            return 1
        finally:
            self._stopping = True
            procs = [w.proc for w in self.workers if w.proc is not None]
            for p in procs:
                with contextlib.suppress(ProcessLookupError):
                    p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
            for f in self.dir.glob("*.sock"):
                f.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.dir.rmdir()


def _header(head: bytes, name: bytes) -> bytes:
    out = []
    for line in head.split(b"\r\n")[1:]:
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            out.append(value.strip())
    return b";".join(out)


async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
    """Copy until EOF, then pass the half-close on; on a broken connection close the other side
    too, so that the opposite direction ends as well."""
    try:
        while data := await src.read(65536):
            dst.write(data)
            await dst.drain()
        if dst.can_write_eof():
            dst.write_eof()
    except (ConnectionError, OSError):
        dst.close()


def serve_workers(worker_argv: list[str], n: int, host: str, port: int) -> int:
    """Run the supervisor until SIGTERM/SIGINT (``rag serve --workers N``)."""
    return asyncio.run(Supervisor(worker_argv, n, host, port).run())
