"""The IDX file format (MNIST's), read and written with numpy."""
import gzip
import os
import struct
import zlib

import numpy as np

# IDX type code -> big-endian numpy dtype.
_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_CODES = {np.dtype(t).newbyteorder("="): code for code, t in _DTYPES.items()}
_GZIP_MAGIC = b"\x1f\x8b"


def _is_gzip(path):
    if os.fspath(path).endswith(".gz"):
        return True
    with open(path, "rb") as f:
        return f.read(2) == _GZIP_MAGIC


def read_idx(path):
    """Reads an IDX file (gzip'ed or raw) into a numpy array of its shape and dtype.

    Layout: two zero bytes, a type code (0x08 uint8, 0x09 int8, 0x0B int16,
    0x0C int32, 0x0D float32, 0x0E float64), the rank, rank big-endian uint32
    dims, then the big-endian data.

    Args:
      path: the file; gzip'ed when it ends in .gz or starts with the gzip magic.

    Returns:
      A writable, native-byte-order numpy array.
    """
    def bad(what):
        return ValueError(f"{os.fspath(path)} is not an IDX file: {what}")

    try:
        with (gzip.open if _is_gzip(path) else open)(path, "rb") as f:
            data = f.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as e:
        raise bad(f"it is not valid gzip data ({e})") from e
    if len(data) < 4 or data[:2] != b"\x00\x00":
        raise bad(f"its magic number starts with {data[:2]!r}, expected b'\\x00\\x00'")
    code, rank = data[2], data[3]
    if code not in _DTYPES:
        raise bad(f"unknown type code 0x{code:02X}; known: "
                  + ", ".join(f"0x{c:02X}" for c in _DTYPES))
    header = 4 + 4 * rank
    if len(data) < header:
        raise bad(f"it ends inside its header ({len(data)} bytes for rank {rank})")
    dims = struct.unpack(f">{rank}I", data[4:header])
    dtype = np.dtype(_DTYPES[code])
    expected = int(np.prod(dims, dtype=np.int64)) * dtype.itemsize
    if len(data) - header != expected:
        raise bad(f"dims {dims} of {dtype.newbyteorder('=').name} need {expected} data bytes, "
                  f"found {len(data) - header}")
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(dims)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Writes `array` as an IDX file, gzip'ed when `path` ends in .gz (a file there is replaced).

    Args:
      path: the file to write.
      array: uint8, int8, int16, int32, float32 or float64 data, rank <= 255.

    Returns:
      `path`.
    """
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _CODES:
        raise TypeError(f"write_idx cannot store dtype {array.dtype.name} in {os.fspath(path)}; "
                        f"use one of {', '.join(d.name for d in _CODES)}")
    if array.ndim > 255:
        raise ValueError(f"write_idx: rank must be <= 255, got {array.ndim}")
    header = bytes([0, 0, _CODES[native], array.ndim]) + struct.pack(f">{array.ndim}I",
                                                                       *array.shape)
    body = array.astype(native.newbyteorder(">")).tobytes()
    if os.fspath(path).endswith(".gz"):
        with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
            f.write(header + body)
    else:
        with open(path, "wb") as f:
            f.write(header + body)
    return path
