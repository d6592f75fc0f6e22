"""Reads the small datasets bundled in `minikeras/datasets/data/` (see the README there)."""

import gzip
import importlib.resources

import numpy as np


def read_csv(name, skip_header):
    """Returns the rows of a bundled CSV (optionally gzipped) as a float64 array."""
    resource = importlib.resources.files("minikeras.datasets").joinpath("data", name)
    with resource.open("rb") as raw:
        stream = gzip.open(raw, "rt") if name.endswith(".gz") else (
            line.decode("ascii") for line in raw)
        return np.loadtxt(stream, delimiter=",", skiprows=1 if skip_header else 0,
                          dtype=np.float64, ndmin=2)
