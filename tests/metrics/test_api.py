"""The `keras.metrics` API: registry spellings, the stateful interface, configs, errors and
what `compile` makes of metric identifiers."""

import inspect
import re

import numpy as np
import pytest

import minikeras as keras
from minikeras import metrics

Y = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 0]], dtype=np.float32)
P = np.array([[0.8, 0.3, 0.6], [0.1, 0.7, 0.4], [0.6, 0.2, 0.9], [0.4, 0.9, 0.1]],
             dtype=np.float32)

# `sorted(keras.src.metrics.ALL_OBJECTS_DICT)` of Keras 3.15 and the class each gives (None:
# the class needs arguments, so the string fails in Keras too).
KERAS3_NAMES = {
    "BinaryIoU": "BinaryIoU", "binary_io_u": "BinaryIoU", "IoU": None, "io_u": None,
    "MeanIoU": None, "mean_io_u": None, "OneHotIoU": None, "one_hot_io_u": None,
    "OneHotMeanIoU": None, "one_hot_mean_io_u": None,
    "PearsonCorrelation": "PearsonCorrelation", "pearson_correlation": "PearsonCorrelation",
    "ConcordanceCorrelation": "ConcordanceCorrelation",
    "concordance_correlation": "ConcordanceCorrelation",
    "AUC": "AUC", "Accuracy": "Accuracy", "BCE": "BinaryCrossentropy",
    "BinaryAccuracy": "BinaryAccuracy", "BinaryCrossentropy": "BinaryCrossentropy",
    "CategoricalAccuracy": "CategoricalAccuracy",
    "CategoricalCrossentropy": "CategoricalCrossentropy", "CategoricalHinge": "CategoricalHinge",
    "CosineSimilarity": "CosineSimilarity", "F1Score": "F1Score", "FBetaScore": "FBetaScore",
    "FalseNegatives": "FalseNegatives", "FalsePositives": "FalsePositives", "Hinge": "Hinge",
    "KLDivergence": "KLDivergence", "LogCoshError": "LogCoshError", "MAE": "MeanAbsoluteError",
    "MAPE": "MeanAbsolutePercentageError", "MSE": "MeanSquaredError",
    "MSLE": "MeanSquaredLogarithmicError", "Mean": "Mean",
    "MeanAbsoluteError": "MeanAbsoluteError",
    "MeanAbsolutePercentageError": "MeanAbsolutePercentageError",
    "MeanSquaredError": "MeanSquaredError",
    "MeanSquaredLogarithmicError": "MeanSquaredLogarithmicError", "Poisson": "Poisson",
    "Precision": "Precision", "R2Score": "R2Score", "Recall": "Recall",
    "RootMeanSquaredError": "RootMeanSquaredError",
    "SparseCategoricalAccuracy": "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy": "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy": "SparseTopKCategoricalAccuracy",
    "SquaredHinge": "SquaredHinge", "Sum": "Sum",
    "TopKCategoricalAccuracy": "TopKCategoricalAccuracy", "TrueNegatives": "TrueNegatives",
    "TruePositives": "TruePositives", "accuracy": "Accuracy", "auc": "AUC",
    "bce": "BinaryCrossentropy", "binary_accuracy": "BinaryAccuracy",
    "binary_crossentropy": "BinaryCrossentropy", "categorical_accuracy": "CategoricalAccuracy",
    "categorical_crossentropy": "CategoricalCrossentropy",
    "categorical_hinge": "CategoricalHinge", "cosine_similarity": "CosineSimilarity",
    "f1_score": "F1Score", "f_beta_score": "FBetaScore", "false_negatives": "FalseNegatives",
    "false_positives": "FalsePositives", "hinge": "Hinge", "kl_divergence": "KLDivergence",
    "log_cosh_error": "LogCoshError", "mae": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError", "mean": "Mean",
    "mean_absolute_error": "MeanAbsoluteError",
    "mean_absolute_percentage_error": "MeanAbsolutePercentageError",
    "mean_squared_error": "MeanSquaredError",
    "mean_squared_logarithmic_error": "MeanSquaredLogarithmicError", "mse": "MeanSquaredError",
    "msle": "MeanSquaredLogarithmicError", "poisson": "Poisson", "precision": "Precision",
    "precision_at_recall": None, "r2_score": "R2Score", "recall": "Recall",
    "recall_at_precision": None, "root_mean_squared_error": "RootMeanSquaredError",
    "sensitivity_at_specificity": None,
    "sparse_categorical_accuracy": "SparseCategoricalAccuracy",
    "sparse_categorical_crossentropy": "SparseCategoricalCrossentropy",
    "sparse_top_k_categorical_accuracy": "SparseTopKCategoricalAccuracy",
    "specificity_at_sensitivity": None, "squared_hinge": "SquaredHinge", "sum": "Sum",
    "top_k_categorical_accuracy": "TopKCategoricalAccuracy", "true_negatives": "TrueNegatives",
    "true_positives": "TruePositives",
}


