"""The quick start runs with no network through `python -m minikeras`, its text unchanged.

Seeded (`keras.utils.set_random_seed(0)`): this machine gives test accuracy 0.9722 on the 360
test digits. 0.93 leaves room for other BLAS builds while a broken trainer stays far below
(an untrained model scores about 0.1).
"""

import pathlib
import re
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


def test_quickstart_digits_trains_offline_to_a_good_accuracy(tmp_path):
    # An empty Keras home: the bundled data must not need the cache; and no proxy or network
    # is reachable from the subprocess either (any download would fail).
    env = {"KERAS_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "https_proxy": "http://127.0.0.1:9", "http_proxy": "http://127.0.0.1:9"}
    result = subprocess.run([sys.executable, "-m", "minikeras",
                             str(EXAMPLES / "quickstart_digits.py")],
                            capture_output=True, text=True, env=env, timeout=300,
                            cwd=pathlib.Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert "1437 training and 360 test images of shape (8, 8)" in result.stdout
    assert "Epoch 30/30" in result.stdout
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", result.stdout).group(1))
    assert 0.93 < accuracy <= 1.0, result.stdout[-2000:]
    assert list(tmp_path.iterdir()) == []  # nothing was cached or downloaded
