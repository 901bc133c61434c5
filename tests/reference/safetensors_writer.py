"""Minimal safetensors writer (the format: 8-byte little-endian header length, a JSON header
{name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then the packed data).

Written here because Debian has no python3-safetensors; tensors are laid out F64 first, then F32,
then I32, each group sorted by name, with no holes, so every tensor is aligned to its element size.
"""
import json
import struct

import numpy as np

_DTYPES = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}
_ORDER = {"F64": 0, "F32": 1, "I32": 2}


def save(path, tensors, metadata):
    """tensors: {name: numpy array (float64, float32 or int32)}; metadata: {str: str}."""
    items = []
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        if a.dtype not in _DTYPES:
            raise TypeError(f"{name}: dtype {a.dtype} not supported")
        items.append((_ORDER[_DTYPES[a.dtype]], name, a))
    items.sort(key=lambda it: (it[0], it[1]))

    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for _, name, a in items:
        data = a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {"dtype": _DTYPES[a.dtype], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)

    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)       # data starts 8-byte aligned
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    import os
    os.replace(tmp, path)                             # never leave a half-written fixture


def load(path):
    """Returns ({name: numpy array}, metadata) — used to check what save() wrote."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    meta = header.pop("__metadata__", {})
    inv = {"F64": "<f8", "F32": "<f4", "I32": "<i4"}
    base = 8 + n
    out = {}
    for name, e in header.items():
        b, en = e["data_offsets"]
        out[name] = np.frombuffer(raw[base + b:base + en], dtype=inv[e["dtype"]]).reshape(e["shape"])
    return out, meta
