"""Where images are read from and written to.

A source is opened as a Resource, which gives its name (for the
extension), its first bytes, byte ranges and the whole content, whatever
it is: a path, a ``file://`` URI, bytes, a file object, an http(s) URL, a
member of a ZIP archive or a bundled sample. A target is opened as a Sink,
which writes to a temporary file beside the path and renames it at the end,
so that a failed write leaves nothing behind.
"""

from __future__ import annotations

import io
import mmap
import os
import pathlib
import tempfile
import zipfile

__all__ = [
    'BYTES', 'Resource', 'Sink', 'open_resource', 'open_sink', 'request_timeout', 'target_name',
]

BYTES = '<bytes>'
SAMPLE_PREFIX = 'ndcodecs:'
_CHUNK = 1 << 20


def _max_output() -> int:
    from .._ext._shared import get_max_output

    return get_max_output()


def request_timeout() -> float:
    """Return the http(s) timeout in seconds from NDCODECS_REQUEST_TIMEOUT (default 30)."""
    value = os.environ.get('NDCODECS_REQUEST_TIMEOUT', '')
    try:
        return float(value) if value else 30.0
    except ValueError:
        raise ValueError(f'NDCODECS_REQUEST_TIMEOUT={value!r} is not a number') from None


def _read_bounded(fh, what: str, limit: int | None = None) -> bytes:
    """Read a stream to its end, refusing more than `limit` (max_output) bytes."""
    limit = _max_output() if limit is None else limit
    chunks, size = [], 0
    while True:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return b''.join(chunks)
        size += len(chunk)
        if size > limit:
            raise OSError(f'{what} holds more than max_output={limit} bytes')
        chunks.append(chunk)


class Resource:
    """Read access to one source: `name`, `head()`, `read_at()`, `read_all()`.

    Subclasses implement `_size` and `_read_at`; the whole content is read
    once and kept when a reader needs it.
    """

    name = ''
    path: pathlib.Path | None = None  # a local file that can be memory-mapped

    def __init__(self) -> None:
        self._content = None
        self._head = None
        self._asked = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'<{type(self).__name__} {self.name!r}>'

    def close(self) -> None:
        self._content = None

    def size(self) -> int | None:
        """Return the size in bytes, or None if not known."""
        if self._content is not None:
            return len(self._content)
        return self._size()

    def head(self, size: int = 512) -> bytes:
        """Return the first `size` bytes (fewer if the resource is shorter);
        kept, since format detection and header readers ask repeatedly."""
        if self._head is None or (len(self._head) < size and len(self._head) == self._asked):
            self._asked = max(size, 4096)
            self._head = self.read_at(0, self._asked)
        return self._head[:size]

    def read_at(self, offset: int, size: int) -> bytes:
        """Return up to `size` bytes from `offset`."""
        if self._content is not None:
            return bytes(self._content[offset:offset + size])
        return self._read_at(offset, size)

    def read_all(self):
        """Return the whole content as a bytes-like object."""
        if self._content is None:
            self._content = self._read_all()
        return self._content

    def _size(self) -> int | None:
        return len(self.read_all())

    def _read_at(self, offset: int, size: int) -> bytes:
        return bytes(self.read_all()[offset:offset + size])

    def _read_all(self):
        raise NotImplementedError


class BytesResource(Resource):
    """Bytes, bytearray, memoryview, mmap or any other buffer."""

    def __init__(self, data, name: str = '') -> None:
        super().__init__()
        self._content = memoryview(data).cast('B')
        self.name = name

    def close(self) -> None:
        pass


class FileResource(Resource):
    """A local file, opened once and read by position."""

    def __init__(self, path) -> None:
        super().__init__()
        self.path = pathlib.Path(path)
        self.name = str(path)
        self._fh = open(self.path, 'rb')  # raises FileNotFoundError, IsADirectoryError

    def close(self) -> None:
        super().close()
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def _size(self) -> int:
        return os.fstat(self._fh.fileno()).st_size

    def _read_at(self, offset: int, size: int) -> bytes:
        return os.pread(self._fh.fileno(), size, offset) if size > 0 else b''

    def _read_all(self):
        size = self._size()
        if size > _max_output():
            raise OSError(f'{self.name} has {size} bytes, more than max_output={_max_output()}')
        self._fh.seek(0)
        return self._fh.read()


