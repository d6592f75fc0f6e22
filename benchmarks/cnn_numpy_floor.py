"""The floor under `mnist_cnn_step.py`: the same training step hand-written in NumPy.

Run: `python benchmarks/cnn_numpy_floor.py [--steps N] [--epochs N] [--threads 1|2]`.

Conv2D(32, 3x3, relu) -> Conv2D(64, 3x3, relu) -> MaxPooling2D(2x2) -> Dropout(0.25) -> Flatten
-> Dense(128, relu) -> Dropout(0.5) -> Dense(10, softmax), categorical cross-entropy, Keras's
Adadelta (learning_rate 1.0), batch 128. Everything a library adds is left out: no autograd
(gradients written by hand), no layers, no callbacks or metrics, every array of the step
preallocated and written with `out=`. The convolutions use the techniques minikeras uses (an
im2col copy of a strided window view and one GEMM forward, one GEMM for the kernel gradient,
the input gradient as one transposed GEMM and shifted-window adds, max-pool gradients to the
first maximum of each window), and with `--threads 2` the convolution and pooling parts run on
two Python threads over batch halves, each with one BLAS thread, as minikeras does. What is
left is the products and the elementwise passes: how fast a NumPy library can run this step.
"""

import argparse
import concurrent.futures
import time

import numpy as np

from minikeras import blas, config  # noqa: F401 (config: minikeras's malloc policy)
from mnist_cnn_step import BATCH, load

f32 = np.float32


def windows(x, k, out_hw):
    """The `k x k` windows of `x` `(n, h, w, c)` as a strided view `(n, oh, ow, k, k, c)`."""
    n, _, _, c = x.shape
    s = x.strides
    return np.lib.stride_tricks.as_strided(
        x, (n,) + out_hw + (k, k, c), (s[0], s[1], s[2], s[1], s[2], s[3]), writeable=False)


class Half:
    """The preallocated arrays of the convolutional part for one half of the batch."""

    def __init__(self, n):
        self.n = n
        self.cols1 = np.empty((n * 676, 9), f32)
        self.a1 = np.empty((n, 26, 26, 32), f32)
        self.cols2 = np.empty((n * 576, 288), f32)
        self.a2 = np.empty((n, 24, 24, 64), f32)
        self.pooled = np.empty((n, 12, 12, 64), f32)
        self.first = np.empty((n, 12, 12, 64), np.int8)  # the winning tap of each window
        self.better = np.empty((n, 12, 12, 64), bool)
        self.da2 = np.empty((n, 24, 24, 64), f32)
        self.slabs = np.empty((288, n * 576), f32)
        self.dxp = np.empty((32, n, 26, 26), f32)
        self.da1 = np.empty((n, 26, 26, 32), f32)

    def forward(self, x, k1, b1, k2, b2):
        n = self.n
        np.copyto(self.cols1.reshape(n, 26, 26, 3, 3, 1), windows(x, 3, (26, 26)))
        np.dot(self.cols1, k1.reshape(9, 32), out=self.a1.reshape(-1, 32))
        self.a1 += b1
        np.maximum(self.a1, 0, out=self.a1)
        np.copyto(self.cols2.reshape(n, 24, 24, 3, 3, 32), windows(self.a1, 3, (24, 24)))
        np.dot(self.cols2, k2.reshape(288, 64), out=self.a2.reshape(-1, 64))
        self.a2 += b2
        np.maximum(self.a2, 0, out=self.a2)
        taps = [self.a2[:, i::2, j::2] for i in range(2) for j in range(2)]
        np.copyto(self.pooled, taps[0])
        self.first.fill(0)
        for t in range(1, 4):  # strictly greater: ties keep the first tap, as TF and JAX
            np.greater(taps[t], self.pooled, out=self.better)
            self.first[self.better] = t
            np.maximum(self.pooled, taps[t], out=self.pooled)
        return self.pooled

    def backward(self, dpooled, k2):
        """`dpooled` `(n, 12, 12, 64)` -> the kernel and bias gradients of both convolutions."""
        n = self.n
        for t in range(4):
            i, j = divmod(t, 2)
            np.multiply(dpooled, self.first == t, out=self.da2[:, i::2, j::2])
        self.da2 *= self.a2 > 0
        da2 = self.da2.reshape(-1, 64)
        dk2 = np.dot(self.cols2.T, da2).reshape(3, 3, 32, 64)
        db2 = da2.sum(axis=0)
        np.dot(k2.reshape(288, 64), da2.T, out=self.slabs)
        slabs = self.slabs.reshape(9, 32, n, 24, 24)
        self.dxp.fill(0)
        for t in range(9):
            i, j = divmod(t, 3)
            self.dxp[:, :, i:i + 24, j:j + 24] += slabs[t]
        np.copyto(self.da1, np.moveaxis(self.dxp, 0, -1))
        self.da1 *= self.a1 > 0
        da1 = self.da1.reshape(-1, 32)
        dk1 = np.dot(self.cols1.T, da1).reshape(3, 3, 1, 32)
        return dk1, da1.sum(axis=0), dk2, db2


