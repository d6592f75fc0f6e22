"""The floor under `mnist_mlp_epoch.py`: the same epoch hand-written in NumPy.

Run: `python benchmarks/numpy_floor.py [--epochs N]`.

Flatten → Dense(128, relu) → Dense(10, softmax), categorical cross-entropy, Adam with Keras's
update formula, batch 32, 54 000 shuffled training samples and a validation pass over the last
6 000 (loss and accuracy) per epoch, as `model.fit(..., validation_split=0.1)` does. Everything a
library adds is left out: no autograd (gradients written by hand), no layers, no metrics
objects, no callbacks, and every array of the step preallocated and updated in place. What is
left is the matrix products and the elementwise passes, on one BLAS thread as minikeras uses:
how fast a NumPy library can possibly run this epoch on this machine.
"""

import argparse
import time

import numpy as np

from minikeras import blas, config  # noqa: F401 (config: minikeras's malloc policy)
from mnist_mlp_epoch import load

f32 = np.float32


class Adam:
    """Keras's Adam (the same twelve passes, in its order) on preallocated arrays, updating
    the weights in place."""

    def __init__(self, weights, lr=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        self.lr, self.b1, self.b2, self.eps = f32(lr), f32(beta_1), f32(beta_2), f32(epsilon)
        self.m = [np.zeros_like(w) for w in weights]
        self.v = [np.zeros_like(w) for w in weights]
        self.tmp = [np.zeros_like(w) for w in weights]
        self.tmp2 = [np.zeros_like(w) for w in weights]
        self.t = 0

    def step(self, weights, grads):
        self.t += 1
        t = f32(self.t)
        alpha = self.lr * np.sqrt(f32(1) - self.b2 ** t) / (f32(1) - self.b1 ** t)
        for w, g, m, v, tmp, tmp2 in zip(weights, grads, self.m, self.v, self.tmp, self.tmp2):
            np.subtract(g, m, out=tmp)
            tmp *= f32(1) - self.b1
            m += tmp
            np.multiply(g, g, out=tmp)
            tmp -= v
            tmp *= f32(1) - self.b2
            v += tmp
            np.sqrt(v, out=tmp)
            tmp += self.eps
            np.multiply(m, alpha, out=tmp2)
            tmp2 /= tmp
            w -= tmp2


def softmax_rows(z, out):
    np.subtract(z, z.max(axis=1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def epoch(x, y, x_val, y_val, weights, opt, rng, batch=32):
    w1, b1, w2, b2 = weights
    h, z, p = np.empty((batch, 128), f32), np.empty((batch, 10), f32), np.empty((batch, 10), f32)
    grads = [np.empty_like(w) for w in weights]
    gw1, gb1, gw2, gb2 = grads
    gh = np.empty((batch, 128), f32)
    order = rng.permutation(len(x))
    for start in range(0, len(x), batch):
        idx = order[start:start + batch]
        n = len(idx)
        xb, yb = x.take(idx, axis=0), y.take(idx, axis=0)
        hb, zb, pb, ghb = h[:n], z[:n], p[:n], gh[:n]
        np.dot(xb, w1, out=hb)
        hb += b1
        np.maximum(hb, 0, out=hb)
        np.dot(hb, w2, out=zb)
        zb += b2
        softmax_rows(zb, pb)
        # d(mean cross-entropy)/dz = (p - y) / n, then back through both layers.
        np.subtract(pb, yb, out=zb)
        zb /= f32(n)
        np.dot(hb.T, zb, out=gw2)
        np.sum(zb, axis=0, out=gb2)
        np.dot(zb, w2.T, out=ghb)
        ghb *= hb > 0
        np.dot(xb.T, ghb, out=gw1)
        np.sum(ghb, axis=0, out=gb1)
        opt.step(weights, grads)
    # Validation, in batches of 32 as Keras does: mean loss and accuracy.
    loss = hits = 0.0
    for start in range(0, len(x_val), batch):
        xb, yb = x_val[start:start + batch], y_val[start:start + batch]
        pb = softmax_rows(np.maximum(xb @ w1 + b1, 0) @ w2 + b2, np.empty((len(xb), 10), f32))
        loss += float(-np.sum(yb * np.log(np.clip(pb, 1e-7, 1 - 1e-7))))
        hits += float(np.sum(pb.argmax(axis=1) == yb.argmax(axis=1)))
    return loss / len(x_val), hits / len(x_val)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    x, y = load()
    x, y = x.reshape(len(x), -1).astype(f32), y.astype(f32)
    split = int(len(x) * 0.9)
    x, x_val, y, y_val = x[:split], x[split:], y[:split], y[split:]
    rng = np.random.default_rng(0)
    limit1, limit2 = np.sqrt(6 / (784 + 128)), np.sqrt(6 / (128 + 10))
    weights = [rng.uniform(-limit1, limit1, (784, 128)).astype(f32), np.zeros(128, f32),
               rng.uniform(-limit2, limit2, (128, 10)).astype(f32), np.zeros(10, f32)]
    opt = Adam(weights)
    times = []
    for e in range(args.epochs):
        start = time.perf_counter()
        val_loss, val_acc = epoch(x, y, x_val, y_val, weights, opt, rng)
        times.append(time.perf_counter() - start)
        print(f"epoch {e + 1}: {times[-1]:.3f} s (val_loss {val_loss:.4f}, "
              f"val_accuracy {val_acc:.4f})")
    steps = int(np.ceil(len(x) / 32))
    print(f"numpy floor best: {min(times):.3f} s/epoch, {min(times) / steps * 1e3:.3f} ms/step")


if __name__ == "__main__":
    with blas.computing():  # minikeras's BLAS thread count, as in its fit
        main()