class StreamResource(Resource):
    """A file object: seekable ones are read by position, others buffered once."""

    def __init__(self, fh, name: str = '') -> None:
        super().__init__()
        self._fh = fh
        self.name = name or str(getattr(fh, 'name', '') or '')
        try:
            self._seekable = bool(fh.seekable())
        except Exception:
            self._seekable = False
        if self._seekable:
            self._start = fh.tell()

    def close(self) -> None:
        # the caller owns the file object
        super().close()

    def _size(self) -> int | None:
        if not self._seekable:
            return len(self.read_all())
        end = self._fh.seek(0, os.SEEK_END)
        return end - self._start

    def _read_at(self, offset: int, size: int) -> bytes:
        if not self._seekable:
            return bytes(self.read_all()[offset:offset + size])
        self._fh.seek(self._start + offset)
        return self._fh.read(size) or b''

    def _read_all(self):
        if self._seekable:
            self._fh.seek(self._start)
        return _read_bounded(self._fh, self.name or 'the stream')


class HttpResource(Resource):
    """An http(s) URL, read through urllib with Range requests for parts."""

    def __init__(self, url: str) -> None:
        super().__init__()
        if os.environ.get('NDCODECS_NO_INTERNET', '') not in ('', '0'):
            raise OSError(f'NDCODECS_NO_INTERNET is set: not reading {url}')
        self.url = self.name = url
        self._timeout = request_timeout()
        self._ranges = True
        self._length = None

    def _open(self, headers=None):
        import urllib.error
        import urllib.request

        request = urllib.request.Request(self.url, headers=headers or {})
        try:
            return urllib.request.urlopen(request, timeout=self._timeout)
        except urllib.error.HTTPError as exc:
            if exc.code == 404:
                raise FileNotFoundError(f'{self.url}: HTTP 404 {exc.reason}') from None
            raise OSError(f'{self.url}: HTTP {exc.code} {exc.reason}') from None
        except urllib.error.URLError as exc:
            raise OSError(f'{self.url}: {exc.reason}') from None

    def _read_response(self, response) -> bytes:
        import http.client

        expected = response.headers.get('Content-Length', '')
        try:
            with response:
                data = _read_bounded(response, self.url)
        except OSError as exc:
            raise OSError(f'{self.url}: reading failed: {exc}') from None
        except http.client.HTTPException as exc:
            raise OSError(f'{self.url}: connection closed early: {exc!r}') from None
        # http.client returns short reads silently when the server closes early
        if expected.isdigit() and len(data) != int(expected):
            raise OSError(
                f'{self.url}: connection closed early, after {len(data)} of {expected} bytes'
            )
        return data

    def _read_at(self, offset: int, size: int) -> bytes:
        if size <= 0:
            return b''
        if not self._ranges:
            return bytes(self.read_all()[offset:offset + size])
        response = self._open({'Range': f'bytes={offset}-{offset + size - 1}'})
        if response.status != 206:
            # the server sends the whole file: keep it for further reads
            self._ranges = False
            self._content = self._read_response(response)
            return bytes(self._content[offset:offset + size])
        content_range = response.headers.get('Content-Range', '')
        if content_range.rpartition('/')[2].isdigit():
            self._length = int(content_range.rpartition('/')[2])
        data = self._read_response(response)
        return data[:size]

    def _size(self) -> int | None:
        if self._length is None:
            self.read_at(0, 1)
        return self._length if self._content is None else len(self._content)

    def _read_all(self):
        return self._read_response(self._open())


class ZipMemberResource(Resource):
    """A member of a ZIP archive, named as ``archive.zip/inner/path.png``."""

    def __init__(self, archive: pathlib.Path, member: str) -> None:
        super().__init__()
        self.name = f'{archive}/{member}'
        try:
            zf = zipfile.ZipFile(archive)
        except zipfile.BadZipFile as exc:
            raise OSError(f'{archive}: not a ZIP archive ({exc})') from None
        with zf:
            try:
                self._info = zf.getinfo(member)
            except KeyError:
                raise FileNotFoundError(f'{archive} has no member {member!r}') from None
        self._archive = archive

    def _size(self) -> int:
        return self._info.file_size

    def _read_all(self):
        with zipfile.ZipFile(self._archive) as zf, zf.open(self._info) as fh:
            try:
                return _read_bounded(fh, self.name)
            except (zipfile.BadZipFile, EOFError, ValueError) as exc:
                raise OSError(f'{self.name}: {exc}') from None


