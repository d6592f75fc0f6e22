"""Damaged copies of saved models: each is refused with a ValueError naming the file, or loads
exactly as saved (predictions, weights and optimizer state); nothing else, and never a hang.

A few hundred copies of a trained model's `.h5`, `.keras` and `.weights.h5` files, made from a
fixed seed: truncated at many lengths, bytes flipped at random places, every attribute and
dataset removed or replaced by a value of another type, the `.keras` archive's members removed,
replaced or edited. They are loaded in a separate process (`fuzz_worker.py`), so a crash in
HDF5 cannot take the test run down, with a time limit per file.
"""

import concurrent.futures
import io
import json
import os
import random
import subprocess
import sys
import time
import zipfile

import h5py
import numpy as np
import pytest

import minikeras as keras

# A load takes milliseconds; a file that hangs HDF5 is refused after 5 s (fuzz_worker.py).
SECONDS_PER_FILE = 25
WORKER = os.path.join(os.path.dirname(__file__), "fuzz_worker.py")
WORKERS = 2


def _reference(directory):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    originals = {}
    for name in ("model.h5", "model.keras", "model.weights.h5"):
        path = directory / name
        (model.save_weights if "weights" in name else model.save)(path)
        originals[name] = path
    arrays = {f"w{i}": w.numpy() for i, w in enumerate(model.weights)}
    arrays.update({f"o{i}": w for i, w in enumerate(model.optimizer.get_weights())})
    np.savez(directory / "reference.npz", x=x, predict=model.predict(x, verbose=0), **arrays)
    return originals


