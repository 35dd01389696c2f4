"""Backup encryption (maca/core/backup_crypto.py): what goes in comes out with the key, and a
file that was cut short, extended, reordered or opened with another key is refused."""

from __future__ import annotations

import io
import os

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
