"""The course LSTM's training step hand-written in NumPy: the floor minikeras is measured against.

Run: `python benchmarks/lstm_numpy_floor.py [--steps N] [--rounds N]`.

`LSTM(64)` over MNIST rows (28 steps of 28 pixels) -> `Dense(10, softmax)`, categorical
cross-entropy, Adam (Keras's formulas), batch 64: the forward pass, the backward pass through
time and the update written out with preallocated buffers, no autograd and no framework, one
BLAS thread, on the calling thread alone. It uses the same algorithm as `ops.nn.lstm`'s fused
path (one product `W @ [h; x_t; 1]` per step, feature-major buffers, one tanh for the four
gates; backward, the factors of all steps computed before the loop and the weight gradient as
one product), so the ratio printed is what minikeras's layers, autograd and training engine
cost on top of the same arithmetic. The two are timed in alternating rounds in one process (CPU time
and wall time), which keeps the comparison fair on a shared machine.
"""

import argparse
import time

import numpy as np

T, D, U, C, B = 28, 28, 64, 10, 64


class FloorStep:
    """One training step on a batch `(x (B, T, D), y (B, C))`, everything preallocated."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        f32 = np.float32
        limit = np.sqrt(6 / (D + 4 * U))
        kernel = rng.uniform(-limit, limit, (D, 4 * U)).astype(f32)
        recurrent = np.linalg.qr(rng.normal(size=(4 * U, U)))[0].T.astype(f32)
        bias = np.zeros(4 * U, f32)
        bias[U:2 * U] = 1  # unit_forget_bias
        # Internal gate order o, i, f, g: W = [R^T | K^T | b] (the sigmoid rows are halved
        # for each step's forward pass, as ops.nn.lstm does).
        order = np.concatenate([np.arange(g * U, (g + 1) * U) for g in (3, 0, 1, 2)])
        self.w = np.concatenate([recurrent.T[order], kernel.T[order], bias[order, None]], 1)
        self.dense_k = rng.uniform(-np.sqrt(6 / (U + C)), np.sqrt(6 / (U + C)), (U, C)).astype(f32)
        self.dense_b = np.zeros(C, f32)
        self.params = [self.w, self.dense_k, self.dense_b]
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self.t = 0
        self.hx = np.empty((T + 1, U + D + 1, B), f32)
        self.tt = np.empty((T + 1, 5 * U, B), f32)
        self.tcs = np.empty((T, U, B), f32)
        self.products = np.empty((2 * U, B), f32)
        self.da = np.empty((T, 4 * U, B), f32)
        self.dc_dh = np.empty((T, U, B), f32)
        self.dct = np.empty((U, B), f32)
        self.da_rows = np.empty((4 * U, T, B), f32)
        self.hx_rows = np.empty((U + D + 1, T, B), f32)
        self.half = np.ones((4 * U, 1), f32)
        self.half[:3 * U] = 0.5

    def __call__(self, x, y):
        hx, tt, tcs = self.hx, self.tt, self.tcs
        w = self.w * self.half
        hx[:T, U:U + D] = x.transpose(1, 2, 0)
        hx[:, U + D] = 1
        hx[0, :U] = 0
        tt[0, 4 * U:] = 0
        for t in range(T):
            a = tt[t, :4 * U]
            np.dot(w, hx[t], out=a)
            np.tanh(a, out=a)
            gate = a[:3 * U]
            gate *= 0.5
            gate += 0.5
            np.multiply(a[U:3 * U], tt[t, 3 * U:], out=self.products)
            c = tt[t + 1, 4 * U:]
            np.add(self.products[:U], self.products[U:], out=c)
            np.tanh(c, out=tcs[t])
            np.multiply(a[:U], tcs[t], out=hx[t + 1, :U])
        h = hx[T, :U].T  # (B, U)
        logits = h @ self.dense_k + self.dense_b
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        loss = -np.log(np.clip((p * y).sum(axis=1), 1e-7, 1)).mean()
        dlogits = (p - y) / np.float32(B)
        d_dense_k, d_dense_b = h.T @ dlogits, dlogits.sum(axis=0)
        dh = np.ascontiguousarray((dlogits @ self.dense_k.T).T)  # (U, B)
        dc = np.zeros((U, B), np.float32)
        w_r = self.w[:, :U].T  # see ops.nn.lstm's fused path
        da, dc_dh, dct = self.da, self.dc_dh, self.dct
        sig, g = tt[:T, :3 * U], tt[:T, 3 * U:4 * U]  # the factors of all steps: the slopes
        np.subtract(1, sig, out=da[:, :3 * U])       # times what each gate meets
        da[:, :3 * U] *= sig
        np.multiply(g, g, out=da[:, 3 * U:])
        np.subtract(1, da[:, 3 * U:], out=da[:, 3 * U:])
        da[:, :U] *= tcs
        da[:, U:3 * U] *= tt[:T, 3 * U:]
        da[:, 3 * U:] *= tt[:T, U:2 * U]
        np.multiply(tcs, tcs, out=dc_dh)
        np.subtract(1, dc_dh, out=dc_dh)
        dc_dh *= tt[:T, :U]
        da_ifg = da[:, U:].reshape(T, 3, U, B)
        for t in range(T - 1, -1, -1):
            np.multiply(dh, dc_dh[t], out=dct)
            dct += dc
            da_ifg[t] *= dct
            da[t, :U] *= dh
            dc = dct * tt[t, 2 * U:3 * U]
            dh = np.dot(w_r, da[t])
        np.copyto(self.da_rows, da.transpose(1, 0, 2))
        np.copyto(self.hx_rows, hx[:T].transpose(1, 0, 2))
        dw = self.da_rows.reshape(4 * U, T * B) @ self.hx_rows.reshape(U + D + 1, T * B).T
        self._adam([dw, d_dense_k, d_dense_b])
        return loss

    def _adam(self, grads, lr=0.001, b1=0.9, b2=0.999, eps=1e-7):
        self.t += 1
        alpha = np.float32(lr * np.sqrt(1 - b2 ** self.t) / (1 - b1 ** self.t))
        for p, g, m, v in zip(self.params, grads, self.m, self.v):
            m += (g - m) * np.float32(1 - b1)
            v += (g * g - v) * np.float32(1 - b2)
            p -= alpha * m / (np.sqrt(v) + np.float32(eps))


def load():
    try:
        from minikeras.datasets import mnist

        (x, y), _ = mnist.load_data()
    except Exception:  # no cached MNIST: the timing does not depend on the values
        rng = np.random.default_rng(0)
        x, y = rng.integers(0, 256, (60000, 28, 28)), rng.integers(0, 10, 60000)
    return (x / 255.0).astype("float32"), np.eye(10, dtype="float32")[y]


def time_floor(step, x, y, steps):
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(steps):
        rows = slice(i * B, (i + 1) * B)
        step(x[rows], y[rows])
    return (time.perf_counter() - wall) / steps * 1e3, (time.process_time() - cpu) / steps * 1e3


def time_minikeras(model, x, y, steps):
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(x[:steps * B], y[:steps * B], epochs=1, batch_size=B, verbose=0, shuffle=False)
    return (time.perf_counter() - wall) / steps * 1e3, (time.process_time() - cpu) / steps * 1e3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    import minikeras  # after numpy (minikeras's malloc policy)

    x, y = load()
    x, y = x[:args.steps * B], y[:args.steps * B]
    minikeras.utils.set_random_seed(0)
    model = minikeras.Sequential([minikeras.Input((T, D)), minikeras.layers.LSTM(U),
                                  minikeras.layers.Dense(C, activation="softmax")])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    floor = FloorStep()
    with minikeras.blas.computing():  # both on minikeras's BLAS thread count, as in its fit
        compare(floor, model, x, y, args)


def compare(floor, model, x, y, args):
    """Times the floor and minikeras in alternating rounds and prints the ratios."""
    time_floor(floor, x, y, 5)
    time_minikeras(model, x, y, 5)  # warm both up
    results = {"floor": [], "minikeras": []}
    for _ in range(args.rounds):
        results["floor"].append(time_floor(floor, x, y, args.steps))
        results["minikeras"].append(time_minikeras(model, x, y, args.steps))
    for name, runs in results.items():
        print(f"{name:10s} wall ms/step: {' '.join(f'{w:6.2f}' for w, _ in runs)}   "
              f"cpu ms/step: {' '.join(f'{c:6.2f}' for _, c in runs)}")
    best = {name: (min(w for w, _ in runs), min(c for _, c in runs))
            for name, runs in results.items()}
    print(f"best wall: floor {best['floor'][0]:.2f}, minikeras {best['minikeras'][0]:.2f} "
          f"-> ratio {best['minikeras'][0] / best['floor'][0]:.2f}")
    print(f"best cpu:  floor {best['floor'][1]:.2f}, minikeras {best['minikeras'][1]:.2f} "
          f"-> ratio {best['minikeras'][1] / best['floor'][1]:.2f}")
    # Each round's two runs share the machine's load at the time: their ratio drifts less
    # than the ratio of the bests when other processes come and go.
    paired = sorted(m[1] / f[1] for f, m in zip(results["floor"], results["minikeras"]))
    print(f"cpu ratio of each round: median {paired[len(paired) // 2]:.2f}, "
          f"range {paired[0]:.2f}-{paired[-1]:.2f}")


if __name__ == "__main__":
    main()
