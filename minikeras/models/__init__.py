"""`minikeras.models` (also `keras.models`)."""

from minikeras.models.model import Model, model_from_config, model_from_json
from minikeras.models.sequential import Sequential
from minikeras.saving.saving_api import load_model, save_model


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
