"""Writing a file atomically, as its owner would expect.

The new content goes to a temporary file beside the target, then replaces it
in one ``os.replace``: a crash leaves the previous file whole. The file gets
the mode of the file it replaces, or what the umask allows for a new one
(not ``mkstemp``'s 0600); a symbolic link is followed, so the link stays and
its target is replaced; temporary files that a killed process left behind
are removed by the next save to the same path. Only a regular file (or a new
path) is replaced: a folder, a FIFO, a device such as ``/dev/null`` or a
socket is refused, since replacing it would destroy what it is.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

_SUFFIX = ".skrnn-tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def _remove_orphans(target: Path) -> None:
    """Temporary files for ``target`` whose writing process has ended."""
    for orphan in target.parent.glob(f".{target.name}.*{_SUFFIX}"):
        parts = orphan.name[len(target.name) + 2 : -len(_SUFFIX)].split(".")
        if parts and parts[0].isdigit() and not _alive(int(parts[0])):
            orphan.unlink(missing_ok=True)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def write_atomically(path, data: bytes) -> Path:
    """Replace ``path`` (or the file its link points to) with ``data``."""
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        status = target.stat()
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        if not stat.S_ISREG(status.st_mode):
            raise ValueError(
                f"{path} is not a regular file ({_kind(status.st_mode)}); sk_rnn "
                "writes only regular files, so it does not replace it. Choose a "
                "file path."
            )
        mode = stat.S_IMODE(status.st_mode)
    _remove_orphans(target)
    temporary = target.parent / (
        f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{_SUFFIX}"
    )
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path
