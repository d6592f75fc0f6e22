"""Rebuilding the model of a saved file from its `{'class_name', 'config'}`."""

from minikeras.saving import serialization_lib


def rebuild_model(reader, config, custom_objects=None):
    """A new model (fresh weights) from a saved model config, uncompiled; errors name the file
    that `reader` (an `h5_io.H5Reader`) reads.

    Classes are found as `keras.saving.deserialize_keras_object` finds them: minikeras's own,
    then the user's (`custom_objects`, `custom_object_scope`, `register_keras_serializable`);
    no code from the file is ever run.
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise reader.error("its model config should be a dict with a 'class_name' and a "
                           f"'config'; found {_short(config)}.")
    config = {k: v for k, v in config.items() if k != "compile_config"}  # compiled by the caller
    try:
        model = serialization_lib.deserialize_keras_object(config, custom_objects)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
        raise reader.error(f"its model config could not be rebuilt: {e}") from None
    if not (hasattr(model, "layers") and hasattr(model, "compile")):
        raise reader.error(f"its model config describes a {type(model).__name__}, not a model.")
    return model


def _short(value, limit=80):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
