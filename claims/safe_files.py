"""Reading an input file without hanging, swelling or following it somewhere it should not go.

Every command that reads a file the user names goes through :func:`read_regular_file`: only a
regular file is read (a FIFO, device or socket is refused by name, a symlink is followed only to
a regular file), the size is checked on the open file descriptor (so a symlink to ``/dev/zero``
or a file that grows cannot get past it), and never more than ``max_bytes + 1`` bytes are read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

# Larger than any real sources or curation file; articles and source texts pass their own limit.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular_file(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, error: type[Exception] = ValueError, what: str = "file"
) -> bytes:
    """The bytes of a regular file, or ``error`` with one line naming the file and the problem."""
    path = Path(path)
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise error(f"{path}: no such file") from None
    except OSError as e:
        raise error(f"{path}: cannot read it ({e.strerror or e})") from None
    if not stat.S_ISREG(before.st_mode):
        raise error(f"{path}: is {_kind(before.st_mode)}, not a regular {what}; give a file")
    try:
        # O_NONBLOCK: if a FIFO replaced the file since the stat, opening it does not wait for a
        # writer; the fstat below then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as e:
        raise error(f"{path}: cannot read it ({e.strerror or e})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise error(f"{path}: is {_kind(st.st_mode)}, not a regular {what}; give a file")
        if st.st_size > max_bytes:
            raise error(f"{path}: {st.st_size:,} bytes is over the size limit of {max_bytes:,} bytes (see --max-bytes)")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise error(f"{path}: over the size limit of {max_bytes:,} bytes (see --max-bytes)")
        return b"".join(chunks)
    except OSError as e:
        raise error(f"{path}: cannot read it ({e.strerror or e})") from None
    finally:
        os.close(fd)


def read_text_file(path: str | Path, *, error: type[Exception] = ValueError, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """A regular file's UTF-8 text (see :func:`read_regular_file`)."""
    data = read_regular_file(path, max_bytes=max_bytes, error=error)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"{path}: not valid UTF-8 (byte offset {e.start})") from None
