"""The `keras.losses` API: registry spellings, classes, configs, reductions, errors, warnings."""

import inspect
import re
import warnings

import numpy as np
import pytest

import minikeras
from minikeras import losses

Y = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], dtype=np.float32)
P = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], dtype=np.float32)

# `sorted(keras.src.losses.ALL_OBJECTS_DICT)` of Keras 3.15, minus what minikeras leaves out
# (CTC and Circle).
KERAS3_NAMES = [
    "BCE", "BinaryCrossentropy", "BinaryFocalCrossentropy", "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy", "CategoricalHinge", "CosineSimilarity", "Dice", "Hinge",
    "Huber", "KLD", "KLDivergence", "LogCosh", "Loss", "LossFunctionWrapper", "MAE", "MAPE", "MSE",
    "MSLE", "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredError",
    "MeanSquaredLogarithmicError", "Poisson", "SparseCategoricalCrossentropy", "SquaredHinge",
    "Tversky", "bce", "binary_crossentropy", "binary_focal_crossentropy",
    "categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge",
    "cosine_similarity", "dice", "hinge", "huber", "kl_divergence", "kld", "log_cosh", "mae",
    "mape", "mean_absolute_error", "mean_absolute_percentage_error", "mean_squared_error",
    "mean_squared_logarithmic_error", "mse", "msle", "poisson",
    "sparse_categorical_crossentropy", "squared_hinge", "tversky",
]
KERAS2_NAMES = {"kullback_leibler_divergence": losses.kl_divergence, "logcosh": losses.log_cosh,
                "cosine_proximity": losses.cosine_similarity, "huber_loss": losses.huber,
                "cosine": losses.cosine_similarity}


@pytest.mark.parametrize("name", [n for n in KERAS3_NAMES if n not in ("Loss",
                                                                       "LossFunctionWrapper")])
def test_every_keras3_name_resolves(name):
    loss = losses.get(name)
    if name[0].isupper() and name not in ("BCE", "KLD", "MAE", "MAPE", "MSE", "MSLE"):
        assert isinstance(loss, getattr(losses, name))  # class names give fresh instances
        assert losses.get(name) is not loss
    else:
        assert inspect.isfunction(loss)
    sparse = name in ("SparseCategoricalCrossentropy", "sparse_categorical_crossentropy")
    assert np.all(np.isfinite(loss(np.array([1, 0]) if sparse else Y, P)))


@pytest.mark.parametrize("alias,target", [
    ("mse", losses.mean_squared_error), ("MSE", losses.mean_squared_error),
    ("mae", losses.mean_absolute_error), ("MAE", losses.mean_absolute_error),
    ("mape", losses.mean_absolute_percentage_error),
    ("msle", losses.mean_squared_logarithmic_error), ("kld", losses.kl_divergence),
    ("KLD", losses.kl_divergence), ("bce", losses.binary_crossentropy),
    *KERAS2_NAMES.items()])
def test_aliases_are_the_same_function(alias, target):
    assert losses.get(alias) is target
    assert getattr(losses, alias) is target


def test_get_accepts_classes_instances_callables_dicts_and_none():
    assert losses.get(None) is None
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    instance = losses.Huber(delta=3.0)
    assert losses.get(instance) is instance

    def custom(y_true, y_pred):
        return (y_true - y_pred) ** 2

    assert losses.get(custom) is custom
    got = losses.get({"class_name": "CategoricalCrossentropy", "config": {"from_logits": True}})
    assert isinstance(got, losses.CategoricalCrossentropy) and got.from_logits
    # Keras 3's serialized form of a plain function.
    assert losses.get({"module": "builtins", "class_name": "function",
                       "config": "mean_squared_error",
                       "registered_name": "function"}) is losses.mean_squared_error


def test_unknown_names_fail_with_a_suggestion():
    with pytest.raises(ValueError, match="categorical_crossentropy"):
        losses.get("categorical_crossentropyy")
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get(42)
    with pytest.raises(ValueError, match="Unknown loss class"):
        losses.get({"class_name": "NoSuchLoss", "config": {}})


CLASS_DEFAULTS = {
    "MeanSquaredError": ("mean_squared_error", {}),
    "MeanAbsoluteError": ("mean_absolute_error", {}),
    "MeanAbsolutePercentageError": ("mean_absolute_percentage_error", {}),
    "MeanSquaredLogarithmicError": ("mean_squared_logarithmic_error", {}),
    "CosineSimilarity": ("cosine_similarity", {"axis": -1}),
    "Huber": ("huber_loss", {"delta": 1.0}),
    "LogCosh": ("log_cosh", {}),
    "Hinge": ("hinge", {}), "SquaredHinge": ("squared_hinge", {}),
    "CategoricalHinge": ("categorical_hinge", {}),
    "KLDivergence": ("kl_divergence", {}), "Poisson": ("poisson", {}),
    "BinaryCrossentropy": ("binary_crossentropy",
                           {"from_logits": False, "label_smoothing": 0.0, "axis": -1}),
    "BinaryFocalCrossentropy": ("binary_focal_crossentropy",
                                {"apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0,
                                 "from_logits": False, "label_smoothing": 0.0, "axis": -1}),
    "CategoricalCrossentropy": ("categorical_crossentropy",
                                {"from_logits": False, "label_smoothing": 0.0, "axis": -1}),
    "CategoricalFocalCrossentropy": ("categorical_focal_crossentropy",
                                     {"alpha": 0.25, "gamma": 2.0, "from_logits": False,
                                      "label_smoothing": 0.0, "axis": -1}),
    "SparseCategoricalCrossentropy": ("sparse_categorical_crossentropy",
                                      {"from_logits": False, "ignore_class": None, "axis": -1}),
    "Dice": ("dice", {"axis": None}),
    "Tversky": ("tversky", {"alpha": 0.5, "beta": 0.5, "axis": None}),
    "CategoricalGeneralizedCrossEntropy": ("categorical_generalized_cross_entropy", {"q": 0.5}),
}


