"""Rebuilding the model of a saved file from its `{'class_name', 'config'}`."""

from minikeras.saving import serialization_lib
from minikeras.variables import creation_budget

# The weights a config declares may take at most this many times the bytes the file holds for
# them (plus `_SLACK`): a Keras file stores them uncompressed, so a config asking for more does
# not describe the file's weights, and its layers are refused before they allocate anything.
_RATIO = 2
_SLACK = 1 << 20


def rebuild_model(source, config, custom_objects=None, weight_bytes=None):
    """A new model (fresh weights) from a saved model config, uncompiled; errors name the file
    (`source.error`, an `errors.FileSource` or `h5_io.H5Reader`).

    Classes are found as `keras.saving.deserialize_keras_object` finds them: minikeras's own,
    then the user's (`custom_objects`, `custom_object_scope`, `register_keras_serializable`);
    no code from the file is ever run.

    Args:
        weight_bytes: the size of what the file holds for the weights; the new model's
            variables may not take much more (`_RATIO`), checked before each is allocated.
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise source.error("its model config should be a dict with a 'class_name' and a "
                           f"'config'; found {_short(config)}.")
    config = {k: v for k, v in config.items() if k != "compile_config"}  # compiled by the caller
    limit = None if weight_bytes is None else _RATIO * weight_bytes + _SLACK
    try:
        with creation_budget(limit):
            model = serialization_lib.deserialize_keras_object(config, custom_objects)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, OverflowError) as e:
        raise source.error(f"its model config could not be rebuilt: {e}") from None
    except (RecursionError, MemoryError) as e:
        raise source.error(f"its model config could not be rebuilt ({type(e).__name__}: "
                           f"{e}); it is not a config Keras writes.") from None
    if not (hasattr(model, "layers") and hasattr(model, "compile")):
        raise source.error(f"its model config describes a {type(model).__name__}, not a model.")
    return model


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
