"""Starting a worker's kernel on a busy machine: a kernel slow to answer is not taken for
dead, and one that does fail to start is started again, a few times, then said plainly."""

from __future__ import annotations

import pytest

from prebirth import kernels
from prebirth.exit_codes import BuildError


@pytest.fixture
def worker(monkeypatch):
    """This process plays a worker process: its kernel state, emptied afterwards."""
    monkeypatch.setattr(kernels, "_worker", {"finalizer": True})  # no exit hook for the test process
    yield kernels._worker
    kernels._stop_kernel()


class FakeManager:
    async def is_alive(self):
        return True

    async def shutdown_kernel(self, now=False):
        pass


class FakeClient:
    def stop_channels(self):
        pass


def _starts(worker, outcomes: list):
    """A stand-in for one start of a kernel: each call takes the next outcome (an error or 'ok')."""
    calls = []

    def start():
        calls.append(len(calls) + 1)
        outcome = outcomes[len(calls) - 1]
        worker["km"] = FakeManager()
        if isinstance(outcome, Exception):
            raise outcome
        return FakeClient()

    return start, calls


def test_a_kernel_that_dies_while_it_starts_is_started_again(worker, monkeypatch, capsys):
    start, calls = _starts(worker, [RuntimeError("Kernel died before replying to kernel_info"), "ok"])
    monkeypatch.setattr(kernels, "_start_kernel", start)
    warmed = []
    monkeypatch.setattr(kernels, "_warm_up", warmed.append)
    km = kernels._warm_kernel()
    assert calls == [1, 2] and isinstance(km, FakeManager) and len(warmed) == 1
    log = capsys.readouterr().err  # a worker's stderr is the kernel log
    assert "the kernel did not start (RuntimeError: Kernel died before replying to kernel_info); starting a new " \
           "one (try 2 of 3)" in log


def test_a_kernel_that_never_starts_fails_the_chapter_with_a_plain_message(worker, monkeypatch):
    died = RuntimeError("Kernel died before replying to kernel_info")
    start, calls = _starts(worker, [died, died, died, "never reached"])
    monkeypatch.setattr(kernels, "_start_kernel", start)
    monkeypatch.setattr(kernels, "_warm_up", lambda client: pytest.fail("no kernel to warm up"))
    with pytest.raises(BuildError) as raised:
        kernels._warm_kernel()
    assert calls == [1, 2, 3] and "km" not in worker
    message = str(raised.value)
    assert message.startswith("the Python kernel that runs the chapters could not be started (3 tries; the last: "
                              "RuntimeError: Kernel died before replying to kernel_info)")
    assert "fewer chapters at once (-j 1)" in message


def test_a_kernel_slow_to_answer_heartbeats_is_not_taken_for_dead(worker, monkeypatch):
    """A real kernel whose heartbeats go unanswered after the first (as when the machine is too
    busy to answer one within a second): waiting for it asks whether its process is alive."""
    from jupyter_client.channels import HBChannel
    from jupyter_core.utils import run_sync

    beats = []

    def is_beating(self):
        beats.append(True)
        return len(beats) == 1  # one heartbeat answered, then none

    monkeypatch.setattr(HBChannel, "is_beating", is_beating)
    client = kernels._start_kernel()
    try:
        assert run_sync(worker["km"].is_alive)()
        reply = client.execute_interactive("6 * 7", store_history=False, timeout=120)
        assert reply["content"]["status"] == "ok"
    finally:
        client.stop_channels()
