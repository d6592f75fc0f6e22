"""`python -m minikeras script.py` runs course code that imports keras or tensorflow.keras."""

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent("""
    import numpy as np
    import keras
    from keras.layers import Dense
    from keras.utils.np_utils import to_categorical
    from keras.layers.core import Activation
    import tensorflow as tf
    from tensorflow.keras.models import Sequential
    from tensorflow import keras as tfk
    tf.random.set_seed(0)
    model = Sequential([Dense(4, input_shape=(3,)), Activation("relu"), tf.keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.SGD(lr=0.1), loss="mse")
    model.fit(np.ones((8, 3)), np.zeros((8, 2)), epochs=1, verbose=0)
    print(keras.__name__, tfk is keras, to_categorical([0, 2]).shape, len(model.layers))
""")


def run(args, tmp_path):
    return subprocess.run([sys.executable, "-m", "minikeras", *args], capture_output=True,
                          text=True, cwd=tmp_path, timeout=120)


def test_script_importing_keras_and_tf_keras_runs_unchanged(tmp_path):
    script = tmp_path / "course.py"
    script.write_text(SCRIPT)
    result = run([str(script)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "minikeras True (2, 3) 3"


def test_script_arguments_are_passed_through(tmp_path):
    script = tmp_path / "args.py"
    script.write_text("import sys, keras\nprint(sys.argv)\n")
    result = run([str(script), "--epochs", "3"], tmp_path)
    assert result.stdout.strip() == f"[{str(script)!r}, '--epochs', '3']"


def test_dash_c_and_usage(tmp_path):
    assert run(["-c", "import keras; print(keras.Sequential.__name__)"], tmp_path).stdout.strip() \
        == "Sequential"
    assert run([], tmp_path).returncode == 2


@pytest.mark.parametrize("code, name", [
    ("import tensorflow as tf; tf.distribute", "`tf.distribute`"),
    ("import tensorflow as tf; tf.math.bessel_i0", "`tf.math.bessel_i0`"),
    ("import tensorflow as tf; tf.nn.conv2d", "`tf.nn.conv2d`"),
    ("import tensorflow as tf; tf.data.TFRecordDataset", "`tf.data.TFRecordDataset`"),
    ("import tensorflow as tf; tf.data.Dataset.range(3).interleave", "`tf.data.Dataset.interleave`"),
    ("import tensorflow as tf; tf.random.poisson", "`tf.random.poisson`"),
    ("import tensorflow as tf; tf.config.threading", "`tf.config.threading`"),
])
def test_tensorflow_only_features_give_a_clear_error(tmp_path, code, name):
    result = run(["-c", code], tmp_path)
    assert result.returncode != 0
    assert "AttributeError" in result.stderr and name in result.stderr
    assert "does not provide" in result.stderr


def test_tensorflow_submodules_import_as_the_stand_in_modules(tmp_path):
    code = ("import tensorflow as tf, tensorflow.data, tensorflow.math as m; "
            "from tensorflow.data import Dataset; from tensorflow import keras; "
            "print(tensorflow.data is tf.data, m is tf.math, Dataset is tf.data.Dataset, "
            "keras is tf.keras, tf.keras.__name__)")
    result = run(["-c", code], tmp_path)
    assert result.stdout.strip() == "True True True True minikeras", result.stderr
    result = run(["-c", "import tensorflow.compat.v1"], tmp_path)
    assert result.returncode != 0 and "does not provide TensorFlow itself" in result.stderr


def test_tensorflow_stand_in_in_process_is_the_shim_package():
    from minikeras import compat, tensorflow_shim

    assert compat.tensorflow_shim() is tensorflow_shim
    with pytest.raises(AttributeError, match="`tf.Session` is TensorFlow itself"):
        tensorflow_shim.Session
    assert not hasattr(tensorflow_shim, "Session")  # hasattr sees an AttributeError


def test_install_in_process():
    from minikeras import compat

    compat.install()
    import keras.layers  # noqa: F401  (resolved by the alias finder)

    import minikeras

    assert sys.modules["keras.layers"] is minikeras.layers
    with pytest.raises(ModuleNotFoundError, match="minikeras has no"):
        import keras.does_not_exist  # noqa: F401
    for name in [n for n in sys.modules if n == "keras" or n.startswith("keras.")]:
        del sys.modules[name]
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, compat.KerasAliasFinder)]


def test_keras2_np_utils_is_the_real_module_through_the_runner(tmp_path):
    code = ("import keras.utils.np_utils as m, keras; "
            "print(m.__name__, keras.utils.np_utils is m, m.to_categorical([1]).tolist())")
    result = run(["-c", code], tmp_path)
    assert result.stdout.strip() == "minikeras.utils.np_utils True [[0.0, 1.0]]", result.stderr


def test_a_keras_module_minikeras_lacks_says_it_is_not_implemented():
    import subprocess
    import sys

    code = ("try:\n    from keras.applications import VGG16\n"
            "except ImportError as e:\n    print(type(e).__name__, e)\n")
    out = subprocess.run([sys.executable, "-m", "minikeras", "-c", code], capture_output=True,
                         text=True, check=True).stdout
    assert out.strip() == ("NotImplementedImportError `keras.applications` is not implemented in "
                           "minikeras.")


@pytest.mark.parametrize("statement", [
    "import keras.wrappers",
    "from keras.wrappers import SKLearnClassifier",  # Keras 3
    "from keras.wrappers.scikit_learn import KerasClassifier",  # Keras 2
    "import tensorflow.keras.wrappers.scikit_learn",
])
def test_keras_wrappers_is_named_as_not_implemented(statement):
    result = subprocess.run([sys.executable, "-m", "minikeras", "-c", statement],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "minikeras.keras_names.NotImplementedImportError: `keras.wrappers` is not implemented "
        "in minikeras.")
