#!/usr/bin/env python3
"""Hostile PyTorch-format checkpoints for InteropTest (no torch needed): each is a torch.save-style zip
(archive/data.pkl, archive/data/0, archive/version) whose pickle is forged with stand-in modules named
torch and torch._utils. Rerun: python3 src/test/python/make_hostile_checkpoints.py (deterministic).

  hostile-repeat.pt    a tensor of 2^30 elements viewing a 1-element storage with stride 0 (4 GiB if read)
  hostile-negative.pt  a tensor of shape (-1,)
  hostile-deep.pt      lists nested 200,000 deep (raw opcodes)
  hostile-exec.pt      open("hostile-exec-ran", "w") (pickled as io.open) as a REDUCE: a reader that runs code creates that file
"""
import collections
import io
import os
import pickle
import sys
import types
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "interop")

torch = types.ModuleType("torch")
utils = types.ModuleType("torch._utils")


def _rebuild_tensor_v2(*args):
    raise RuntimeError("never called")


_rebuild_tensor_v2.__module__ = "torch._utils"
utils._rebuild_tensor_v2 = _rebuild_tensor_v2


class FloatStorage:
    pass


FloatStorage.__module__ = "torch"
torch.FloatStorage = FloatStorage
sys.modules["torch"] = torch
sys.modules["torch._utils"] = utils


class Storage:
    pass


class Tensor:
    def __init__(self, shape, stride):
        self.shape, self.stride = shape, stride

    def __reduce__(self):
        return (_rebuild_tensor_v2, (Storage(), 0, self.shape, self.stride, False, collections.OrderedDict()))


class Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        return ("storage", FloatStorage, "0", "cpu", 1) if isinstance(obj, Storage) else None


def forged(obj):
    buf = io.BytesIO()
    Pickler(buf, protocol=2).dump(obj)
    return buf.getvalue()


def write(name, pkl):
    path = os.path.join(OUT, name)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for entry, data in (("archive/data.pkl", pkl), ("archive/data/0", b"\0\0\x80\x3f"), ("archive/version", b"3\n")):
            info = zipfile.ZipInfo(entry, date_time=(2026, 12, 2, 0, 0, 0))
            z.writestr(info, data)
    print("wrote", path, os.path.getsize(path), "bytes")


class Open:
    def __reduce__(self):
        return (open, ("hostile-exec-ran", "w"))


write("hostile-repeat.pt", forged(collections.OrderedDict(w=Tensor((1 << 30,), (0,)))))
write("hostile-negative.pt", forged(collections.OrderedDict(w=Tensor((-1,), (1,)))))
depth = 200_000
write("hostile-deep.pt", b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b".")
write("hostile-exec.pt", forged({"w": Open()}))
