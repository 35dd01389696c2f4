"""Encryption of backup archives at rest: AES-256-GCM in authenticated chunks.

A backup holds everything maca holds, identifiers included, so the archive must be unreadable
without the key (and a stolen copy of the file alone gives nothing). The format is streamed, so
neither side holds the archive in memory:

    header:  MAGIC (8 bytes) + salt (16 bytes)
    records: flag (1 byte: 0 more, 1 final) + length (4 bytes, big-endian) + ciphertext

The file's key is HKDF-SHA256 of MACA_BACKUP_KEY with the file's random salt, so each file has
its own key and the nonce can be the record's number. Each record is authenticated together
with the header, its number and its flag, so records cannot be altered, reordered, dropped or
moved between files, and a file that stops before its final record is reported as cut short.
Built on the `cryptography` package's AESGCM and HKDF; nothing here is new cryptography.
"""

from __future__ import annotations

import io
import os
import struct
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"MACAENC1"
SALT_BYTES = 16
RECORD = 1 << 20  # plaintext bytes per record
_HEAD = struct.Struct(">BI")
_MORE, _FINAL = 0, 1
_INFO = b"maca backup archive encryption v1"


class DecryptError(Exception):
    """The file cannot be decrypted: altered, cut short, or made with another key."""


def _file_key(secret: bytes, salt: bytes) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(secret)
    return AESGCM(key)


def _nonce(number: int) -> bytes:
    return b"\0\0\0\0" + number.to_bytes(8, "big")


class EncryptingWriter(io.RawIOBase):
    """A write-only file object: what is written goes out encrypted to `out`. `close()`
    writes the final record (and does not close `out`)."""

    def __init__(self, out: IO[bytes], secret: bytes) -> None:
        super().__init__()
        salt = os.urandom(SALT_BYTES)
        self._out = out
        self._header = MAGIC + salt
        self._aead = _file_key(secret, salt)
        self._buffer = bytearray()
        self._number = 0
        out.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer += data
        while len(self._buffer) > RECORD:  # keep at least one byte back for the final record
            self._record(bytes(self._buffer[:RECORD]), _MORE)
            del self._buffer[:RECORD]
        return len(data)

    def _record(self, plain: bytes, flag: int) -> None:
        aad = self._header + self._number.to_bytes(8, "big") + bytes([flag])
        sealed = self._aead.encrypt(_nonce(self._number), plain, aad)
        self._out.write(_HEAD.pack(flag, len(sealed)) + sealed)
        self._number += 1

    def close(self) -> None:
        if not self.closed:
            self._record(bytes(self._buffer), _FINAL)
            self._buffer.clear()
        super().close()


class DecryptingReader(io.RawIOBase):
    """A read-only file object over an encrypted file; raises DecryptError on any doubt."""

    def __init__(self, source: IO[bytes], secret: bytes) -> None:
        super().__init__()
        header = source.read(len(MAGIC) + SALT_BYTES)
        if len(header) != len(MAGIC) + SALT_BYTES or not header.startswith(MAGIC):
            raise DecryptError("not an encrypted maca backup")
        self._source = source
        self._header = header
        self._aead = _file_key(secret, header[len(MAGIC) :])
        self._plain = b""
        self._offset = 0
        self._number = 0
        self._finished = False

    def readable(self) -> bool:
        return True

    def _next_record(self) -> None:
        head = self._source.read(_HEAD.size)
        if len(head) < _HEAD.size:
            raise DecryptError("the backup is cut short (its last part is missing)")
        flag, length = _HEAD.unpack(head)
        if flag not in (_MORE, _FINAL) or length > RECORD + 16:
            raise DecryptError("the backup is damaged")
        sealed = self._source.read(length)
        if len(sealed) < length:
            raise DecryptError("the backup is cut short (its last part is missing)")
        aad = self._header + self._number.to_bytes(8, "big") + bytes([flag])
        try:
            self._plain = self._aead.decrypt(_nonce(self._number), sealed, aad)
        except InvalidTag:
            raise DecryptError(
                "it cannot be decrypted with MACA_BACKUP_KEY: it was altered, or made with "
                "another key"
            ) from None
        self._offset = 0
        self._number += 1
        if flag == _FINAL:
            if self._source.read(1):
                raise DecryptError("the backup has data after its end: it was altered")
            self._finished = True

    def readinto(self, target: Any) -> int:
        view = memoryview(target).cast("B")
        while self._offset >= len(self._plain):
            if self._finished:
                return 0
            self._next_record()
        count = min(len(view), len(self._plain) - self._offset)
        view[:count] = self._plain[self._offset : self._offset + count]
        self._offset += count
        return count
