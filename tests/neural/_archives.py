"""Model-file archives built by hand, for the tests of hostile files."""

import hashlib
import io
import zipfile


def seal(target, members):
    """A zip of ``members`` with a valid checksum: a careful attacker's file."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
        archive.comment = b"0" * 64
    data = buffer.getvalue()
    target.write_bytes(data[:-64] + hashlib.sha256(data[:-64]).hexdigest().encode())
    return target