class Step:
    """One training step of the model on a batch, in place on `weights`."""

    def __init__(self, weights, threads=2, rates=(0.25, 0.5), lr=1.0, rho=0.95, eps=1e-7):
        self.w = weights
        self.rates = rates
        self.parts = ([slice(0, BATCH // 2), slice(BATCH // 2, BATCH)] if threads == 2
                      else [slice(0, BATCH)])
        self.halves = [Half(p.stop - p.start) for p in self.parts]
        self.pool = concurrent.futures.ThreadPoolExecutor(1) if threads == 2 else None
        self.flat = np.empty((BATCH, 9216), f32)
        self.h3 = np.empty((BATCH, 128), f32)
        self.z = np.empty((BATCH, 10), f32)
        self.dh3 = np.empty((BATCH, 128), f32)
        self.dflat = np.empty((BATCH, 9216), f32)
        self.eg = [np.zeros_like(v) for v in weights]
        self.edx = [np.zeros_like(v) for v in weights]
        self.tmp = [np.empty_like(v) for v in weights]
        self.lr, self.rho, self.eps = f32(lr), f32(rho), f32(eps)

    def _run(self, fn):
        if self.pool is None:
            return [fn(0)]
        future = self.pool.submit(fn, 1)
        first = fn(0)
        return [first, future.result()]

    def __call__(self, x, y, rng):
        k1, b1, k2, b2, w3, b3, w4, b4 = self.w
        mask1 = (rng.random((BATCH, 12, 12, 64), dtype=f32) >= self.rates[0]) \
            * f32(1 / (1 - self.rates[0]))
        mask2 = (rng.random((BATCH, 128), dtype=f32) >= self.rates[1]) \
            * f32(1 / (1 - self.rates[1]))

        def forward(h):
            rows = self.parts[h]
            pooled = self.halves[h].forward(x[rows], k1, b1, k2, b2)
            np.multiply(pooled, mask1[rows], out=self.flat[rows].reshape(pooled.shape))

        self._run(forward)
        np.dot(self.flat, w3, out=self.h3)
        self.h3 += b3
        np.maximum(self.h3, 0, out=self.h3)
        self.h3 *= mask2
        np.dot(self.h3, w4, out=self.z)
        self.z += b4
        self.z -= self.z.max(axis=1, keepdims=True)
        np.exp(self.z, out=self.z)
        self.z /= self.z.sum(axis=1, keepdims=True)
        loss = -np.sum(y * np.log(np.clip(self.z, 1e-7, 1 - 1e-7))) / BATCH
        dz = self.z
        dz -= y
        dz /= f32(BATCH)
        dw4, db4 = np.dot(self.h3.T, dz), dz.sum(axis=0)
        np.dot(dz, w4.T, out=self.dh3)
        self.dh3 *= mask2  # zero where dropped, and where the ReLU was off (h3 == 0)
        self.dh3 *= self.h3 > 0
        dw3, db3 = np.dot(self.flat.T, self.dh3), self.dh3.sum(axis=0)
        np.dot(self.dh3, w3.T, out=self.dflat)
        self.dflat *= mask1.reshape(BATCH, -1)

        def backward(h):
            rows = self.parts[h]
            return self.halves[h].backward(self.dflat[rows].reshape(-1, 12, 12, 64), k2)

        parts = self._run(backward)
        conv = [sum(p[i] for p in parts) for i in range(4)]
        self.adadelta(conv + [dw3, db3, dw4, db4])
        return loss

    def adadelta(self, grads):
        rho, one, eps, lr = self.rho, f32(1) - self.rho, self.eps, self.lr
        for x, g, eg, edx, tmp in zip(self.w, grads, self.eg, self.edx, self.tmp):
            eg *= rho
            eg += one * (g * g)
            np.add(edx, eps, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp *= g
            tmp /= np.sqrt(eg + eps)
            np.negative(tmp, out=tmp)  # the update d
            edx *= rho
            edx += one * (tmp * tmp)
            tmp *= lr
            x += tmp


def glorot(rng, shape, fan_in, fan_out):
    limit = np.sqrt(6 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype(f32)


def initial_weights(rng):
    return [glorot(rng, (3, 3, 1, 32), 9, 288), np.zeros(32, f32),
            glorot(rng, (3, 3, 32, 64), 288, 576), np.zeros(64, f32),
            glorot(rng, (9216, 128), 9216, 128), np.zeros(128, f32),
            glorot(rng, (128, 10), 128, 10), np.zeros(10, f32)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2, choices=(1, 2))
    args = parser.parse_args()
    x, y = load(args.steps * BATCH)
    rng = np.random.default_rng(0)
    step = Step(initial_weights(rng), threads=args.threads)
    times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        for s in range(args.steps):
            step(x[s * BATCH:(s + 1) * BATCH], y[s * BATCH:(s + 1) * BATCH], rng)
        times.append((time.perf_counter() - start) / args.steps * 1e3)
    print(f"numpy floor ({args.threads} threads): ms/step per epoch "
          f"{', '.join(f'{t:.1f}' for t in times)}; best {min(times):.1f} ms/step")


if __name__ == "__main__":
    with blas.computing():  # minikeras's BLAS thread count, as in its fit
        main()
