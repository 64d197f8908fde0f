"""A local Help Scout Mailbox API for the load bench and the fault drills, in its own process.

It serves what the workers call while they handle webhook deliveries and run the draft scan:
`POST /v2/oauth2/token`, `POST /v2/conversations/{id}/notes` (201 with `Resource-ID`),
`GET /v2/conversations/{id}`, `GET /v2/conversations/{id}/threads` (the notes posted to it,
newest first), `PUT /v2/conversations/{id}/tags` (204) and `GET /v2/conversations` (an empty
HAL page). Bodies come from tests/fixtures/helpscout/api/.

What it received, and faults to serve, go through a control API beside it:

- `GET /_fake/stats`: `{"notes": {conversation id: count}, "requests": {kind: count},
  "faults_served": n}`;
- `POST /_fake/faults` `{"status": 429, "count": 5, "retry_after": 1}`: the next `count` API
  calls (the token request left out) get that status; `retry_after` adds the header Help
  Scout's client reads (`X-RateLimit-Retry-After`);
- `POST /_fake/stall` `{"seconds": 5, "count": 1}`: the next `count` token requests wait that
  long before answering (a job held mid-flight, before any effect, for a worker to be killed);
- `POST /_fake/reset`.

Run it with `python -m bench.fake_helpscout PORT`; `FakeHelpScout` starts and stops it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

API_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "helpscout" / "api"
CONVERSATION_PATH = re.compile(r"^/v2/conversations/(\d+)(/notes|/tags|/threads)?$")


class FakeState:
    """What the fake received and the faults it still has to serve; guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.token_body = (API_FIXTURES / "oauth_token.json").read_bytes()
        self.conversation = json.loads((API_FIXTURES / "get_conversation.json").read_bytes())
        self.reset()

    def reset(self) -> None:
        self.notes: Counter[str] = Counter()
        self.note_threads: dict[str, list[dict[str, Any]]] = {}  # conversation id: newest first
        self.requests: Counter[str] = Counter()
        self.faults: list[tuple[int, float | None]] = []
        self.faults_served = 0
        self.stalls: list[float] = []
        self.next_note_id = 1

    def take_fault(self) -> tuple[int, float | None] | None:
        with self.lock:
            if not self.faults:
                return None
            self.faults_served += 1
            return self.faults.pop(0)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            return {
                "notes": dict(self.notes),
                "requests": dict(self.requests),
                "faults_served": self.faults_served,
                "faults_left": len(self.faults),
            }