@pytest.mark.parametrize("class_name", sorted(CLASS_DEFAULTS))
def test_class_defaults_attributes_and_config_round_trip(class_name):
    cls = getattr(losses, class_name)
    name, params = CLASS_DEFAULTS[class_name]
    loss = cls()
    assert loss.name == name and loss.reduction == "sum_over_batch_size"
    assert loss.dtype == "float32"
    for key, value in params.items():
        assert getattr(loss, key) == value
    assert loss.get_config() == {"name": name, "reduction": "sum_over_batch_size", **params}
    custom = cls(reduction="sum", name="custom")
    restored = cls.from_config(custom.get_config())
    assert restored.get_config() == custom.get_config()
    again = losses.deserialize(losses.serialize(custom))
    assert type(again) is cls and again.get_config() == custom.get_config()


def test_positional_arguments_follow_keras_signatures():
    assert losses.Huber(2.0).delta == 2.0
    assert losses.CategoricalCrossentropy(True, 0.1).label_smoothing == 0.1
    scce = losses.SparseCategoricalCrossentropy(True, 3, "sum")
    assert (scce.from_logits, scce.ignore_class, scce.reduction) == (True, 3, "sum")
    assert losses.Dice("sum", "my_dice").name == "my_dice"
    assert list(inspect.signature(losses.BinaryFocalCrossentropy).parameters)[:3] == [
        "apply_class_balancing", "alpha", "gamma"]
    with pytest.raises(TypeError, match="unexpected keyword"):
        losses.MeanSquaredError(from_logits=True)


def test_loss_function_wrapper_config_keeps_the_function():
    wrapper = losses.LossFunctionWrapper(losses.huber, delta=0.5, name="h")
    config = wrapper.get_config()
    assert config["fn"] == "huber" and config["delta"] == 0.5
    restored = losses.LossFunctionWrapper.from_config(config)
    assert restored.fn is losses.huber
    np.testing.assert_allclose(restored(Y, P), wrapper(Y, P))
    keras3_fn = {"module": "builtins", "class_name": "function", "config": "huber",
                 "registered_name": "function"}
    assert losses.LossFunctionWrapper.from_config({**config, "fn": keras3_fn}).fn is losses.huber


def test_custom_loss_subclass_gets_a_snake_case_name_and_reductions():
    class MyAbsoluteLoss(losses.Loss):
        def call(self, y_true, y_pred):
            return np.abs(y_true - y_pred).mean(axis=-1)

    loss = MyAbsoluteLoss()
    assert loss.name == "my_absolute_loss"
    expected = np.abs(Y - P).mean(axis=-1)
    np.testing.assert_allclose(loss(Y, P), expected.mean(), rtol=1e-6)
    np.testing.assert_allclose(MyAbsoluteLoss(reduction="sum")(Y, P), expected.sum(), rtol=1e-6)


def test_keras2_configs_load():
    # tf.keras 2 stored reduction "auto" (the default) in saved configs.
    loss = losses.get({"class_name": "CategoricalCrossentropy",
                       "config": {"reduction": "auto", "name": "categorical_crossentropy",
                                  "from_logits": False, "label_smoothing": 0, "axis": -1}})
    assert loss.reduction == "sum_over_batch_size"
    assert losses.Reduction.SUM == "sum" and losses.Reduction.NONE == "none"
    assert losses.MeanSquaredError(reduction=losses.Reduction.AUTO)(Y, P) > 0


@pytest.mark.parametrize("kwargs,match", [
    ({"reduction": "average"}, "reduction"),
    ({"label_smoothing": 1.5}, "label_smoothing"),
    ({"label_smoothing": -0.1}, "label_smoothing"),
    ({"axis": True}, "axis"),
])
def test_bad_constructor_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        losses.CategoricalCrossentropy(**kwargs)


def test_bad_arguments_of_the_functions():
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.binary_crossentropy(Y, P, label_smoothing=2.0)
    with pytest.raises(ValueError, match="q"):
        losses.CategoricalGeneralizedCrossEntropy(q=1.5)


