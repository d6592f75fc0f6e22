"""The error for a TensorFlow name the stand-in does not provide."""


def not_provided(qualified_name):
    """Returns the AttributeError for `tf.<something>` that minikeras does not provide."""
    return AttributeError(
        f"minikeras runs course code written for `tf.keras`; `{qualified_name}` is TensorFlow "
        "itself, which minikeras does not provide. Use `tf.keras` (e.g. `tf.keras.ops`) or "
        "NumPy. The stand-in has tf.GradientTape, tf.function, tf.data.Dataset, tf.constant, "
        "tf.Variable and the tf.math/tf.nn/tf.random functions most course code uses.")
