"""`minikeras.saving` (also `keras.saving`): `save_model`/`load_model` in Keras's file formats,
configs of Keras objects and the registry of the user's objects."""

from minikeras.object_registration import (CustomObjectScope, custom_object_scope,
                                           get_custom_objects, get_registered_name,
                                           get_registered_object, register_keras_serializable)
from minikeras.saving.serialization_lib import (deserialize_keras_object,
                                                serialize_keras_object)

from minikeras.saving.saving_api import load_model, load_weights, save_model, save_weights


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
