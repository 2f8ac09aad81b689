"""Fixtures of the I/O tests: images on disk and a local HTTP server."""

import functools
import http.server
import os
import threading

import pytest
from iohelpers import fakestack  # noqa: F401  (a fixture)


class RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Serves files, honouring 'Range: bytes=a-b'; /early/NAME sends a
    Content-Length but closes the connection after half of the file."""

    protocol_version = 'HTTP/1.0'
    ranges: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        early = self.path.startswith('/early/')
        name = self.path[len('/early/'):] if early else self.path.lstrip('/')
        path = os.path.join(self.directory, name)
        if not os.path.isfile(path):
            self.send_error(404, 'not found')
            return
        with open(path, 'rb') as fh:
            data = fh.read()
        size = len(data)
        header = self.headers.get('Range')
        if header and header.startswith('bytes=') and not early:
            first, _, last = header[6:].partition('-')
            start = int(first)
            stop = min(int(last) + 1 if last else size, size)
            type(self).ranges.append((name, start, stop))
            self.send_response(206)
            self.send_header('Content-Range', f'bytes {start}-{stop - 1}/{size}')
            body = data[start:stop]
        else:
            self.send_response(200)
            body = data
        self.send_header('Content-Type', 'application/octet-stream')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2] if early else body)


@pytest.fixture(scope='session')
def http_root(tmp_path_factory):
    """Return (base URL, served folder, handler class) of a server on 127.0.0.1."""
    folder = tmp_path_factory.mktemp('www')
    handler = functools.partial(RangeHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f'http://127.0.0.1:{server.server_address[1]}', folder, RangeHandler
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
