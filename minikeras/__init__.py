"""minikeras: the Keras API on NumPy, with HIPS autograd for gradients and h5py for saved models.

`import minikeras as keras` gives the namespaces course code expects: `keras.layers`,
`keras.models`, `keras.optimizers`, `keras.losses`, `keras.metrics`, `keras.callbacks`,
`keras.utils`, `keras.datasets`, `keras.backend`, `keras.activations`, `keras.initializers`,
`keras.ops`, `keras.random`, `keras.saving`, and `keras.Sequential`, `keras.Model`, `keras.Input`.
"""

__version__ = "0.1.0"

from minikeras import (  # noqa: E402
    activations,
    backend,
    callbacks,
    constraints,
    datasets,
    initializers,
    layers,
    losses,
    metrics,
    models,
    ops,
    optimizers,
    random,
    regularizers,
    saving,
    utils,
)
from minikeras.backend import Variable  # noqa: E402
from minikeras.layers import Input, Layer  # noqa: E402
from minikeras.models import Model, Sequential  # noqa: E402
# Not a Keras name: JAX's `jax.value_and_grad` for `train_step` overrides in Keras 3's JAX style.
from minikeras.trainers.gradients import value_and_grad  # noqa: E402


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
