"""The process-wide malloc policy (`minikeras.allocator`): glibc's thresholds at their ceilings."""

import os
import subprocess
import sys

import pytest

from minikeras import allocator

needs_glibc = pytest.mark.skipif(allocator._glibc_mallopt() is None, reason="not glibc")

# Allocates, touches and frees a 1 MiB array 100 times (as a training step does with its
# activations) and prints whether minikeras set the thresholds and the page faults it cost.
SCRIPT = """
import resource
import numpy as np
import minikeras.allocator
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(100):
    a = np.empty(2**18, np.float32)
    a.fill(1.0)
    del a
print(minikeras.allocator.CONFIGURED, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def run(env_updates):
    env = {k: v for k, v in os.environ.items() if k not in allocator.ENV_VARS}
    env.update(env_updates)
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                         text=True, check=True).stdout.split()
    return out[0] == "True", int(out[1])


@needs_glibc
def test_freed_arrays_are_reused_without_page_faults():
    configured, faults = run({})
    # glibc's own start (thresholds of 128 KiB), made explicit: each 1 MiB array is a new
    # mapping, 256 zero-filled pages every time.
    opted_out, glibc_faults = run({"MALLOC_MMAP_THRESHOLD_": "131072",
                                   "MALLOC_TRIM_THRESHOLD_": "131072"})
    assert configured and not opted_out
    assert glibc_faults >= 100 * 256 * 0.9
    assert faults < 1000  # the first array's pages, then the same memory again


def test_a_malloc_variable_set_by_the_user_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "1048576")
    assert allocator.user_chose_malloc()
    assert allocator.configure() is False
    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", " ")
    assert not allocator.user_chose_malloc()


def test_nothing_is_done_off_linux(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert allocator._glibc_mallopt() is None
    assert allocator.configure() is False
