#!/usr/bin/env python3
"""Makes the PyTorch interop fixtures for the safetensors tests (run once by hand, never by tests).

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch numpy safetensors
    /tmp/torchenv/bin/python Tests/PACIOTests/Fixtures/make_fixtures.py            # (re)write fixtures
    /tmp/torchenv/bin/python Tests/PACIOTests/Fixtures/make_fixtures.py --check F  # inspect a file
    /tmp/torchenv/bin/python Tests/PACIOTests/Fixtures/make_fixtures.py --only torch_mlp_relu  # one fixture set

Writes, next to this script:
  torch_mlp.safetensors    state_dict of a seeded Sequential(Linear(3,8), ReLU, Linear(8,8), Tanh, Linear(8,2))
  torch_mlp_inputs.npy     5x3 float32 inputs
  torch_mlp_outputs.npy    5x2 float32 outputs of the model on those inputs
  torch_mlp_relu.safetensors  state_dict of a seeded Sequential(Linear(3,8), ReLU, Linear(8,8), ReLU, Linear(8,2)):
                           one activation throughout, so `--arch mlp:3-8-8-2:relu` describes it
                           (read by Tests/PACWorkflowTests/PyTorchInteropTests.swift and the CLI tests)
  torch_mlp_relu_inputs.npy   5x3 float32 inputs
  torch_mlp_relu_outputs.npy  5x2 float32 outputs of the model on those inputs
  torch_dtypes.safetensors small float16/bfloat16/float64/int64/int32/uint8/bool tensors with known values

The numbers it prints are hard-coded in SafetensorsFixtureTests.swift.

--check FILE loads a safetensors file (e.g. one written by pacnet) with safetensors.torch.load_file
and prints its names, dtypes, shapes, metadata and first values: the reverse-direction interop check.
pacnet_golden.safetensors is not made here: it is SafetensorsFile.encode() output (see
SafetensorsFixtureTests.golden()), checked with `--check Tests/PACIOTests/Fixtures/pacnet_golden.safetensors`.
"""
import os
import sys

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))


def make_mlp():
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 2),
    )
    inputs = torch.randn(5, 3, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        outputs = model(inputs)
    save_file(model.state_dict(), os.path.join(HERE, "torch_mlp.safetensors"), metadata={"format": "pt"})
    np.save(os.path.join(HERE, "torch_mlp_inputs.npy"), inputs.numpy().astype(np.float32))
    np.save(os.path.join(HERE, "torch_mlp_outputs.npy"), outputs.numpy().astype(np.float32))

    np.set_printoptions(precision=9, floatmode="unique")
    for name, tensor in model.state_dict().items():
        print(f"{name} {list(tensor.shape)} first: {tensor.flatten()[:3].numpy()}")
    print("inputs[0]:", inputs[0].numpy())
    print("outputs[0]:", outputs[0].numpy())


def make_mlp_relu():
    torch.manual_seed(2)
    model = torch.nn.Sequential(
        torch.nn.Linear(3, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 8), torch.nn.ReLU(),
        torch.nn.Linear(8, 2),
    )
    inputs = torch.randn(5, 3, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        outputs = model(inputs)
    save_file(model.state_dict(), os.path.join(HERE, "torch_mlp_relu.safetensors"), metadata={"format": "pt"})
    np.save(os.path.join(HERE, "torch_mlp_relu_inputs.npy"), inputs.numpy().astype(np.float32))
    np.save(os.path.join(HERE, "torch_mlp_relu_outputs.npy"), outputs.numpy().astype(np.float32))
    print("torch_mlp_relu outputs:", outputs.numpy())


def make_dtypes():
    inf = float("inf")
    tensors = {
        # 1, -2.5, largest half, smallest normal half, smallest subnormal half, -inf, -0, NaN
        "half": torch.tensor([1.0, -2.5, 65504.0, 2.0**-14, 2.0**-24, -inf, -0.0, float("nan")], dtype=torch.float16),
        # 1, -2.5, 0.15625, largest bfloat16, smallest subnormal bfloat16 (2^-133)
        "bfloat": torch.tensor([1.0, -2.5, 0.15625, 3.3895313892515355e38, 2.0**-133], dtype=torch.bfloat16),
        # 0.1 and pi round to the nearest float; -1e300 overflows to -inf, 1e-50 underflows to 0
        "double": torch.tensor([[0.1, 3.141592653589793], [-1e300, 1e-50]], dtype=torch.float64),
        # 2^53 + 1 rounds to 2^53 in Float
        "long": torch.tensor([-3, 0, 2**40, 2**53 + 1], dtype=torch.int64),
        # 2^31 - 1 rounds to 2^31 in Float
        "int": torch.tensor([-7, 2**31 - 1], dtype=torch.int32),
        "byte": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "mask": torch.tensor([[True, False, True], [False, False, True]], dtype=torch.bool),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }
    path = os.path.join(HERE, "torch_dtypes.safetensors")
    save_file(tensors, path, metadata={"source": "make_fixtures.py", "note": "known values"})
    with safe_open(path, framework="pt") as f:
        print("torch_dtypes order:", list(f.keys()))


def check(path):
    tensors = load_file(path)
    with safe_open(path, framework="pt") as f:
        metadata = f.metadata()
    print(f"{path}: {len(tensors)} tensors, metadata {metadata}")
    for name, tensor in tensors.items():
        print(f"  {name!r} {tensor.dtype} {list(tensor.shape)} first: {tensor.flatten()[:4].tolist()}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--check":
        check(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == "--only":
        makers = {"torch_mlp": make_mlp, "torch_mlp_relu": make_mlp_relu, "torch_dtypes": make_dtypes}
        if sys.argv[2] not in makers:
            sys.exit(f"--only takes one of {sorted(makers)}")
        makers[sys.argv[2]]()
    elif len(sys.argv) == 1:
        make_mlp()
        make_mlp_relu()
        make_dtypes()
        print("sizes:", {f: os.path.getsize(os.path.join(HERE, f)) for f in sorted(os.listdir(HERE)) if f.startswith("torch_")})
    else:
        sys.exit(__doc__)
