#!/usr/bin/env python3
"""Writes small example CSVs for `pacnet transfer` (standard library only).

    python3 examples/make_example_data.py [DIR]    # default: the current directory

Source task:  y = 2 x1 - 3 x2 + x3 x4 + sin(3 x5) + noise      (2,000 rows, plus 500 test rows)
Target task:  y = 2.5 x1 - 2.5 x2 + 1.5 x3 x4 + sin(2 x5) + noise  (50 rows, plus 1,000 test rows)

Inputs are uniform on [-1, 1]; noise is N(0, 0.1^2). Columns: x1,x2,x3,x4,x5,y.
"""
import math
import os
import random
import sys


def rows(n, coefficients, rng):
    a, b, c, d = coefficients
    for _ in range(n):
        x = [rng.uniform(-1, 1) for _ in range(5)]
        y = a * x[0] + b * x[1] + c * x[2] * x[3] + math.sin(d * x[4]) + rng.gauss(0, 0.1)
        yield x + [y]


def write(path, n, coefficients, rng):
    with open(path, "w") as f:
        f.write("x1,x2,x3,x4,x5,y\n")
        for row in rows(n, coefficients, rng):
            f.write(",".join(f"{v:.6f}" for v in row) + "\n")
    print(f"wrote {path} ({n} rows)")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "."
    os.makedirs(out, exist_ok=True)
    rng = random.Random(0)
    source, target = (2.0, -3.0, 1.0, 3.0), (2.5, -2.5, 1.5, 2.0)
    write(os.path.join(out, "source.csv"), 2000, source, rng)
    write(os.path.join(out, "source_test.csv"), 500, source, rng)
    write(os.path.join(out, "target.csv"), 50, target, rng)
    write(os.path.join(out, "target_test.csv"), 1000, target, rng)
