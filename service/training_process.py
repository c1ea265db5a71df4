"""Each retrain in a process of its own that ends with its server.

Why not ``concurrent.futures.ProcessPoolExecutor``: its ``shutdown`` cannot stop a job that is running, and the
interpreter's exit waits for that job — a server asked to stop during a retrain (SIGTERM from systemd or
Docker) kept running until the training ended, minutes for a large region, and was then killed by its
supervisor. And a pool worker whose server was killed (``kill -9``) trained on to the end, on the same two
cores as the server's replacement, for a result nobody would record. Here a stop kills the job at once (its
version is then failed, with why), and the job watches its parent and exits within a second of its death.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

PARENT_CHECK_SECONDS = 1.0


class TrainingStopped(RuntimeError):
    """The server stopped while the job was running; the job was killed."""


class ChildProcessExecutor:
    """Runs each submitted ``fn(arg)`` in a fresh ``spawn`` process; :meth:`shutdown` kills those still running.

    ``fn`` and ``arg`` must pickle (``fn`` importable by name). The future gets ``fn``'s result, the exception
    it raised, :class:`TrainingStopped` after a shutdown, a :class:`TimeoutError` when ``timeout`` seconds
    passed without a result (the process is killed: a stuck job does not hold the cores), or a
    :class:`ChildProcessError` naming the exit code when the process died without an answer (out of memory,
    killed)."""

    def __init__(self) -> None:
        self._running: dict[int, multiprocessing.process.BaseProcess] = {}
        self._waiters: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = False

    def submit(self, fn: Callable[[Any], Any], arg: Any, timeout: float | None = None) -> Future:
        with self._lock:
            if self._stopping:
                raise TrainingStopped("the server is stopping")
            context = multiprocessing.get_context("spawn")
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(fn, arg, sender, os.getpid()),
                                      name="lapor-triage-training", daemon=True)
            process.start()
            sender.close()  # the child holds the only writer: its death reads as end of file here
            self._running[process.pid] = process
        future: Future = Future()
        future.set_running_or_notify_cancel()
        waiter = threading.Thread(target=self._wait, args=(process, receiver, future, timeout),
                                  name="training-wait", daemon=True)
        waiter.start()
        with self._lock:
            self._waiters = [w for w in self._waiters if w.is_alive()] + [waiter]
        return future

    def pids(self) -> list[int]:
        """The processes of the jobs running now."""
        with self._lock:
            return list(self._running)

    def _wait(self, process, receiver, future: Future, timeout: float | None) -> None:
        try:
            if timeout is not None and not receiver.poll(timeout):  # end of file (a death) also ends the poll
                process.kill()
                raise TimeoutError(f"no result after {timeout:.0f} s: the training process was stopped")
            ok, value = receiver.recv()
        except TimeoutError as exc:
            ok, value = False, exc
        except (EOFError, OSError):  # died without an answer
            ok, value = False, None
        except Exception as exc:  # noqa: BLE001 - an answer that does not unpickle here
            ok, value = False, RuntimeError(f"the training result cannot be read: {type(exc).__name__}: {exc}")
        finally:
            receiver.close()
        process.join()
        with self._lock:
            self._running.pop(process.pid, None)
            stopped = self._stopping
        if ok:
            future.set_result(value)
        elif value is not None:
            future.set_exception(value)
        elif stopped:
            future.set_exception(TrainingStopped("training stopped: the server shut down during it"))
        else:
            future.set_exception(ChildProcessError(
                f"the training process ended without a result (exit code {process.exitcode})"))

    def shutdown(self, timeout: float = 5.0) -> None:
        """Kill every running job and wait (at most ``timeout`` seconds each) until it is gone and its future
        has run its callbacks (which record the outcome while the database is still open)."""
        with self._lock:
            self._stopping = True
            running, waiters = list(self._running.values()), list(self._waiters)
        for process in running:
            process.kill()
        for thread in waiters:
            thread.join(timeout)


def _child(fn, arg, sender, parent_pid: int) -> None:
    """The job's process: watch the parent, run, send ``(ok, value)`` back."""
    threading.Thread(target=_exit_when_orphaned, args=(parent_pid,), daemon=True).start()
    try:
        answer = (True, fn(arg))
    except BaseException as exc:  # noqa: BLE001 - whatever ended the job, the server records it
        answer = (False, exc)
    try:
        sender.send(answer)
    except Exception as exc:  # noqa: BLE001 - what does not pickle still says what happened
        what = "result" if answer[0] else f"error ({type(answer[1]).__name__}: {answer[1]})"
        sender.send((False, RuntimeError(f"the job's {what} cannot be sent back: {type(exc).__name__}: {exc}")))
    sender.close()


def _exit_when_orphaned(parent_pid: int) -> None:
    """A dead parent's children are adopted by another process: then nobody waits for this result."""
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(3)
