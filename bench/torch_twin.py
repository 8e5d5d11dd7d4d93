#!/usr/bin/env python3
"""PyTorch (CPU) twin of `pacnet bench`: the same workloads, the same JSON keys.

Not needed to build or test pacnet. Run it next to `pacnet bench --json` on the same machine:

    python3 -m venv /tmp/torchenv && /tmp/torchenv/bin/pip install torch==2.13.0+cpu numpy
    /tmp/torchenv/bin/python bench/torch_twin.py --json

Workloads (see bench/README.md):
  gemm               n x n by n x n float32 product with torch (backend "torch") and numpy ("numpy")
  mlp_step           one Adam step (forward, backward, update) of the friedman MLP 10-100-100-100-1
  resnet_step        one Adam step of the shapes ResNet-8 with one 8-way head, BCE with logits, batch 128
  resnet18_step      one Adam step of torchvision's resnet18(num_classes=8), BCE with logits, batch 32,
                     3 x 64 x 64 inputs, channels-last memory format
  resnet18_predict   inference (eval mode, no grad) of that network on 256 images of 3 x 64 x 64 in one batch
  friedman_pipeline  one seed of the friedman benchmark (n_target 10, 50, 200; four methods)
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import torch

torch.set_num_threads(2)


def seconds_per_call(body, minimum_sample_seconds=0.2, samples=5):
    """Median seconds per call: warm up to find a repetition count, then take median samples."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            body()
        elapsed = time.perf_counter() - start
        if elapsed >= minimum_sample_seconds:
            break
        calls = calls * 10 if elapsed <= 0 else max(calls + 1, int(calls * minimum_sample_seconds * 1.2 / elapsed))
    measured = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        measured.append((time.perf_counter() - start) / calls)
    return sorted(measured)[len(measured) // 2]


def gemm(n, backend):
    rng = np.random.default_rng(1)
    a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
    if backend == "torch":
        ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.empty(n, n)
        seconds = seconds_per_call(lambda: torch.matmul(ta, tb, out=tc))
    else:
        c = np.empty((n, n), dtype=np.float32)
        seconds = seconds_per_call(lambda: np.matmul(a, b, out=c))
    return 2 * n ** 3 / seconds / 1e9


def friedman_mlp():
    return torch.nn.Sequential(
        torch.nn.Linear(10, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 100), torch.nn.ReLU(),
        torch.nn.Linear(100, 1))


def mlp_step(batch):
    torch.manual_seed(2)
    model = friedman_mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.rand(batch, 10), torch.randn(batch, 1)

    def step():
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()

    return 1e6 * seconds_per_call(step)


# ---- resnet_step: the shapes ResNet-8 (Sources/PACNN/Layers/ResNet.swift, BasicBlock.swift) ----

class BasicBlock(torch.nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = torch.nn.BatchNorm2d(cout)
        self.conv2 = torch.nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = torch.nn.BatchNorm2d(cout)
        self.shortcut = None
        if cin != cout or stride != 1:
            self.shortcut = torch.nn.Sequential(torch.nn.Conv2d(cin, cout, 1, stride, bias=False), torch.nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.shortcut is None else self.shortcut(x)))


def resnet8(widths=(16, 32, 64), outputs=8):
    """Stem 3x3 conv + BN + ReLU, one basic block per stage (stride 2 from stage 2), GAP, linear head."""
    layers = [torch.nn.Conv2d(3, widths[0], 3, 1, 1, bias=False), torch.nn.BatchNorm2d(widths[0]), torch.nn.ReLU()]
    channels = widths[0]
    for i, width in enumerate(widths):
        layers.append(BasicBlock(channels, width, 2 if i > 0 else 1))
        channels = width
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(channels, outputs)]
    return torch.nn.Sequential(*layers)


def resnet_step(batch):
    torch.manual_seed(3)
    model = resnet8()
    x, y = torch.rand(batch, 3, 32, 32), torch.randint(0, 2, (batch, 8)).float()
    return image_step(model, x, y)


