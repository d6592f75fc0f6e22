"""The examples run end to end (on a slice, so they cannot rot)."""

import os
import pathlib
import subprocess
import sys

import pytest

from tests.conftest import mnist_cached

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.skipif(not mnist_cached(), reason="mnist.npz not in the Keras cache (CI seeds it)")
def test_mnist_mlp_example_trains():
    env = dict(os.environ, MINIKERAS_EXAMPLE_EPOCHS="1", MINIKERAS_EXAMPLE_SAMPLES="3000")
    result = subprocess.run([sys.executable, str(EXAMPLES / "mnist_mlp.py")], capture_output=True,
                            text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Epoch 1/1" not in result.stdout  # Keras prints no epoch header for a single epoch
    accuracy = float(result.stdout.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.80


@pytest.mark.skipif(not mnist_cached(), reason="mnist.npz not in the Keras cache (CI seeds it)")
@pytest.mark.parametrize("script, expected", [
    ("tf_keras_beginner.py", "(5, 10)"),
    ("keras2_mnist_mlp.py", "Test accuracy:"),
])
def test_course_code_runs_unchanged_through_python_m_minikeras(script, expected):
    result = subprocess.run([sys.executable, "-m", "minikeras",
                             str(EXAMPLES / "course_code" / script)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
