"""Helper processes for library calls that may crash on corrupt input.

A codec module that decodes in a helper provides ``serve_helper()``, a loop
answering requests on the socket at file descriptor 0 (see
``c/isolate.h`` for the messages). A crash or hang in the library ends the
helper only; the caller gets the codec's error and the next call starts a
new helper. Helpers are started on first use (about 0.1 s), reused while
they answer, at most one per core at a time, and end when this process
does. A forked process starts its own.
"""

import atexit
import os
import signal
import socket
import subprocess
import sys
import threading

__all__ = ['Helper', 'acquire', 'finish', 'failed']

STARTUP_TIMEOUT = 60.0


class Helper:
    """One helper process running `module`.serve_helper(), and our end of
    its socket (`fd`)."""

    def __init__(self, module):
        self.module = module
        ours, theirs = socket.socketpair()
        code = f'import sys; sys.path[:] = {list(map(str, sys.path))!r}; from {module} import serve_helper; serve_helper()'
        try:
            self.process = subprocess.Popen(
                [sys.executable, '-c', code],
                stdin=theirs,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,  # no Ctrl-C from the terminal
            )
        finally:
            theirs.close()
        self.socket = ours
        self.fd = ours.fileno()
        self.status = None  # how it ended, once it has
        ready = b''
        try:
            ours.settimeout(STARTUP_TIMEOUT)
            while len(ready) < 9:  # an empty message: one head byte, its size
                part = ours.recv(9 - len(ready))
                if not part:
                    break
                ready += part
            ours.settimeout(None)
        except OSError:
            pass
        if len(ready) != 9:
            self.close()
            raise OSError(f'the helper process for {module} did not start')

    def close(self):
        """End the helper, and describe how it ended."""
        if self.status is None:
            self.socket.close()
            if self.process.poll() is None:
                try:
                    self.process.wait(0.5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
            code = self.process.wait()
            try:
                self.status = f'signal {-code}: {signal.Signals(-code).name}' if code < 0 else f'exit status {code}'
            except ValueError:
                self.status = f'signal {-code}'
        return self.status


_lock = threading.Lock()
_idle = {}  # module: [Helper]
_slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 1))
_unavailable = set()  # modules whose helper could not start


def acquire(module):
    """Return an idle Helper for `module`, starting one if needed, or None
    if helpers cannot start here (then the caller decodes another way).
    Blocks while one helper per core is busy."""
    if module in _unavailable or not sys.executable or getattr(sys, 'frozen', False):
        return None
    _slots.acquire()
    with _lock:
        helpers = _idle.get(module, [])
        while helpers:
            helper = helpers.pop()
            if helper.process.poll() is None:
                return helper
            helper.close()  # ended while idle (killed from outside)
    try:
        return Helper(module)
    except OSError:
        _unavailable.add(module)
        _slots.release()
        return None


def finish(helper, complete):
    """After an exchange: keep the helper for reuse if the exchange was
    complete, else end it (it crashed, or is left mid-exchange)."""
    if helper.status is not None:
        return  # ended by failed()
    if complete:
        with _lock:
            _idle.setdefault(helper.module, []).append(helper)
    else:
        helper.close()
    _slots.release()


def failed(helper, timed_out, library, seconds, error):
    """End a helper whose exchange failed (it `timed_out` after `seconds`,
    or the connection closed), and return the `error` to raise."""
    try:
        ending = helper.close()
    finally:
        _slots.release()
    if timed_out:
        return error(f'{library} took longer than {seconds} s on this stream')
    return error(f'{library} crashed on this stream ({ending})')


def _forget_after_fork():
    """A forked child must not talk to its parent's helpers."""
    global _lock, _slots
    for helpers in _idle.values():
        for helper in helpers:
            helper.socket.close()
    _idle.clear()
    _lock = threading.Lock()
    _slots = threading.BoundedSemaphore(max(2, os.cpu_count() or 1))


@atexit.register
def _close_all():
    with _lock:
        helpers = [h for hs in _idle.values() for h in hs]
        _idle.clear()
    for helper in helpers:
        helper.close()


os.register_at_fork(after_in_child=_forget_after_fork)