def image_step(model, x, y):
    """Microseconds of one Adam step of `model` in training mode, BCE with logits on (x, y)."""
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()

    def step():
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()

    return 1e6 * seconds_per_call(step)


# ---- resnet18_step: torchvision's ResNet-18 (pacnet: ResNet(blocks: [2,2,2,2], stem: .imagenet)) ----

# Parameters of ResNet-18 with an 8-way head, in both engines (pacnet reports its own count).
RESNET18_PARAMETERS = 11_180_616


def import_torchvision():
    """torchvision's PyPI wheel is built for CUDA; its models are plain Python, so its custom-op
    registrations (which need the CUDA extension) are skipped while importing it."""
    register_fake = torch.library.register_fake
    torch.library.register_fake = lambda *args, **kwargs: (lambda function: function)
    try:
        import torchvision
    finally:
        torch.library.register_fake = register_fake
    return torchvision


def resnet18_step(batch):
    torchvision = import_torchvision()
    torch.manual_seed(4)
    model = torchvision.models.resnet18(num_classes=8)
    count = sum(p.numel() for p in model.parameters())
    assert count == RESNET18_PARAMETERS, f"resnet18: {count} parameters, pacnet has {RESNET18_PARAMETERS}"
    model = model.to(memory_format=torch.channels_last)
    x = torch.rand(batch, 3, 64, 64).contiguous(memory_format=torch.channels_last)
    y = torch.randint(0, 2, (batch, 8)).float()
    return image_step(model, x, y)


def resnet18_predict(images):
    torchvision = import_torchvision()
    torch.manual_seed(5)
    model = torchvision.models.resnet18(num_classes=8).to(memory_format=torch.channels_last).eval()
    x = torch.rand(images, 3, 64, 64).contiguous(memory_format=torch.channels_last)
    def body():
        with torch.no_grad():
            model(x)
    return seconds_per_call(body) * 1e6


# ---- friedman pipeline, mirroring Sources/PACBenchmarks (same sizes, schedules and methods) ----

def friedman_sample(rng, count, a, b, c):
    x = rng.uniform(0, 1, (count, 10))
    u = lambda i: b[i] * x[:, i] + c[i]
    y = (a[0] * 10 * np.sin(np.pi * u(0) * u(1)) + a[1] * 20 * (u(2) - 0.5) ** 2
         + a[2] * 10 * u(3) + a[3] * 5 * u(4) + rng.normal(0, 1, count))
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y[:, None], dtype=torch.float32)