@pytest.mark.parametrize("name", sorted(KERAS3_NAMES))
def test_every_keras3_string_gives_a_fresh_instance(name):
    expected = KERAS3_NAMES[name]
    if expected is None:  # X-at-Y and IoU metrics need arguments, in Keras as well
        with pytest.raises(TypeError):
            metrics.get(name)
        return
    first, second = metrics.get(name), metrics.get(name)
    assert type(first).__name__ == expected
    assert first is not second


@pytest.mark.parametrize("name,expected", [
    ("acc", metrics.Accuracy), ("kld", metrics.KLDivergence), ("KLD", metrics.KLDivergence),
    ("kullback_leibler_divergence", metrics.KLDivergence), ("logcosh", metrics.LogCoshError),
    ("fbeta_score", metrics.FBetaScore)])
def test_keras2_strings_resolve_too(name, expected):
    assert type(metrics.get(name)) is expected


def test_keras2_function_names_give_functions():
    assert metrics.get("cosine_proximity") is keras.losses.cosine_similarity  # the negative one
    assert metrics.get("huber") is keras.losses.huber
    for alias, fn in [("mse", "mean_squared_error"), ("mae", "mean_absolute_error"),
                      ("mape", "mean_absolute_percentage_error"),
                      ("msle", "mean_squared_logarithmic_error"), ("kld", "kl_divergence"),
                      ("logcosh", "log_cosh")]:
        assert getattr(metrics, alias) is getattr(metrics, fn)


def test_get_passes_instances_and_callables_through():
    m = metrics.Precision()
    assert metrics.get(m) is m
    assert metrics.get(None) is None
    assert isinstance(metrics.get(metrics.AUC), metrics.AUC)
    assert metrics.get(metrics.binary_accuracy) is metrics.binary_accuracy
    got = metrics.get({"class_name": "AUC", "config": {"curve": "PR", "num_thresholds": 10}})
    assert got.curve == "PR" and got.num_thresholds == 10
    assert metrics.get({"module": "builtins", "class_name": "function",
                        "config": "binary_accuracy", "registered_name": "function"}) \
        is metrics.binary_accuracy