def test_shape_errors_name_the_loss_and_suggest_the_fix():
    with pytest.raises(ValueError, match="sparse_categorical_crossentropy"):
        losses.categorical_crossentropy(np.array([1, 0]), P)
    with pytest.raises(ValueError, match="one-hot encoded: use 'categorical_crossentropy'"):
        losses.sparse_categorical_crossentropy(Y, P)
    with pytest.raises(ValueError, match="outside the valid range"):
        losses.sparse_categorical_crossentropy(np.array([1, 3]), P)
    with pytest.raises(ValueError, match="integer class indices"):
        losses.sparse_categorical_crossentropy(np.array([1.5, 0.0]), P)
    with pytest.raises(ValueError, match="same shape"):
        losses.binary_crossentropy(Y, P[:, :2])


def test_warnings_where_the_output_does_not_match_from_logits():
    logits = np.array([[2.0, -1.0, 0.5]], dtype=np.float32)
    with pytest.warns(UserWarning, match="looks like logits") as record:
        losses.categorical_crossentropy(Y[:1], logits)
    assert record[0].filename == __file__  # points at the user's line
    with pytest.warns(UserWarning, match="looks like logits"):
        losses.BinaryCrossentropy()(np.array([[1.0, 0.0, 1.0]]), logits)
    with pytest.warns(UserWarning, match="do not sum to 1"):
        losses.CategoricalCrossentropy()(Y, P * 0.5)
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.categorical_crossentropy(Y, P)
        losses.binary_crossentropy(Y, P)
        losses.categorical_crossentropy(Y, logits.repeat(2, 0), from_logits=True)


def test_ignore_class_leaves_entries_out_of_the_average():
    labels = np.array([1, 0, 2, 2])
    probs = np.tile(P[:1], (4, 1))
    per = losses.sparse_categorical_crossentropy(labels, probs, ignore_class=2)
    assert per[2] == per[3] == 0.0
    loss = losses.SparseCategoricalCrossentropy(ignore_class=2)
    np.testing.assert_allclose(loss(labels, probs), per.sum() / 2, rtol=1e-6)
    np.testing.assert_allclose(
        losses.SparseCategoricalCrossentropy(ignore_class=2, reduction="sum")(labels, probs),
        per.sum(), rtol=1e-6)


def test_reductions_follow_keras():
    values = np.array([1.0, 2.0, 3.0, 4.0], dtype=np.float32)
    w = np.array([1.0, 0.0, 2.0, 1.0], dtype=np.float32)
    reduce = losses.reduce_weighted_values
    assert reduce(values) == 2.5
    assert reduce(values, w) == (1 + 6 + 4) / 4  # divided by N, not by sum(w)
    assert reduce(values, w, "mean") == (1 + 6 + 4) / 4
    assert reduce(values, w, "mean_with_sample_weight") == (1 + 6 + 4) / 4
    assert reduce(values, w, "sum") == 11
    np.testing.assert_array_equal(reduce(values, w, None), values * w)
    np.testing.assert_array_equal(reduce(values, w, "none"), values * w)
    assert reduce(values, np.zeros(4), "mean_with_sample_weight") == 0  # divide_no_nan
    assert reduce(np.float32(3.0), None) == 3.0  # a scalar loss is returned as is
    assert reduce(values, np.array([[1.0], [0.0], [2.0], [1.0]])) == (1 + 6 + 4) / 4
    assert reduce(values).dtype == np.float32
    with pytest.raises(ValueError, match="sample_weight"):
        reduce(values, np.ones(3))


def test_as_loss_object_names_functions_as_given():
    assert losses.as_loss_object("mse").name == "mse"
    assert losses.as_loss_object("mse").fn is losses.mean_squared_error
    assert losses.as_loss_object(losses.huber).name == "huber"
    hub = losses.Huber()
    assert losses.as_loss_object(hub) is hub


def test_public_namespace_matches_keras():
    assert minikeras.losses.MSE is losses.mean_squared_error
    for name in ("Loss", "LossFunctionWrapper", "Reduction", "get", "serialize", "deserialize"):
        assert hasattr(minikeras.losses, name)


def test_training_with_every_class_runs():
    model = minikeras.Sequential([minikeras.Input((3,)), minikeras.layers.Dense(3, "softmax")])
    for name in ("categorical_crossentropy", "CategoricalFocalCrossentropy", "kld", "poisson",
                 "categorical_hinge", "BinaryCrossentropy", "mse", "huber", "log_cosh"):
        model.compile("sgd", loss=name)
        history = model.fit(np.tile(P, (4, 1)), np.tile(Y, (4, 1)), epochs=2, verbose=0)
        assert np.all(np.isfinite(history.history["loss"]))


@pytest.mark.parametrize("cls", list(losses.CLASSES.values()), ids=lambda c: c.__name__)
def test_every_class_is_written_out_in_the_source(cls):
    # Classes made at run time cannot be found with grep (nor by inspect).
    assert re.match(rf"class {cls.__name__}\b", inspect.getsource(cls))
    assert cls.__module__.startswith("minikeras.losses")
