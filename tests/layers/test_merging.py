"""Merge layers and their function forms: values, shapes and configs against real Keras 3
(tests/golden/layers_vision.json), gradients, bad input, and a functional model with
`Concatenate` and `layers.add` that trains."""

import numpy as np
import pytest

import minikeras
from minikeras import layers
from minikeras.backend import set_random_seed
from tests.layers import vision_helpers as vh

CASES = vh.cases("merging")


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_forward_matches_keras(c):
    out = vh.run(vh.make_layer(c), c)
    np.testing.assert_allclose(out, np.asarray(c["output"], np.float32), rtol=1e-6, atol=1e-6)
    assert out.dtype == np.float32


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_symbolic_output_shape_matches_keras(c):
    assert vh.symbolic_shape(c) == c["output_shape"]


@pytest.mark.parametrize("c", CASES, ids=vh.ids(CASES))
def test_config_is_keras_and_round_trips(c):
    layer = vh.make_layer(c)
    vh.assert_config_is_keras(layer, c)
    clone = type(layer).from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    again = layers.deserialize(layers.serialize(layer))
    assert type(again) is type(layer) and again.get_config() == layer.get_config()


FUNCTIONS = [("Add", layers.add), ("Subtract", layers.subtract), ("Multiply", layers.multiply),
             ("Average", layers.average), ("Maximum", layers.maximum),
             ("Minimum", layers.minimum)]