def test_unknown_metric_names_fail_with_a_suggestion():
    with pytest.raises(ValueError, match="'accuracy'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get(3.5)
    with pytest.raises(ValueError, match="Unknown metric class"):
        metrics.get({"class_name": "NoSuchMetric", "config": {}})


def test_stateful_interface_on_its_own():
    m = metrics.Precision()
    assert m.name == "precision" and m.result() == 0.0
    m.update_state(Y, P)
    first = m.result()
    assert first.dtype == np.float32 and first.ndim == 0
    assert isinstance(first.numpy(), np.float32)  # tf.keras's `m.result().numpy()`
    m.update_state(Y, P, sample_weight=np.array([1.0, 0.0, 2.0, 1.0]))
    assert m.result() != first
    m.reset_state()
    assert m.result() == 0.0
    assert m(Y, P) == first  # __call__ updates and returns the result
    m.reset_states()  # Keras 2 spelling
    assert m.result() == 0.0
    assert metrics.Mean(dtype="float64").result().dtype == np.float64


def test_vector_results_are_float32_arrays():
    f1 = metrics.F1Score()
    f1.update_state(Y, P)
    assert f1.result().shape == (3,) and f1.result().dtype == np.float32
    tp = metrics.TruePositives(thresholds=[0.3, 0.5, 0.7])
    tp.update_state(Y, P)
    np.testing.assert_array_equal(tp.result(), [7.0, 5.0, 3.0])
    assert tp.accumulator.shape == (3,)


ALL_CLASSES = [cls for name, cls in sorted(metrics.CLASSES.items())
               if name not in ("Metric", "MeanMetricWrapper")]
REQUIRED = {"IoU": {"num_classes": 3, "target_class_ids": [0, 2]}, "MeanIoU": {"num_classes": 3},
            "OneHotIoU": {"num_classes": 3, "target_class_ids": [1]},
            "OneHotMeanIoU": {"num_classes": 3},
            "SensitivityAtSpecificity": {"specificity": 0.4},
            "SpecificityAtSensitivity": {"sensitivity": 0.4},
            "PrecisionAtRecall": {"recall": 0.4}, "RecallAtPrecision": {"precision": 0.4}}


@pytest.mark.parametrize("cls", ALL_CLASSES, ids=lambda c: c.__name__)
def test_config_round_trip(cls):
    metric = cls(**REQUIRED.get(cls.__name__, {}), name="custom")
    config = metric.get_config()
    assert config["name"] == "custom"
    assert config["dtype"] == ("int32" if "IoU" in cls.__name__ else "float32")
    restored = cls.from_config(config)
    assert restored.get_config() == config
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is cls and again.get_config() == config


def test_positional_arguments_follow_keras_signatures():
    assert metrics.TopKCategoricalAccuracy(3).k == 3
    assert metrics.BinaryAccuracy("acc", None, 0.7).threshold == 0.7
    assert metrics.SensitivityAtSpecificity(0.3).specificity == 0.3
    assert metrics.AUC(50, "PR").curve == "PR"
    assert metrics.Precision(0.3, None, 1).class_id == 1
    assert list(inspect.signature(metrics.CategoricalCrossentropy).parameters) == [
        "name", "dtype", "from_logits", "label_smoothing", "axis"]


def test_mean_metric_wrapper_configs_from_every_keras():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc", threshold=0.3)
    config = m.get_config()
    assert config == {"name": "acc", "dtype": "float32", "threshold": 0.3,
                      "fn": "binary_accuracy"}
    restored = metrics.MeanMetricWrapper.from_config(config)
    assert restored._fn is metrics.binary_accuracy and restored._fn_kwargs == {"threshold": 0.3}
    keras3 = {**config, "fn": {"module": "builtins", "class_name": "function",
                               "config": "binary_accuracy", "registered_name": "function"}}
    assert metrics.get({"class_name": "MeanMetricWrapper", "config": keras3})._fn \
        is metrics.binary_accuracy
    m.update_state(Y, P)
    assert m.result() == pytest.approx(np.mean((P > 0.3) == Y))
    assert metrics.MeanMetricWrapper(metrics.mean_squared_error).name == "mean_squared_error"


@pytest.mark.parametrize("make,match", [
    (lambda: metrics.Precision(thresholds=1.5), "Threshold values must be in"),
    (lambda: metrics.Recall(thresholds=[0.5, -0.1]), "Threshold values must be in"),
    (lambda: metrics.AUC(curve="XY"), "Invalid AUC curve"),
    (lambda: metrics.AUC(summation_method="trapezoid"), "Invalid AUC summation"),
    (lambda: metrics.AUC(num_thresholds=1), "num_thresholds"),
    (lambda: metrics.AUC(num_labels=3), "multi_label"),
    (lambda: metrics.F1Score(average="mean"), "average"),
    (lambda: metrics.FBetaScore(beta=2), "beta"),
    (lambda: metrics.FBetaScore(beta=-1.0), "beta"),
    (lambda: metrics.F1Score(threshold=0.0), "threshold"),
    (lambda: metrics.SensitivityAtSpecificity(1.5), "specificity"),
    (lambda: metrics.R2Score(class_aggregation="median"), "class_aggregation"),
])
def test_bad_constructor_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="same shape"):
        metrics.Precision().update_state(Y, P[:, :2])
    with pytest.raises(ValueError, match="class_id"):
        metrics.Precision(class_id=1).update_state(Y[:, 0], P[:, 0])
    with pytest.raises(ValueError, match="2D inputs"):
        metrics.F1Score().update_state(Y[:, 0], P[:, 0])
    with pytest.raises(ValueError, match="rank 2"):
        metrics.AUC(multi_label=True).update_state(Y[:, 0], P[:, 0])
    with pytest.raises(ValueError, match="sample_weight"):
        metrics.Mean().update_state(np.ones((4, 3)), sample_weight=np.ones(3))


