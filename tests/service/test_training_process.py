"""A retrain's process answers with its result or its error, is killed when its server stops (instead of the
server's exit waiting minutes for the training) or when it runs past its timeout, and exits by itself when its
server is killed."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from service.training_process import ChildProcessExecutor, TrainingStopped

REPO = Path(__file__).resolve().parents[2]


def stat_fields(pid: int | str) -> list[str]:
    """The fields of ``/proc/PID/stat`` after the command name (state, parent pid, …); Linux."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def gone(pid: int) -> bool:
    """Ended: no such process, or a zombie nobody has reaped yet (a container's init may never reap it)."""
    try:
        state = stat_fields(pid)[0]
    except FileNotFoundError:
        return True
    except OSError:  # no /proc: ask the kernel
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False
    return state in ("Z", "X")


def wait_until_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not gone(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.fixture
def executor():
    ex = ChildProcessExecutor()
    yield ex
    ex.shutdown()


def test_the_jobs_result_or_its_error_comes_back(executor):
    assert executor.submit(math.sqrt, 16.0).result(timeout=60) == 4.0
    with pytest.raises(ValueError, match="math domain error"):
        executor.submit(math.sqrt, -1.0).result(timeout=60)
    assert executor.pids() == []


def test_a_result_that_cannot_be_sent_back_says_so(executor):
    with pytest.raises(RuntimeError, match="the job's result cannot be sent back"):
        executor.submit(open, os.devnull).result(timeout=60)  # an open file does not pickle


def test_a_process_that_dies_without_an_answer_names_its_exit_code(executor):
    with pytest.raises(ChildProcessError, match="exit code 7"):
        executor.submit(os._exit, 7).result(timeout=60)


def test_a_stop_kills_the_running_job_at_once_and_says_so(executor):
    future = executor.submit(time.sleep, 120)
    deadline = time.monotonic() + 30
    while not executor.pids():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (pid,) = executor.pids()
    started = time.monotonic()
    executor.shutdown()
    assert time.monotonic() - started < 10
    assert wait_until_gone(pid, 5), f"training process {pid} still runs after the stop"
    with pytest.raises(TrainingStopped, match="server shut down"):
        future.result(timeout=5)
    with pytest.raises(TrainingStopped):
        executor.submit(time.sleep, 1)


def test_a_job_past_its_timeout_is_killed_and_says_after_how_long(executor):
    future = executor.submit(time.sleep, 120, timeout=2)
    deadline = time.monotonic() + 30
    while not executor.pids():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (pid,) = executor.pids()
    with pytest.raises(TimeoutError, match="no result after 2 s"):
        future.result(timeout=30)
    assert wait_until_gone(pid, 5), f"training process {pid} still runs after its timeout"


def test_a_job_whose_server_was_killed_exits_by_itself(tmp_path):
    server = subprocess.Popen(
        [sys.executable, "-c",
         "import time\n"
         "from service.training_process import ChildProcessExecutor\n"
         "ex = ChildProcessExecutor()\n"
         "ex.submit(time.sleep, 300)\n"
         "print(ex.pids()[0], flush=True)\n"
         "time.sleep(300)\n"],
        cwd=REPO, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        child = int(server.stdout.readline())
        time.sleep(0.5)
        assert not gone(child)
        os.kill(server.pid, signal.SIGKILL)  # no shutdown code runs in the server
        server.wait(timeout=20)
        assert wait_until_gone(child, 10), f"the killed server's training process {child} still runs"
    finally:
        if server.poll() is None:
            server.kill()