# ---------------------------------------------------------------------------- damage
def _truncations(data, rng, count):
    lengths = {0, 1, 7, 8, 9, 64, 511, 512, 1024, len(data) // 2, len(data) - 1}
    while len(lengths) < count:
        lengths.add(rng.randrange(len(data)))
    return [(f"truncated_{n}", data[:n]) for n in sorted(lengths)[:count]]


def _flips(data, rng, count):
    out = []
    for k in range(count):
        damaged = bytearray(data)
        for _ in range(rng.choice((1, 1, 2, 4))):
            position = rng.randrange(len(damaged))
            damaged[position] ^= rng.randrange(1, 256)
        out.append((f"flipped_{k}", bytes(damaged)))
    return out


def _h5_items(data):
    """Paths of every group and dataset, and `(object path, attribute name)` of every
    attribute, of an HDF5 file given as bytes."""
    objects, attributes = [], []
    with h5py.File(io.BytesIO(data), "r") as f:
        attributes += [("/", name) for name in f.attrs]

        def visit(name, obj):
            objects.append(name)
            attributes.extend((name, a) for a in obj.attrs)

        f.visititems(visit)
    return objects, attributes


def _edited(data, edit):
    buffer = io.BytesIO(data)
    with h5py.File(buffer, "r+") as f:
        edit(f)
    return buffer.getvalue()


def _h5_edits(data, rng, count):
    """Attributes and datasets removed or replaced by values of other types."""
    objects, attributes = _h5_items(data)
    replacements = {"int": 7, "floats": np.arange(3.0), "junk": np.void(b"\xff\xfe\x00junk"),
                    "empty": np.zeros((0,)), "text": "not what it should be"}
    edits = []
    for path, name in attributes:
        edits.append((f"attr_removed:{path}@{name}",
                      lambda f, p=path, n=name: f[p].attrs.__delitem__(n)))
        kind = rng.choice(sorted(replacements))
        edits.append((f"attr_{kind}:{path}@{name}",
                      lambda f, p=path, n=name, v=replacements[kind]: f[p].attrs.__setitem__(n, v)))
    for path in objects:
        edits.append((f"removed:{path}", lambda f, p=path: f.__delitem__(p)))
        kind = rng.choice(("string", "int", "shape", "group"))

        def replace(f, p=path, kind=kind):
            shape = f[p].shape if isinstance(f[p], h5py.Dataset) else (2,)
            del f[p]
            if kind == "string":
                f[p] = "a string instead"
            elif kind == "int":
                f.create_dataset(p, data=np.ones(shape, dtype="int64"))
            elif kind == "shape":
                f.create_dataset(p, data=np.ones((3, 7), dtype="float32"))
            else:
                f.create_group(p)

        edits.append((f"replaced_by_{kind}:{path}", replace))
    rng.shuffle(edits)
    return [(label, _edited(data, edit)) for label, edit in edits[:count]]


def _zip(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _keras_edits(data, rng, count):
    """Members removed, replaced, or their JSON / HDF5 content damaged."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(members["config.json"])
    out = []
    for name in members:
        out.append((f"member_removed:{name}",
                    _zip({k: v for k, v in members.items() if k != name})))
        out.append((f"member_junk:{name}", _zip({**members, name: b"\x00junk\xff" * 10})))
    json_edits = {
        "invalid": b"{not json",
        "list": b"[1, 2, 3]",
        "unknown_class": json.dumps({**config, "class_name": "NoSuchModel"}).encode(),
        "no_config": json.dumps({k: v for k, v in config.items() if k != "config"}).encode(),
        "units_text": json.dumps(config).replace('"units": 5', '"units": "five"').encode(),
        "units_changed": json.dumps(config).replace('"units": 5', '"units": 6').encode(),
        "bad_activation": json.dumps(config).replace('"relu"', '"relux"').encode(),
        "bad_optimizer": json.dumps(config).replace('"Adam"', '"Adamm"').encode(),
        "bad_loss": json.dumps(config).replace('"categorical_crossentropy"', '"nope"').encode(),
        "bad_lr": json.dumps(config).replace('"learning_rate": 0.0',
                                             '"learning_rate": "x').encode(),
    }
    out += [(f"config_{k}", _zip({**members, "config.json": v})) for k, v in json_edits.items()]
    weights = members["model.weights.h5"]
    inner = _h5_edits(weights, rng, count // 2) + _flips(weights, rng, count // 4)
    out += [(f"weights_{label}", _zip({**members, "model.weights.h5": damaged}))
            for label, damaged in inner]
    return out


def _damaged_copies(originals, directory):
    rng = random.Random(1234)
    copies = []
    for name, path in originals.items():
        data = path.read_bytes()
        cases = _truncations(data, rng, 20) + _flips(data, rng, 40)
        if name.endswith(".keras"):
            cases += _keras_edits(data, rng, 60)
        else:
            cases += _h5_edits(data, rng, 60)
        for i, (label, damaged) in enumerate(cases):
            copy = directory / f"{i:03d}_{name}"
            copy.write_bytes(damaged)
            copies.append((str(copy), label))
    return copies


# ---------------------------------------------------------------------------- running
def _run(reference, paths):
    """Outcomes by path; a worker that dies or stalls on a file is restarted after it."""
    results, pending = {}, list(paths)
    while pending:
        worker = subprocess.Popen([sys.executable, WORKER, str(reference)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, env=_environment())
        for path in pending:
            worker.stdin.write(path + "\n")
        worker.stdin.close()
        deadline = time.monotonic() + 30 + SECONDS_PER_FILE  # start-up, then per file
        while pending:
            line = _readline(worker, deadline)
            if line is None:  # died or hung on pending[0]
                worker.kill()
                worker.wait()
                results[pending.pop(0)] = {"outcome": "crashed or hung"}
                break
            entry = json.loads(line)
            results[entry["path"]] = entry
            pending.remove(entry["path"])
            deadline = time.monotonic() + SECONDS_PER_FILE
        else:
            worker.wait()
    return results


def _environment():
    """The worker imports the minikeras this test imported."""
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(keras.__file__)))
    path = os.environ.get("PYTHONPATH")
    return dict(os.environ, PYTHONPATH=package_parent + (os.pathsep + path if path else ""))


def _readline(worker, deadline):
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(worker.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if selector.select(timeout=max(0.0, deadline - time.monotonic())):
            line = worker.stdout.readline()
            return line or None
    return None


def test_the_probe_turns_a_crash_or_a_hang_of_hdf5_into_an_error():
    """What guards the reading process from HDF5 bugs that damaged files trigger."""
    import signal

    from minikeras.saving import hdf5_probe

    if not hasattr(os, "fork"):
        pytest.skip("the probe needs os.fork")

    def crash():
        os.kill(os.getpid(), signal.SIGSEGV)

    def hang():
        time.sleep(60)

    with pytest.raises(ValueError, match="m.h5: the HDF5 library crashed reading it"):
        hdf5_probe.probe(crash, "Cannot load model from m.h5")
    started = time.monotonic()
    with pytest.raises(ValueError, match="did not finish reading it in 0.5 seconds"):
        hdf5_probe.probe(hang, "Cannot load model from m.h5", seconds=0.5)
    assert time.monotonic() - started < 5


def test_damaged_files_are_refused_clearly_or_load_exactly(tmp_path):
    originals = _reference(tmp_path)
    copies = _damaged_copies(originals, tmp_path)
    assert len(copies) >= 300
    started = time.monotonic()
    paths = [path for path, _ in copies]
    with concurrent.futures.ThreadPoolExecutor(WORKERS) as pool:  # one worker process each
        results = {}
        for part in pool.map(lambda share: _run(tmp_path / "reference.npz", share),
                             [paths[i::WORKERS] for i in range(WORKERS)]):
            results.update(part)
    elapsed = time.monotonic() - started
    labels = dict(copies)
    problems = []
    counts = {}
    for path, label in copies:
        entry = results[path]
        counts[entry["outcome"]] = counts.get(entry["outcome"], 0) + 1
        ok = entry["outcome"] == "identical" or (
            entry["outcome"] == "refused" and entry["valueerror"]
            and os.path.basename(path) in entry["message"])
        if not ok:
            problems.append((os.path.basename(path), labels[path], entry))
    slowest = max(results.values(), key=lambda e: e.get("seconds", 0))
    print(f"\n{len(copies)} damaged files in {elapsed:.1f} s: {counts}; slowest "
          f"{slowest.get('seconds', 0):.3f} s")
    assert not problems, "\n".join(map(str, problems[:20]))
    assert counts.get("refused", 0) > len(copies) // 2


def test_the_probe_is_skipped_while_another_thread_runs(monkeypatch):
    # A child forked while another thread holds a lock (h5py's) could hang on it and report a
    # good file as damaged: with another thread alive, files are read directly.
    import threading

    from minikeras.saving import hdf5_probe

    def no_fork():
        raise AssertionError("forked while another thread ran")

    stop = threading.Event()
    worker = threading.Thread(target=stop.wait)
    worker.start()
    try:
        monkeypatch.setattr(hdf5_probe.os, "fork", no_fork)
        assert not hdf5_probe.fork_is_safe()
        hdf5_probe.probe(lambda: None, "unused")  # returns without forking
    finally:
        stop.set()
        worker.join()
    # Alone again (on Linux), the probe forks.
    if hdf5_probe.sys.platform.startswith("linux"):
        assert hdf5_probe.fork_is_safe()
        with pytest.raises(AssertionError, match="forked"):
            hdf5_probe.probe(lambda: None, "unused")