def _split_zip(path: str):
    """Return (archive, member) if `path` names a member of a ZIP file, else None."""
    parts = pathlib.PurePath(path).parts
    for i in range(len(parts) - 1, 0, -1):
        head = pathlib.Path(*parts[:i])
        if head.suffix.lower() == '.zip' and head.is_file():
            return head, '/'.join(parts[i:])
    return None


def _local_path(uri: str) -> str:
    if uri.startswith('file://'):
        import urllib.parse
        import urllib.request

        parsed = urllib.parse.urlparse(uri)
        return urllib.request.url2pathname(parsed.path)
    return os.path.expanduser(uri)


def open_resource(uri) -> Resource:
    """Return a Resource for any supported source (see the module doc)."""
    if isinstance(uri, Resource):
        return uri
    if isinstance(uri, (bytes, bytearray, memoryview, mmap.mmap)):
        return BytesResource(uri)
    if isinstance(uri, os.PathLike):
        uri = os.fspath(uri)
        if isinstance(uri, bytes):
            uri = os.fsdecode(uri)
    if isinstance(uri, str):
        if uri == BYTES:
            raise ValueError("'<bytes>' is a write target; pass the bytes to read")
        lower = uri[:8].lower()
        if lower.startswith(('http://', 'https://')):
            return HttpResource(uri)
        if uri.startswith(SAMPLE_PREFIX):
            from .._samples import sample_path

            return FileResource(sample_path(uri[len(SAMPLE_PREFIX):]))
        path = _local_path(uri)
        if not os.path.exists(path):
            member = _split_zip(path)
            if member is not None:
                return ZipMemberResource(*member)
            raise FileNotFoundError(f'no such file: {uri!r}')
        if os.path.isdir(path):
            raise IsADirectoryError(f'{uri!r} is a directory')
        return FileResource(path)
    if hasattr(uri, 'read'):
        return StreamResource(uri)
    raise TypeError(f'cannot read an image from a {type(uri).__name__}')


class Sink:
    """Write access to one target: a path (through a temporary file that is
    renamed on `commit`), a file object, or ``'<bytes>'``."""

    def __init__(self, target, name: str | None = None) -> None:
        self.name = ''
        self._path = None
        self._tmp = None
        self._owned = False
        if isinstance(target, os.PathLike):
            target = os.fspath(target)
        if isinstance(target, str) and target != BYTES:
            if target.startswith(('http://', 'https://')):
                raise ValueError(f'cannot write to a URL: {target}')
            self._path = pathlib.Path(_local_path(target))
            self.name = str(self._path)
            fd, tmp = tempfile.mkstemp(
                prefix=f'.{self._path.name}.', suffix='.part', dir=self._path.parent or '.'
            )
            self._tmp = pathlib.Path(tmp)
            self.file = os.fdopen(fd, 'w+b')
            self._owned = True
        elif target == BYTES:
            self.file = io.BytesIO()
            self.name = BYTES
        elif hasattr(target, 'write'):
            self.file = target
            self.name = str(getattr(target, 'name', '') or '')
        else:
            raise TypeError(f'cannot write an image to a {type(target).__name__}')
        self.is_bytes = target == BYTES if isinstance(target, str) else False
        if name is not None:
            self.name = name

    @property
    def seekable(self) -> bool:
        try:
            return bool(self.file.seekable())
        except Exception:
            return False

    def commit(self):
        """Finish writing: rename the temporary file, or return the bytes."""
        if self._owned:
            self.file.close()
            os.replace(self._tmp, self._path)
            self._tmp = None
            return None
        if self.is_bytes:
            return self.file.getvalue()
        try:
            self.file.flush()
        except Exception:
            pass
        return None

    def discard(self) -> None:
        """Abandon the write, leaving no partial file behind."""
        if self._owned and self._tmp is not None:
            self.file.close()
            self._tmp.unlink(missing_ok=True)
            self._tmp = None


def open_sink(target, name: str | None = None) -> Sink:
    """Return a Sink for a path, a file object or '<bytes>'; `name` overrides
    the name used to choose the format."""
    return Sink(target, name)


def target_name(target) -> str:
    """Return the file name of a write target, '' if it has none."""
    if isinstance(target, os.PathLike):
        target = os.fspath(target)
    if isinstance(target, bytes):
        target = os.fsdecode(target)
    if isinstance(target, str):
        return '' if target == BYTES else target
    return str(getattr(target, 'name', '') or '')
