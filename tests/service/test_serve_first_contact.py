"""First contact with ``serve``: the console URL and the key on the last line, how to get a key on a second
start, and a one-line message naming the setting when the port is taken."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time

import pytest

from pipeline.errors import LaporError
from service.cli import check_port, first_contact_lines


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_taken_port_names_the_setting():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(LaporError) as err:
            check_port("127.0.0.1", port)
    message = str(err.value)
    assert "\n" not in message and f"port {port} on 127.0.0.1 is already in use" in message
    assert "LAPOR_PORT" in message and "--port" in message
    check_port("127.0.0.1", port)  # free again: no error


def test_lines_for_first_and_second_start():
    notes, last = first_contact_lines("127.0.0.1", 8000, "lt_secret")
    assert last == "console: http://127.0.0.1:8000/  key: lt_secret"
    assert any("curl -H 'Authorization: Bearer lt_secret'" in n for n in notes)
    notes, last = first_contact_lines("127.0.0.1", 8000, None)
    assert last.startswith("console: http://127.0.0.1:8000/") and "lapor-triage keys create --role admin" in last
    assert "lt_" not in last


class Server:
    """``lapor-triage serve`` as a person starts it; stdout and stderr merged as a terminal shows them."""

    def __init__(self, env: dict, port: int):
        self.proc = subprocess.Popen([sys.executable, "-m", "pipeline", "serve", "--port", str(port)], env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def until(self, prefix: str, timeout: float = 180) -> list[str]:
        seen, deadline = [], time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            if line.startswith(prefix):
                return seen
        raise AssertionError(f"no line starting {prefix!r}; saw: {seen[-20:]}")

    def quiet_after(self, seconds: float = 2.0) -> list[str]:
        time.sleep(seconds)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def test_serve_ends_with_console_and_key_then_tells_how_to_get_one(tmp_path, demo_model):
    env = {**os.environ, "LAPOR_DATABASE_URL": f"sqlite:///{tmp_path / 'first.db'}",
           "LAPOR_MODEL_DIR": str(demo_model), "LAPOR_DUPLICATE_WINDOW_DAYS": "0"}
    assert subprocess.run([sys.executable, "-m", "pipeline", "db", "upgrade"], env=env, capture_output=True,
                          timeout=120).returncode == 0
    port = _free_port()
    first = Server(env, port)
    try:
        seen = first.until("console:")
        assert any("Uvicorn running on" in line for line in seen), seen  # uvicorn's own lines come first
        last = seen[-1]
        assert last.startswith(f"console: http://127.0.0.1:{port}/  key: lt_")
        assert first.quiet_after() == []  # it is still the last line
        taken = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--port", str(port)], env=env,
                               capture_output=True, text=True, timeout=120)
        assert taken.returncode != 0
        assert taken.stderr.strip().splitlines() == [
            f"error: port {port} on 127.0.0.1 is already in use (another lapor-triage serve?): set LAPOR_PORT "
            "(or --port) to a free port, e.g. LAPOR_PORT=8001 make run"]
    finally:
        first.stop()
    second = Server(env, port)
    try:
        last = second.until("console:")[-1]
        assert "lapor-triage keys create --role admin" in last and "lt_" not in last
    finally:
        second.stop()