def test_auc_and_top_k_edge_cases():
    auc = metrics.AUC()
    assert auc.result() == 0.0
    auc.update_state([0, 0, 1, 1], [0.0, 0.0, 1.0, 1.0])  # exact 0 and 1 predictions
    assert auc.result() == pytest.approx(1.0)
    assert len(auc.thresholds) == 200 and auc.thresholds[0] < 0 < 1 < auc.thresholds[-1]
    ties = np.array([[0.5, 0.5, 0.0]], dtype=np.float32)
    assert metrics.top_k_categorical_accuracy([[0, 1, 0]], ties, k=1)[0] == 1.0  # ties count in
    assert metrics.sparse_top_k_categorical_accuracy([1], ties, k=1)[0] == 1.0


# --------------------------------------------------------------------------- with compile
X = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
YB = (X[:, :1] > 0).astype("float32")


def _binary_model(metric_list):
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=metric_list)
    return model


def test_compile_names_metrics_as_given_and_deduplicates():
    history = _binary_model(["mae", "precision", "auc", keras.metrics.Recall(),
                             keras.metrics.Precision(), "AUC"]).fit(
        X, YB, epochs=2, validation_split=0.25, verbose=0)
    keys = {"loss", "mae", "precision", "auc", "recall", "precision_1", "AUC"}
    assert set(history.history) == keys | {f"val_{k}" for k in keys}
    assert all(np.all(np.isfinite(v)) for v in history.history.values())


def test_compiled_metric_values_equal_the_standalone_metric():
    model = _binary_model(["auc", keras.metrics.Precision(thresholds=0.4), "mse"])
    result = model.evaluate(X, YB, verbose=0, return_dict=True, batch_size=8)
    y_pred = model.predict(X, verbose=0)
    for name, metric in [("auc", metrics.AUC()), ("precision", metrics.Precision(0.4)),
                         ("mse", metrics.MeanSquaredError())]:
        metric.update_state(YB, y_pred)
        assert result[name] == pytest.approx(float(metric.result()), rel=1e-5)


class BinaryTruePositives(keras.metrics.Metric):
    """A custom metric as the tf.keras and Keras 3 guides write them."""

    def __init__(self, name="binary_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_weight(name="tp", initializer="zeros")
        self.seen = self.add_variable(shape=(), initializer="zeros", name="seen")

    def update_state(self, y_true, y_pred, sample_weight=None):
        hits = keras.ops.cast((y_pred > 0.5) & (y_true > 0.5), self.dtype)
        if sample_weight is not None:
            hits = hits * keras.ops.reshape(sample_weight, (-1, 1))
        self.true_positives.assign_add(keras.ops.sum(hits))
        self.seen.assign_add(1.0)

    def result(self):
        return self.true_positives


def test_custom_metric_subclass_with_state_variables():
    m = BinaryTruePositives()
    assert m.name == "binary_true_positives" and len(m.variables) == 2
    m.update_state(Y, P)
    assert float(m.result()) == 5.0  # (0,0), (0,2), (1,1), (2,2), (3,1)
    m.update_state(Y, P, sample_weight=np.array([1.0, 0.0, 2.0, 1.0]))
    assert float(m.result()) == 5.0 + 2 + 0 + 2 + 1
    m.reset_state()
    assert float(m.result()) == 0.0 and float(m.seen) == 0.0
    history = _binary_model([BinaryTruePositives()]).fit(X, YB, epochs=2, verbose=0)
    assert np.all(np.isfinite(history.history["binary_true_positives"]))


@pytest.mark.parametrize("cls", sorted(set(metrics.CLASSES.values()), key=lambda c: c.__name__),
                         ids=lambda c: c.__name__)
def test_every_class_is_written_out_in_the_source(cls):
    # Classes made at run time cannot be found with grep (nor by inspect).
    assert re.match(rf"class {cls.__name__}\b", inspect.getsource(cls))
    assert cls.__module__.startswith("minikeras.metrics")
