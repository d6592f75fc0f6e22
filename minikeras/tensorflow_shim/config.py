"""`tf.config`: the device queries course notebooks start with. minikeras computes on the CPU,
so it lists one CPU and no GPU."""

import collections

from minikeras.tensorflow_shim.missing import not_provided

PhysicalDevice = collections.namedtuple("PhysicalDevice", ["name", "device_type"])

_DEVICES = [PhysicalDevice("/physical_device:CPU:0", "CPU")]


def list_physical_devices(device_type=None):
    """The devices of `device_type` ('CPU', 'GPU', ...; default None: all): one CPU."""
    return [d for d in _DEVICES if device_type is None or d.device_type == device_type.upper()]


def __getattr__(name):
    raise not_provided(f"tf.config.{name}")


__all__ = ["PhysicalDevice", "list_physical_devices"]