@pytest.mark.parametrize("cls, fn", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_function_forms_eager_and_symbolic(cls, fn):
    c = next(c for c in CASES if c["class"] == cls)
    inputs = vh.inputs_of(c)
    np.testing.assert_allclose(fn(inputs), c["output"], rtol=1e-6, atol=1e-6)
    symbols = [minikeras.Input(x.shape[1:]) for x in inputs]
    out = fn(symbols, name="merged")
    assert list(out.shape) == c["output_shape"]
    model = minikeras.Model(symbols, out)
    assert type(model.get_layer("merged")).__name__ == cls
    np.testing.assert_allclose(model.predict(inputs, verbose=0), c["output"], rtol=1e-6,
                               atol=1e-6)


def test_concatenate_and_dot_function_forms():
    c = vh.case("merging", "concatenate_axis1")
    np.testing.assert_allclose(layers.concatenate(vh.inputs_of(c), axis=1), c["output"])
    assert layers.concatenate([minikeras.Input((3, 4)), minikeras.Input((2, 4))],
                              axis=1).shape == (None, 5, 4)
    c = vh.case("merging", "dot_vectors_normalize")
    np.testing.assert_allclose(layers.dot(vh.inputs_of(c), axes=1, normalize=True), c["output"],
                               rtol=1e-6)
    c = vh.case("merging", "dot_vectors")
    np.testing.assert_allclose(layers.dot(vh.inputs_of(c)), c["output"], rtol=1e-6)  # axes=-1


GRAD_CASES = [c for c in CASES if c["name"] in (
    "add_3", "add_broadcast_1", "add_lower_rank", "subtract", "multiply_3", "multiply_broadcast",
    "average_3", "maximum_3", "minimum_2", "concatenate_axis_neg2", "dot_vectors_normalize",
    "dot_axes_1_2", "dot_axes_2_2_normalize", "dot_vector_matrix", "dot_rank4")]


@pytest.mark.parametrize("c", GRAD_CASES, ids=vh.ids(GRAD_CASES))
def test_gradients_wrt_every_input(float64, c):
    vh.check_gradients(vh.make_layer(c), vh.inputs_of(c))


def test_maximum_tie_splits_the_gradient_equally(float64):
    # Keras on JAX splits the gradient of a tie between the two inputs; so does autograd.
    x = np.array([[1.0, 2.0]])
    vh.check_gradients(layers.Maximum(), [x, np.array([[1.5, 2.0]])], atol=1e-6)


def test_concatenate_of_incompatible_shapes_names_the_layer_and_shapes():
    keras_error = vh.case("merging", "concatenate_mismatch")["error"]
    assert keras_error.startswith("ValueError")
    a, b = minikeras.Input((3, 4)), minikeras.Input((4, 5))
    with pytest.raises(ValueError, match=r"Layer 'cat' \(Concatenate\).*axis=-1.*"
                                         r"\[\(None, 3, 4\), \(None, 4, 5\)\]"):
        layers.Concatenate(name="cat")([a, b])
    with pytest.raises(ValueError, match=r"Concatenate.*\[\(2, 3\), \(2, 3, 1\)\]"):
        layers.Concatenate()([np.ones((2, 3)), np.ones((2, 3, 1))])
    layer = layers.Concatenate(axis=1)
    layer([np.ones((2, 3, 4)), np.ones((2, 1, 4))])
    with pytest.raises(ValueError, match=r"\[\(2, 3, 4\), \(2, 1, 5\)\]"):  # checked every call
        layer([np.ones((2, 3, 4)), np.ones((2, 1, 5))])


@pytest.mark.parametrize("name, make, shapes, pattern", [
    ("add_mismatch", layers.Add, [(None, 3), (None, 4)],
     r"'add' \(Add\) have incompatible shapes.*\[\(None, 3\), \(None, 4\)\]"),
    ("subtract_three", layers.Subtract, [(None, 3)] * 3,
     r"`Subtract` layer should be called on exactly 2 input\(s\). Layer 'subtract' received 3"),
    ("dot_mismatch", lambda: layers.Dot(axes=1), [(None, 3), (None, 4)],
     r"'dot' \(Dot\): incompatible input shapes: axis values 3 \(at axis 1\) != 4"),
])
def test_bad_shapes_raise_as_keras_does(name, make, shapes, pattern):
    assert vh.case("merging", name)["error"].startswith("ValueError")  # Keras raises too
    with pytest.raises(ValueError, match=pattern):
        make()([minikeras.Input(batch_shape=s) for s in shapes])


def test_other_bad_input():
    with pytest.raises(ValueError, match=r"list of inputs. Layer 'add' \(Add\) received: a "
                                         r"tensor of shape \(2, 3\)"):
        layers.Add()(np.ones((2, 3)))
    with pytest.raises(ValueError, match="different batch sizes"):
        layers.Add()([np.ones((2, 3)), np.ones((3, 3))])
    with pytest.raises(TypeError, match="axes"):
        layers.Dot(axes="1")
    with pytest.raises(ValueError, match="two elements"):
        layers.Dot(axes=(1, 2, 3))
    with pytest.raises(ValueError, match="batch axis 0 cannot be reduced"):
        layers.Dot(axes=0)([np.ones((2, 3)), np.ones((2, 3))])


def test_functional_model_with_concatenate_and_add_trains():
    """A two-branch model joined by `Concatenate` with a residual `layers.add`: 40 steps of
    Adam(0.01) on a fixed regression task bring the loss below a fifth of its start."""
    set_random_seed(3)
    rng = np.random.default_rng(0)
    x1 = rng.normal(size=(64, 4)).astype("float32")
    x2 = rng.normal(size=(64, 6)).astype("float32")
    y = (x1[:, :1] * 0.8 - x2[:, 1:2] + 0.5 * x1[:, 2:3] * x2[:, 3:4]).astype("float32")
    a, b = minikeras.Input((4,), name="a"), minikeras.Input((6,), name="b")
    h = layers.Concatenate()([layers.Dense(8, activation="tanh")(a),
                              layers.Dense(8, activation="tanh")(b)])
    h = layers.add([h, layers.Dense(16, activation="tanh")(h)])
    model = minikeras.Model([a, b], layers.Dense(1)(h))
    model.compile(optimizer=minikeras.optimizers.Adam(0.01), loss="mse")
    before = model.evaluate([x1, x2], y, verbose=0)
    history = model.fit([x1, x2], y, batch_size=16, epochs=10, shuffle=False, verbose=0)
    assert len(history.history["loss"]) == 10  # 4 steps per epoch, 40 steps
    after = model.evaluate([x1, x2], y, verbose=0)
    assert after < 0.2 * before, (before, after)
    clone = minikeras.Model.from_config(model.get_config())
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict([x1, x2], verbose=0),
                               model.predict([x1, x2], verbose=0), rtol=1e-6)