def train(model, x, y, epochs, batch, grad_masks=None, penalty=None, generator=None):
    """Adam (fresh state), MSE, shuffled mini-batches; grad_masks zero the gradients of frozen entries."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=1e-3)
    n = x.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[idx]), y[idx])
            if penalty is not None:
                loss = loss + penalty()
            if not math.isfinite(loss.item()):
                raise RuntimeError("diverged")
            loss.backward()
            if grad_masks is not None:
                for p, m in grad_masks:
                    p.grad.mul_(m)
            optimizer.step()


def rmse(model, x, y):
    with torch.no_grad():
        predictions = torch.cat([model(x[i:i + 2048]) for i in range(0, x.shape[0], 2048)])
        return torch.sqrt(torch.mean((predictions - y) ** 2)).item()


def weights(model):
    return [m.weight for m in model if isinstance(m, torch.nn.Linear)]


def friedman_pipeline():
    start = time.perf_counter()
    rng = np.random.default_rng(0)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    one, zero = np.ones(5), np.zeros(5)
    a_t, b_t, c_t = rng.normal(1, 0.1, 4), rng.normal(1, 0.1, 5), rng.normal(0, 0.05, 5)
    xs, ys = friedman_sample(rng, 10_000, one, one, zero)
    xs_test, ys_test = friedman_sample(rng, 10_000, one, one, zero)
    xt_pool, yt_pool = friedman_sample(rng, 200, a_t, b_t, c_t)
    xt_test, yt_test = friedman_sample(rng, 10_000, a_t, b_t, c_t)

    source = friedman_mlp()
    train(source, xs, ys, 60, 128, generator=g)
    rmse(source, xs_test, ys_test)

    # Prune: global magnitude, keep the top 20% of weight entries.
    allocated = friedman_mlp()
    allocated.load_state_dict(source.state_dict())
    flat = torch.cat([w.detach().abs().flatten() for w in weights(allocated)])
    keep = flat.numel() - round(0.8 * flat.numel())
    threshold = torch.topk(flat, keep).values.min()
    masks = [(w.detach().abs() >= threshold).float() for w in weights(allocated)]
    with torch.no_grad():
        for w, m in zip(weights(allocated), masks):
            w.mul_(m)
    rmse(allocated, xs_test, ys_test)
    train(allocated, xs, ys, 30, 128, grad_masks=list(zip(weights(allocated), masks)), generator=g)
    rmse(allocated, xs_test, ys_test)

    for n in (10, 50, 200):
        x, y = xt_pool[:n], yt_pool[:n]
        batch = min(n, 32)
        # scratch
        model = friedman_mlp()
        train(model, x, y, 300, batch, generator=g)
        rmse(model, xt_test, yt_test)
        # finetune and l2sp
        for lam in (None, 0.01):
            model = friedman_mlp()
            model.load_state_dict(source.state_dict())
            anchors = [p.detach().clone() for p in model.parameters()]
            penalty = None if lam is None else (
                lambda m=model, an=anchors: lam * sum(((p - q) ** 2).sum() for p, q in zip(m.parameters(), an)))
            train(model, x, y, 300, batch, penalty=penalty, generator=g)
            rmse(model, xt_test, yt_test)
            rmse(model, xs_test, ys_test)
        # pacnet: only pruned weight entries train; biases frozen; lambda * sum of pruned w^2
        model = friedman_mlp()
        model.load_state_dict(allocated.state_dict())
        for layer in model:
            if isinstance(layer, torch.nn.Linear):
                layer.bias.requires_grad_(False)
        free = [1 - m for m in masks]
        penalty = lambda m=model: 0.01 * sum(((w * f) ** 2).sum() for w, f in zip(weights(m), free))
        train(model, x, y, 300, batch, grad_masks=list(zip(weights(model), free)), penalty=penalty, generator=g)
        rmse(model, xt_test, yt_test)
        source_view = friedman_mlp()
        source_view.load_state_dict(model.state_dict())
        with torch.no_grad():
            for w, m in zip(weights(source_view), masks):
                w.mul_(m)
        rmse(source_view, xs_test, ys_test)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--only", default="gemm,mlp_step,resnet_step,resnet18_step,resnet18_predict,friedman_pipeline")
    args = parser.parse_args()
    only = args.only.split(",")
    rows = []
    if "gemm" in only:
        for backend in ("torch", "numpy"):
            for n in (64, 128, 256, 512, 1024):
                rows.append({"name": "gemm", "backend": backend, "m": n, "n": n, "k": n, "gflops": round(gemm(n, backend), 1)})
    if "mlp_step" in only:
        for batch in (32, 128, 1024):
            rows.append({"name": "mlp_step", "batch": batch, "microseconds": round(mlp_step(batch), 1)})
    if "resnet_step" in only:
        rows.append({"name": "resnet_step", "batch": 128, "microseconds": round(resnet_step(128), 1)})
    if "resnet18_step" in only:
        rows.append({"name": "resnet18_step", "batch": 32, "parameters": RESNET18_PARAMETERS,
                     "microseconds": round(resnet18_step(32), 1)})
    if "resnet18_predict" in only:
        rows.append({"name": "resnet18_predict", "images": 256, "microseconds": round(resnet18_predict(256), 1)})
    if "friedman_pipeline" in only:
        rows.append({"name": "friedman_pipeline", "seconds": round(friedman_pipeline(), 3)})
    for row in rows:
        print(json.dumps(row, separators=(",", ":")) if args.json else row)
    if not args.json:
        print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, numpy {np.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
