"""Helper processes: reuse, helpers killed while idle, a crash ending only
its helper, threads, and a forked process that must not share its parent's
helpers."""

import os
import signal
import threading

import numpy
import pytest

import ndcodecs
from ndcodecs import _isolation, htj2k_decode, htj2k_encode
from common import smooth_image

MODULE = 'ndcodecs._ext._jpeg2k'  # the codec that decodes in helpers

pytestmark = pytest.mark.skipif(not ndcodecs.HTJ2K.available, reason='htj2k is not built')


def idle_helpers():
    return list(_isolation._idle.get(MODULE, []))


def roundtrip(seed=0):
    data = smooth_image((48, 40), seed=seed)
    numpy.testing.assert_array_equal(htj2k_decode(htj2k_encode(data)), data)


def test_reused():
    roundtrip()
    pids = {h.process.pid for h in idle_helpers()}
    assert pids
    for seed in range(5):
        roundtrip(seed)
    assert {h.process.pid for h in idle_helpers()} <= pids


def test_killed_while_idle():
    roundtrip()
    killed = idle_helpers()
    for helper in killed:
        os.kill(helper.process.pid, signal.SIGKILL)
        helper.process.wait()
    roundtrip()  # a new helper, no error
    assert not {h.process.pid for h in killed} & {h.process.pid for h in idle_helpers()}


def test_crash_ends_its_helper_only():
    import test_htj2k  # noqa: the aborting stream

    roundtrip()
    with pytest.raises(ndcodecs.Htj2kError, match=test_htj2k.expected_crash()):
        htj2k_decode(test_htj2k.aborting_stream())
    assert all(h.process.poll() is None for h in idle_helpers())
    roundtrip()


def test_threads():
    errors = []

    def work(seed):
        try:
            for _ in range(10):
                roundtrip(seed)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(idle_helpers()) <= max(2, os.cpu_count() or 1)


def test_forked_process_starts_its_own():
    roundtrip()
    parent = {h.process.pid for h in idle_helpers()}
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: decode, report its helpers' pids
        status = 1
        try:
            os.close(reader)
            roundtrip()
            os.write(writer, ' '.join(str(h.process.pid) for h in idle_helpers()).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(writer)
    with os.fdopen(reader) as f:
        child = {int(p) for p in f.read().split()}
    assert os.waitpid(pid, 0)[1] == 0
    assert child and not child & parent
    roundtrip()  # the parent's helpers still answer
    assert {h.process.pid for h in idle_helpers()} & parent
