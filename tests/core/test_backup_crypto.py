"""Backup encryption (maca/core/backup_crypto.py): what goes in comes out with the key, and a
file that was cut short, extended, reordered or opened with another key is refused."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from maca.core import backup_crypto
from maca.core.backup_crypto import DecryptError, DecryptingReader, EncryptingWriter

KEY = b"a test backup key"


def _encrypt(plain: bytes, key: bytes = KEY) -> bytes:
    out = io.BytesIO()
    writer = EncryptingWriter(out, key)
    for start in range(0, len(plain), 7000):  # written in pieces, as tarfile does
        writer.write(plain[start : start + 7000])
    writer.close()
    return out.getvalue()


def _decrypt(data: bytes, key: bytes = KEY) -> bytes:
    return io.BufferedReader(DecryptingReader(io.BytesIO(data), key)).read()


@pytest.fixture(autouse=True)
def small_records(monkeypatch):
    monkeypatch.setattr(backup_crypto, "RECORD", 4096)  # many records from small inputs


@pytest.mark.parametrize("size", [0, 1, 4095, 4096, 4097, 3 * 4096, 50_000])
def test_what_goes_in_comes_out_and_nothing_readable_is_left(size):
    plain = (b"Calloway DEMO-40117 " * (size // 20 + 1))[:size]
    sealed = _encrypt(plain)
    assert _decrypt(sealed) == plain
    if size >= 20:
        assert b"Calloway" not in sealed
    assert _encrypt(plain) != sealed  # a fresh salt, so a fresh key, every time


def _records(sealed: bytes) -> tuple[bytes, list[bytes]]:
    header, rest = sealed[:24], sealed[24:]
    records = []
    while rest:
        length = int.from_bytes(rest[1:5], "big")
        records.append(rest[: 5 + length])
        rest = rest[5 + length :]
    return header, records


def test_cut_short_extended_reordered_or_another_key_is_refused():
    sealed = _encrypt(os.urandom(20_000))
    header, records = _records(sealed)
    assert len(records) == 5
    cases = {
        "cut short": header + b"".join(records[:-1]),  # the final record dropped
        "cut short ": sealed[:-3],
        "after its end": sealed + records[0],
        "cannot be decrypted": header + records[1] + records[0] + b"".join(records[2:]),
        "cannot be decrypted ": sealed[:100] + bytes([sealed[100] ^ 1]) + sealed[101:],
    }
    for why, bad in cases.items():
        with pytest.raises(DecryptError, match=why.strip()):
            _decrypt(bad)
    with pytest.raises(DecryptError, match="made with another key"):
        _decrypt(sealed, b"another key")
    with pytest.raises(DecryptError, match="not an encrypted maca backup"):
        _decrypt(b"plain tar bytes" * 10)


def test_an_unencrypted_archive_made_before_encryption_is_still_checked_and_read(
    tmp_path, settings
):
    import hashlib
    import hmac
    import json
    import tarfile

    from maca.core import backup

    settings.BACKUP_KEY = "older-key"
    upload = b"Child ID,Sex\nX1,F\n"
    manifest = json.dumps(
        {
            "format": backup.FORMAT,
            "version": backup.FORMAT_VERSION,
            "engine": "sqlite",
            "created": "2026-11-01T00:00:00+00:00",
            "migrations": {},
            "members": {
                "files/u.csv": {"sha256": hashlib.sha256(upload).hexdigest(), "size": len(upload)}
            },
        }
    ).encode()

    def archive(signature: bytes) -> Path:
        path = tmp_path / f"old-{len(list(tmp_path.iterdir()))}.backup"
        with tarfile.open(path, "w") as tar:
            for name, data in (
                ("manifest.json", manifest),
                ("manifest.sig", signature),
                ("files/u.csv", upload),
            ):
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        return path

    good = hmac.new(b"older-key", manifest, hashlib.sha256).hexdigest().encode()
    into = tmp_path / "into"
    into.mkdir()
    read = backup.backup_verify(archive(good), into)
    assert read["members"] == json.loads(manifest)["members"]
    assert (into / "members" / "files" / "u.csv").read_bytes() == upload
    with pytest.raises(backup.BackupError, match="signature does not match"):
        backup.backup_verify(archive(b"0" * 64), into)
