"""The README's first command, `python -m minikeras examples/quickstart_digits.py`, runs with no
network (the subprocess's sockets refuse every connection), its text unchanged.

Seeded (`keras.utils.set_random_seed(0)`): this machine gives test accuracy 0.9722 on the 360
test digits. 0.93 leaves room for other BLAS builds while a broken trainer stays far below
(an untrained model scores about 0.1).
"""

import pathlib
import re
import subprocess
import sys

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


# Loaded by the subprocess at start-up (Python imports `sitecustomize` from its path): every
# network attempt fails as on a machine with no network, and is written down.
NO_NETWORK = """
import socket
def _refuse(*args, **kwargs):
    with open(__file__ + ".attempts", "a") as f:
        f.write(repr(args[:1]) + "\\n")
    raise OSError(101, "Network is unreachable")
socket.getaddrinfo = _refuse
socket.socket.connect = _refuse
socket.create_connection = _refuse
"""


def test_quickstart_digits_trains_offline_to_a_good_accuracy(tmp_path):
    # An empty Keras home: the bundled data must not need the cache; and the socket layer of
    # the subprocess refuses every connection (any download would fail).
    blocker = tmp_path / "site"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(NO_NETWORK)
    home = tmp_path / "home"
    home.mkdir()
    env = {"KERAS_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(home),
           "PYTHONPATH": str(blocker)}
    result = subprocess.run([sys.executable, "-m", "minikeras",
                             str(EXAMPLES / "quickstart_digits.py")],
                            capture_output=True, text=True, env=env, timeout=300,
                            cwd=pathlib.Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stderr
    assert "1437 training and 360 test images of shape (8, 8)" in result.stdout
    assert "Epoch 30/30" in result.stdout
    accuracy = float(re.search(r"test accuracy: ([0-9.]+)", result.stdout).group(1))
    assert 0.93 < accuracy <= 1.0, result.stdout[-2000:]
    assert list(home.iterdir()) == []  # nothing was cached or downloaded
    assert not (blocker / "sitecustomize.py.attempts").exists()  # nothing even tried


def test_the_network_blocker_refuses_connections(tmp_path):
    # The check above proves something only if the blocker really loads and refuses.
    (tmp_path / "sitecustomize.py").write_text(NO_NETWORK)
    code = ("import urllib.request\n"
            "try:\n    urllib.request.urlopen('https://example.com', timeout=5)\n"
            "except OSError as e:\n    print('refused:', e)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tmp_path)},
                            timeout=60)
    assert "refused:" in result.stdout and "Network is unreachable" in result.stdout
    assert "'example.com'" in (tmp_path / "sitecustomize.py.attempts").read_text()
