"""Reading the reference configs written by real Keras 3 (tests/golden/saving/configs/) and
comparing configs with them."""

import importlib.util
import json
import math
import pathlib

HERE = pathlib.Path(__file__).resolve().parents[1] / "golden" / "saving" / "configs"


def _load_cases_module():
    spec = importlib.util.spec_from_file_location("saving_config_cases", HERE / "cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cases = _load_cases_module()


def golden(name):
    """The `cases` of one fixture file (`layers`, `objects`, `models`)."""
    with open(HERE / f"{name}.json") as f:
        return json.load(f)["cases"]


def normalised(config):
    """`config` as JSON gives it back (tuples become lists, keys strings)."""
    return json.loads(json.dumps(config))


def differences(ours, theirs, path="$"):
    """Where two JSON values differ (floats within a relative 1e-6: Keras writes float32
    hyperparameters such as 0.0010000000474974513)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        found = []
        for key in sorted(set(ours) | set(theirs)):
            if key not in ours:
                found.append(f"{path}.{key}: missing (Keras has {theirs[key]!r})")
            elif key not in theirs:
                found.append(f"{path}.{key}: extra ({ours[key]!r}, Keras has no such key)")
            else:
                found += differences(ours[key], theirs[key], f"{path}.{key}")
        return found
    if isinstance(ours, list) and isinstance(theirs, list):
        if len(ours) != len(theirs):
            return [f"{path}: {len(ours)} items, Keras has {len(theirs)}: {ours!r} vs {theirs!r}"]
        return [d for i, (a, b) in enumerate(zip(ours, theirs))
                for d in differences(a, b, f"{path}[{i}]")]
    if isinstance(ours, float) or isinstance(theirs, float):
        if isinstance(ours, (int, float)) and isinstance(theirs, (int, float)) and \
                not isinstance(ours, bool) and not isinstance(theirs, bool) and \
                math.isclose(ours, theirs, rel_tol=1e-6, abs_tol=0.0):
            return []
    if ours != theirs or type(ours) is not type(theirs) and not (
            isinstance(ours, (int, float)) and isinstance(theirs, (int, float))):
        return [f"{path}: {ours!r}, Keras has {theirs!r}"]
    return []