class FakeHandler(BaseHTTPRequestHandler):
    """One request: control API, token, or a Mailbox API call (which may get a fault)."""

    server: FakeServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: with Nagle on, the body waits for the client's
    # delayed ACK (40 ms a response), and the bench would measure the fake, not amz-guard.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the bench measures, it does not log each call."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw_body = self.rfile.read(length) if length else b""
        state = self.server.state
        path = self.path.split("?", 1)[0]
        if path.startswith("/_fake/"):
            self._control(method, path, raw_body)
            return
        if method == "POST" and path == "/v2/oauth2/token":
            with state.lock:
                state.requests["token"] += 1
                stall_s = state.stalls.pop(0) if state.stalls else 0.0
            if stall_s:
                time.sleep(stall_s)  # the drill's window to kill the worker mid-job
            self._send(200, state.token_body)
            return
        fault = state.take_fault()
        if fault is not None:
            status, retry_after = fault
            with state.lock:
                state.requests[f"fault {status}"] += 1
            headers = {"X-RateLimit-Retry-After": f"{retry_after:g}"} if retry_after else {}
            self._send(status, b'{"message": "fault injected by the fake"}', headers)
            return
        match = CONVERSATION_PATH.match(path)
        if method == "GET" and path == "/v2/conversations":
            with state.lock:
                state.requests["list conversations"] += 1
            page = {
                "_embedded": {"conversations": []},
                "page": {"size": 25, "totalElements": 0, "totalPages": 1, "number": 1},
            }
            self._send(200, json.dumps(page).encode())
        elif match and method == "POST" and match.group(2) == "/notes":
            text = json.loads(raw_body or b"{}").get("text", "")
            with state.lock:
                state.requests["create note"] += 1
                state.notes[match.group(1)] += 1
                note_id = state.next_note_id
                state.next_note_id += 1
                note = {"id": note_id, "type": "note", "state": "published", "body": text}
                state.note_threads.setdefault(match.group(1), []).insert(0, note)
            self._send(201, b"", {"Resource-ID": str(note_id)})
        elif match and method == "GET" and match.group(2) == "/threads":
            with state.lock:
                state.requests["list threads"] += 1
                threads = list(state.note_threads.get(match.group(1), []))
            page = {
                "_embedded": {"threads": threads},
                "page": {"size": 50, "totalElements": len(threads), "totalPages": 1, "number": 1},
            }
            self._send(200, json.dumps(page).encode())
        elif match and method == "PUT" and match.group(2) == "/tags":
            with state.lock:
                state.requests["set tags"] += 1
            self._send(204, b"")
        elif match and method == "GET" and match.group(2) is None:
            with state.lock:
                state.requests["get conversation"] += 1
            conversation = {**state.conversation, "id": int(match.group(1))}
            self._send(200, json.dumps(conversation).encode())
        else:
            with state.lock:
                state.requests["not served"] += 1
            self._send(404, b'{"message": "not served by the fake"}')

    def _control(self, method: str, path: str, raw_body: bytes) -> None:
        state = self.server.state
        request = json.loads(raw_body) if raw_body else {}
        if method == "GET" and path == "/_fake/stats":
            self._send(200, json.dumps(state.stats()).encode())
            return
        with state.lock:
            if path == "/_fake/faults":
                fault = (int(request["status"]), request.get("retry_after"))
                state.faults.extend([fault] * int(request.get("count", 1)))
            elif path == "/_fake/stall":
                state.stalls.extend([float(request["seconds"])] * int(request.get("count", 1)))
            elif path == "/_fake/reset":
                state.reset()
            else:
                self._send(404, b"{}")
                return
        self._send(200, b"{}")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if body:
            self.wfile.write(body)


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, port: int) -> None:
        super().__init__(("127.0.0.1", port), FakeHandler)
        self.state = FakeState()


class FakeHelpScout:
    """The fake in a child process on `port`; `api_url` is what HELPSCOUT_API_URL takes."""

    def __init__(self, port: int, log_path: Path | None = None) -> None:
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = f"{self.base_url}/v2"
        with open(log_path or os.devnull, "w") as log:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "bench.fake_helpscout", str(port)],
                cwd=Path(__file__).resolve().parent.parent,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while True:
            try:
                self.stats()
                return
            except OSError as err:
                if self._process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"the fake Help Scout did not start on port {port}") from err
                time.sleep(0.05)  # waiting for a real process to listen

    def _control(self, path: str, request: dict[str, Any] | None = None) -> Any:
        data = json.dumps(request).encode() if request is not None else None
        request_to_send = urllib.request.Request(
            f"{self.base_url}{path}", data=data, method="POST" if data else "GET"
        )
        with urllib.request.urlopen(request_to_send, timeout=5) as response:
            return json.loads(response.read() or b"{}")

    def stats(self) -> dict[str, Any]:
        return self._control("/_fake/stats")

    def notes(self) -> dict[str, int]:
        """Notes posted per conversation id."""
        return self.stats()["notes"]

    def inject(self, status: int, count: int, retry_after: float | None = None) -> None:
        """Answer the next `count` API calls with `status` (429 with `retry_after` seconds)."""
        fault = {"status": status, "count": count, "retry_after": retry_after}
        self._control("/_fake/faults", fault)

    def stall_tokens(self, seconds: float, count: int = 1) -> None:
        """Hold the next `count` token requests for `seconds` before answering."""
        self._control("/_fake/stall", {"seconds": seconds, "count": count})

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


def main(argv: list[str]) -> None:
    FakeServer(int(argv[0])).serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main(sys.argv[1:])
