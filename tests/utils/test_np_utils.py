"""Keras 2's `keras.utils.np_utils` works with a plain `import minikeras as keras` (no runner)."""

import pathlib
import subprocess
import sys

import numpy as np

import minikeras

ROOT = pathlib.Path(minikeras.__file__).resolve().parents[1]

# A fresh interpreter: in this process the runner's `compat.install()` (tested elsewhere) may
# already have set attributes on `minikeras.utils`.
CODE = """
import minikeras as keras
from minikeras.utils import np_utils
from minikeras.utils.np_utils import normalize, to_categorical
print(keras.utils.np_utils.to_categorical([0, 2], num_classes=3).tolist())
print(np_utils is keras.utils.np_utils, to_categorical is keras.utils.to_categorical,
      normalize is keras.utils.normalize)
"""


def test_np_utils_without_the_runner():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]", "True True True"]


def test_np_utils_in_process():
    from minikeras.utils import np_utils

    np.testing.assert_array_equal(np_utils.to_categorical([1, 0]), [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_allclose(np_utils.normalize(np.array([[3.0, 4.0]])), [[0.6, 0.8]])
