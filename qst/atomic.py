"""Files written whole or not at all: a write that fails part-way (a full disk, a refused
folder) leaves what was at the path before, and no partial file.

The content goes to a temporary file beside the target — in the same folder, so that
`os.replace` renames within one file system — which replaces the target only once it is
written and closed. No fsync: this guards against a failed write, not against a power cut.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """A new empty file beside `path`, for the block to write `path`'s content to (by its own
    `open`, or a library's). Once the block ends it replaces `path`. If the block or the
    replacing fails, it is removed and `path` is left as it was; an OSError is raised again
    as one naming `path`, whatever file it arose on.

    A symlink at `path` stays one: the file it leads to is replaced. A device or a pipe there
    (`/dev/stdout`, say) is given to the block itself: it holds nothing to keep."""
    path = Path(path)
    target = Path(os.path.realpath(path))
    with _naming(path):
        if target.exists() and not target.is_file():
            yield path
            return
        temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:12]}.tmp")
        # Created here rather than by tempfile.mkstemp, whose 0600 would become the target's
        # mode: this way the target gets the umask's mode, as a plain `open` would give it.
        with open(temporary, "xb"):
            pass
        try:
            yield temporary
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise


@contextlib.contextmanager
def _naming(path: Path) -> Iterator[None]:
    """An OSError in the block raised again as one of the same kind about `path` (in its
    args, so that it survives being pickled from a child process)."""
    try:
        yield
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__
        raise OSError(error.errno, reason, str(path)) from error
