#!/usr/bin/env python3
"""Join `pacnet bench --json` and `bench/torch_twin.py --json` outputs into one ratio table.

    python3 bench/compare.py pacnet.jsonl torch.jsonl

Ratios are "how many times faster pacnet is" (time ratios) or "pacnet / reference" (GFLOP/s).
"""
import json
import sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ours, theirs = load(sys.argv[1]), load(sys.argv[2])
    rows = [("workload", "pacnet", "reference", "ratio")]
    ref_gemm = {(r["backend"], r["n"]): r["gflops"] for r in theirs if r["name"] == "gemm"}
    for r in ours:
        if r["name"] == "gemm":
            for ref in ("numpy", "torch"):
                if (ref, r["n"]) in ref_gemm:
                    g = ref_gemm[(ref, r["n"])]
                    rows.append((f"gemm {r['backend']} {r['n']}^3 vs {ref}", f"{r['gflops']:.1f} GFLOP/s",
                                 f"{g:.1f} GFLOP/s", f"{r['gflops'] / g:.2f}"))
            if "builtin_relative" in r:
                # The built-in kernel against the system BLAS, sampled in turn in one process.
                builtin = next((b for b in ours if b["name"] == "gemm" and b["backend"] == "builtin" and b["n"] == r["n"]), None)
                if builtin:
                    rows.append((f"gemm builtin {r['n']}^3 vs blas, alternating", f"{builtin['gflops']:.1f} GFLOP/s",
                                 f"{r['gflops']:.1f} GFLOP/s", f"{r['builtin_relative']:.2f}"))
        elif r["name"] == "mlp_step":
            ref = next((t for t in theirs if t["name"] == "mlp_step" and t["batch"] == r["batch"]), None)
            if ref:
                rows.append((f"mlp_step batch {r['batch']}", f"{r['microseconds']:.1f} us",
                             f"{ref['microseconds']:.1f} us", f"{ref['microseconds'] / r['microseconds']:.2f}x faster"))
        elif r["name"] == "resnet_step":
            ref = next((t for t in theirs if t["name"] == "resnet_step" and t["batch"] == r["batch"]), None)
            if ref:
                rows.append((f"resnet_step batch {r['batch']}", f"{r['microseconds']:.1f} us",
                             f"{ref['microseconds']:.1f} us", f"{ref['microseconds'] / r['microseconds']:.2f}x faster"))
        elif r["name"] == "resnet18_step":
            ref = next((t for t in theirs if t["name"] == "resnet18_step" and t["batch"] == r["batch"]), None)
            if ref:
                if "parameters" in r and "parameters" in ref and r["parameters"] != ref["parameters"]:
                    sys.exit(f"resnet18_step: pacnet has {r['parameters']} parameters, the twin {ref['parameters']}")
                rows.append((f"resnet18_step batch {r['batch']}", f"{r['microseconds'] / 1000:.1f} ms",
                             f"{ref['microseconds'] / 1000:.1f} ms", f"{ref['microseconds'] / r['microseconds']:.2f}x faster"))
        elif r["name"] == "resnet18_predict":
            ref = next((t for t in theirs if t["name"] == "resnet18_predict" and t["images"] == r["images"]), None)
            if ref:
                rows.append((f"resnet18_predict {r['images']} images", f"{r['microseconds'] / 1000:.1f} ms",
                             f"{ref['microseconds'] / 1000:.1f} ms", f"{ref['microseconds'] / r['microseconds']:.2f}x faster"))
        elif r["name"] == "friedman_pipeline":
            ref = next((t for t in theirs if t["name"] == "friedman_pipeline"), None)
            if ref:
                rows.append(("friedman_pipeline (1 seed)", f"{r['seconds']:.2f} s", f"{ref['seconds']:.2f} s",
                             f"{ref['seconds'] / r['seconds']:.2f}x faster"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print("| " + " | ".join(cell.ljust(widths[j]) for j, cell in enumerate(row)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")


if __name__ == "__main__":
    main()
