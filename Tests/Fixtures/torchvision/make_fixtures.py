#!/usr/bin/env python3
"""Makes the torchvision ResNet interop fixtures (run once by hand, never by tests).

    python3 -m venv /tmp/torchvenv && /tmp/torchvenv/bin/pip install torch torchvision numpy safetensors pillow
    swift build -c release
    /tmp/torchvenv/bin/python Tests/Fixtures/torchvision/make_fixtures.py .build/release/pacnet

Writes, next to this script (read by Tests/PACWorkflowTests/TorchvisionInteropTests.swift):
  manifest.json              names and shapes of torchvision's resnet18/resnet34/resnet50 state dicts
  resnet18_source.safetensors  a torchvision.models.resnet18(num_classes=5) state dict, stored as
                             float16 with 95% of each convolution's weights zeroed (so git keeps it
                             small), random batch-norm statistics, int64 num_batches_tracked
  images64.npy               3 uint8 images 64 x 64 x 3
  resnet18_source_outputs.npy  torchvision's logits for them (x / 255, NCHW), 3 x 5
  source_images.npy / source_labels.npy / target_images.npy / target_labels.npy
                             8 + 8 uint8 images 32 x 32 x 3 with 5 and 3 0/1 attributes: the data of
                             the export run below
  export_source_outputs.npy  PyTorch's logits for target_images from the file that
  export_target_outputs.npy  `pacnet transfer --source-model resnet18_source.safetensors --arch resnet18
                             ...` (EXPORT_ARGS) wrote, loaded with the README's snippet: the source
                             model (masked, fc) and the target model (whole, heads.1)

The exported file itself is not kept (45 MB of dense weights): the tests run the same transfer
and compare their predictions with these outputs.
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

# torchvision's wheel on PyPI is built for CUDA; its models are plain Python, so its custom-op
# registrations (which need the CUDA extension) are skipped while importing it.
_register_fake = torch.library.register_fake
torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
import torchvision  # noqa: E402
torch.library.register_fake = _register_fake

from safetensors.torch import load_file, save_file  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
EXPORT_ARGS = ["--allocate-epochs", "1", "--target-epochs", "1", "--batch-size", "4", "--ratio", "0.5",
               "--lambda", "0.01", "--seed", "3"]


def path(name):
    return os.path.join(HERE, name)


def manifest():
    result = {}
    for name in ["resnet18", "resnet34", "resnet50"]:
        model = getattr(torchvision.models, name)(num_classes=7)
        result[name] = [[key, list(value.shape)] for key, value in model.state_dict().items()]
    with open(path("manifest.json"), "w") as f:
        json.dump(result, f, indent=0)


def sparse_source():
    torch.manual_seed(0)
    model = torchvision.models.resnet18(num_classes=5)
    generator = torch.Generator().manual_seed(1)
    state = model.state_dict()
    for key, value in state.items():
        if value.dtype != torch.float32:
            continue
        if key.endswith("running_mean") or key.endswith("bias"):
            value.copy_(0.1 * torch.randn(value.shape, generator=generator))
        elif key.endswith("running_var"):
            value.copy_(0.5 + torch.rand(value.shape, generator=generator))
        elif value.dim() == 1:  # batch-norm weight
            value.copy_(0.5 + torch.rand(value.shape, generator=generator))
        elif value.dim() == 4:  # convolution: 5% of the weights, rescaled to keep the variance
            keep = torch.rand(value.shape, generator=generator) < 0.05
            value.copy_(torch.where(keep, value / 0.05 ** 0.5, torch.zeros_like(value)))
    for key in state:
        if key.endswith("num_batches_tracked"):
            state[key] = torch.tensor(7, dtype=torch.int64)
    stored = {k: (v.half() if v.dtype == torch.float32 else v) for k, v in state.items()}
    save_file(stored, path("resnet18_source.safetensors"), metadata={"format": "pt"})
    # The reference: the float16 values, as pacnet reads them, in a float32 model.
    model.load_state_dict({k: v.float() if v.dtype == torch.float16 else v for k, v in load_file(path("resnet18_source.safetensors")).items()})
    images = np.random.default_rng(2).integers(0, 256, size=(3, 64, 64, 3), dtype=np.uint8)
    np.save(path("images64.npy"), images)
    np.save(path("resnet18_source_outputs.npy"), logits(model, images))


def logits(model, images):
    model.eval()
    x = torch.from_numpy(images).float().div(255).permute(0, 3, 1, 2)
    with torch.no_grad():
        return model(x).numpy().astype(np.float32)


def load_pacnet_resnet18(file, task):
    """The README's snippet: a pacnet resnet18 file in torchvision (source: masked, fc; target: whole, heads.1)."""
    state = load_file(file)
    model = torchvision.models.resnet18()
    head = "fc" if task == "source" else "heads.1"
    model.fc = torch.nn.Linear(512, state[head + ".weight"].shape[0])
    weights = {}
    for name in model.state_dict():
        stored = head + name[2:] if name.startswith("fc.") else name
        value = state.get(stored + ("_source" if task == "source" and stored + "_source" in state else ""), state[stored])
        if task == "source" and stored + "_mask" in state:
            value = value * state[stored + "_mask"]
        weights[name] = value
    model.load_state_dict(weights)
    return model.eval()


def export(pacnet):
    rng = np.random.default_rng(4)
    data = {
        "source_images": rng.integers(0, 256, size=(8, 32, 32, 3), dtype=np.uint8),
        "source_labels": rng.integers(0, 2, size=(8, 5)).astype(np.float32),
        "target_images": rng.integers(0, 256, size=(8, 32, 32, 3), dtype=np.uint8),
        "target_labels": rng.integers(0, 2, size=(8, 3)).astype(np.float32),
    }
    for name, array in data.items():
        np.save(path(name + ".npy"), array)
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "exported.safetensors")
        subprocess.run([pacnet, "transfer", "--source-model", path("resnet18_source.safetensors"), "--arch", "resnet18",
                        "--source", path("source_images.npy"), "--source-labels", path("source_labels.npy"),
                        "--target", path("target_images.npy"), "--target-labels", path("target_labels.npy"),
                        "--out", out, "--quiet"] + EXPORT_ARGS, check=True)
        images = np.load(path("target_images.npy"))  # the model is for 32 x 32 images now
        for task in ["source", "target"]:
            np.save(path(f"export_{task}_outputs.npy"), logits(load_pacnet_resnet18(out, task), images))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    manifest()
    sparse_source()
    export(os.path.abspath(sys.argv[1]))
