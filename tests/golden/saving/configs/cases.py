"""The objects whose configs are compared with real Keras 3's.

Each case builds its object from a `keras` module given as `k`: real Keras when
`make_configs.py` writes the reference configs, minikeras when the tests compare. Names are
given, or come from a fresh naming state (Keras's `clear_session()`, minikeras's
`reset_uids()`) before each case, so both sides name layers alike.

This module imports neither Keras nor minikeras.
"""


def double(x):
    return x * 2


def scale(x, factor=2.0):
    return x * factor


# ----------------------------------------------------------------------------- layers
def layer_cases(k):
    L, I, R, C = k.layers, k.initializers, k.regularizers, k.constraints
    return {
        "dense": lambda: L.Dense(3, name="dense"),
        "dense_full": lambda: L.Dense(
            4, activation="relu", use_bias=False, kernel_initializer="he_normal",
            bias_initializer=I.Constant(0.1), kernel_regularizer=R.L2(0.01),
            bias_regularizer=R.L1(0.02), activity_regularizer=R.L1L2(l1=0.01, l2=0.02),
            kernel_constraint=C.MaxNorm(2.0), bias_constraint=C.NonNeg(), name="dense_full"),
        "dense_float64_frozen": lambda: L.Dense(
            2, activation="softmax", kernel_initializer=I.RandomNormal(stddev=0.1, seed=3),
            trainable=False, dtype="float64", name="dense_f64"),
        "dense_layer_activation": lambda: L.Dense(
            2, activation=L.LeakyReLU(negative_slope=0.1, name="leaky"), name="dense_leaky"),
        "activation_relu": lambda: L.Activation("relu", name="act"),
        "activation_swish": lambda: L.Activation("swish", name="act_swish"),
        "activation_linear": lambda: L.Activation("linear", name="act_linear"),
        "dropout": lambda: L.Dropout(0.5, name="drop"),
        "dropout_noise_shape": lambda: L.Dropout(0.2, noise_shape=(None, 1), seed=3,
                                                 name="drop_ns"),
        "flatten": lambda: L.Flatten(name="flat"),
        "flatten_channels_first": lambda: L.Flatten(data_format="channels_first",
                                                    name="flat_cf"),
        "reshape": lambda: L.Reshape((2, 3), name="reshape"),
        "reshape_minus_one": lambda: L.Reshape((-1, 2), name="reshape_m1"),
        "input_layer": lambda: L.InputLayer(shape=(4,), name="in"),
        "input_layer_batch_shape": lambda: L.InputLayer(batch_shape=(8, 3, 2), name="in_b"),
        "input_layer_int32": lambda: L.InputLayer(shape=(5,), dtype="int32", name="in_i"),
        "relu": lambda: L.ReLU(name="relu"),
        "relu_args": lambda: L.ReLU(max_value=6.0, negative_slope=0.1, threshold=0.5,
                                    name="relu_args"),
        "leaky_relu": lambda: L.LeakyReLU(name="leaky"),
        "leaky_relu_slope": lambda: L.LeakyReLU(negative_slope=0.1, name="leaky_01"),
        "prelu": lambda: L.PReLU(name="prelu"),
        "prelu_shared": lambda: L.PReLU(alpha_initializer="ones", shared_axes=[1],
                                        name="prelu_s"),
        "elu": lambda: L.ELU(name="elu"),
        "elu_alpha": lambda: L.ELU(alpha=0.5, name="elu_05"),
        "softmax": lambda: L.Softmax(name="softmax"),
        "softmax_axis": lambda: L.Softmax(axis=1, name="softmax_1"),
        "lambda_named_function": lambda: L.Lambda(double, name="lam"),
        "lambda_arguments_output_shape": lambda: L.Lambda(
            scale, output_shape=(3,), arguments={"factor": 3.0}, name="lam_args"),
    }


# ----------------------------------------------------------------------------- families
def object_cases(k):
    I, R, C, Lo, M, O = k.initializers, k.regularizers, k.constraints, k.losses, k.metrics, \
        k.optimizers
    S = k.optimizers.schedules
    return {
        "init_zeros": lambda: I.Zeros(),
        "init_ones": lambda: I.Ones(),
        "init_constant": lambda: I.Constant(0.5),
        "init_random_normal": lambda: I.RandomNormal(mean=0.1, stddev=0.2, seed=1),
        "init_random_uniform": lambda: I.RandomUniform(-0.1, 0.1, seed=1),
        "init_truncated_normal": lambda: I.TruncatedNormal(seed=1),
        "init_variance_scaling": lambda: I.VarianceScaling(
            scale=2.0, mode="fan_out", distribution="uniform", seed=1),
        "init_glorot_uniform": lambda: I.GlorotUniform(seed=1),
        "init_glorot_normal": lambda: I.GlorotNormal(),
        "init_he_normal": lambda: I.HeNormal(),
        "init_he_uniform": lambda: I.HeUniform(),
        "init_lecun_normal": lambda: I.LecunNormal(),
        "init_lecun_uniform": lambda: I.LecunUniform(),
        "init_orthogonal": lambda: I.Orthogonal(gain=2.0, seed=1),
        "init_identity": lambda: I.Identity(gain=0.5),
        "reg_l1": lambda: R.L1(0.1),
        "reg_l2": lambda: R.L2(0.2),
        "reg_l1l2": lambda: R.L1L2(l1=0.1, l2=0.2),
        "reg_orthogonal": lambda: R.OrthogonalRegularizer(factor=0.02, mode="columns"),
        "con_max_norm": lambda: C.MaxNorm(3.0, axis=1),
        "con_non_neg": lambda: C.NonNeg(),
        "con_unit_norm": lambda: C.UnitNorm(axis=0),
        "con_min_max_norm": lambda: C.MinMaxNorm(0.1, 2.0, rate=0.5, axis=1),
        "loss_mse": lambda: Lo.MeanSquaredError(),
        "loss_bce": lambda: Lo.BinaryCrossentropy(from_logits=True, label_smoothing=0.1),
        "loss_cce": lambda: Lo.CategoricalCrossentropy(),
        "loss_scce": lambda: Lo.SparseCategoricalCrossentropy(from_logits=True),
        "loss_huber": lambda: Lo.Huber(delta=2.0),
        "loss_function": lambda: Lo.mean_squared_error,
        "metric_accuracy": lambda: M.Accuracy(),
        "metric_binary_accuracy": lambda: M.BinaryAccuracy(threshold=0.6),
        "metric_categorical_accuracy": lambda: M.CategoricalAccuracy(),
        "metric_sparse_categorical_accuracy": lambda: M.SparseCategoricalAccuracy(),
        "metric_auc": lambda: M.AUC(),
        "metric_precision": lambda: M.Precision(),
        "metric_recall": lambda: M.Recall(),
        "metric_mse": lambda: M.MeanSquaredError(),
        "metric_top_k": lambda: M.TopKCategoricalAccuracy(k=3),
        "metric_mean": lambda: M.Mean(name="m"),
        "opt_sgd": lambda: O.SGD(learning_rate=0.1, momentum=0.9, nesterov=True),
        "opt_adam": lambda: O.Adam(),
        "opt_adam_schedule": lambda: O.Adam(learning_rate=S.ExponentialDecay(0.1, 100, 0.96)),
        "opt_rmsprop": lambda: O.RMSprop(),
        "opt_adagrad": lambda: O.Adagrad(),
        "opt_adadelta": lambda: O.Adadelta(),
        "opt_adamax": lambda: O.Adamax(),
        "opt_nadam": lambda: O.Nadam(),
        "opt_adamw": lambda: O.AdamW(),
        "opt_ftrl": lambda: O.Ftrl(),
        "opt_lion": lambda: O.Lion(),
        "opt_adafactor": lambda: O.Adafactor(),
        "sched_exponential": lambda: S.ExponentialDecay(0.1, 100, 0.96, staircase=True),
        "sched_piecewise": lambda: S.PiecewiseConstantDecay([10, 20], [0.1, 0.01, 0.001]),
        "sched_polynomial": lambda: S.PolynomialDecay(0.1, 1000, end_learning_rate=0.01,
                                                      power=2.0),
        "sched_inverse_time": lambda: S.InverseTimeDecay(0.1, 10, 0.5),
        "sched_cosine": lambda: S.CosineDecay(0.1, 1000, alpha=0.1),
        "sched_cosine_restarts": lambda: S.CosineDecayRestarts(0.1, 100),
    }


ACTIVATIONS = ["relu", "sigmoid", "softmax", "tanh", "swish", "silu", "gelu", "linear", "elu",
               "selu", "softplus", "softsign", "exponential", "hard_sigmoid", "leaky_relu",
               "relu6", "log_softmax", "mish"]


# ----------------------------------------------------------------------------- models
def model_cases(k):
    L = k.layers

    def sequential_input():
        return k.Sequential([k.Input((4,), name="in"), L.Dense(3, activation="relu"),
                             L.Dropout(0.5), L.Dense(2, activation="softmax")], name="seq")

    def sequential_unbuilt():
        return k.Sequential([L.Dense(3), L.Dense(1)])

    def sequential_built_by_build():
        model = k.Sequential([L.Dense(3), L.Dense(1)])
        model.build((None, 5))
        return model

    def sequential_input_shape():
        return k.Sequential([L.Dense(3, input_shape=(4,)), L.Flatten(), L.Dense(1)])

    def functional_chain():
        x = k.Input((4,), name="x")
        h = L.Dense(8, activation="relu", name="hidden")(x)
        return k.Model(x, L.Dense(1, name="out")(h), name="chain")

    def functional_two_inputs_shared():
        a, b = k.Input((4,), name="a"), k.Input((4,), name="b")
        shared = L.Dense(4, name="shared")
        sa, sb = shared(a), shared(b)
        head = L.Dense(2, name="head")(sa)
        again = shared(L.Activation("tanh", name="act")(sb))
        return k.Model([a, b], [head, again], name="two_inputs")

    def functional_dicts():
        a, b = k.Input((4,), name="a"), k.Input((3,), name="b")
        return k.Model({"a": a, "b": b},
                       {"ya": L.Dense(1, name="ya")(a), "yb": L.Dense(2, name="yb")(b)},
                       name="dicts")

    def functional_nested():
        inner_in = k.Input((4,), name="inner_in")
        inner = k.Model(inner_in, L.Dense(3, name="inner_dense")(inner_in), name="inner")
        seq = k.Sequential([k.Input((3,), name="seq_in"), L.Dense(2, name="seq_dense")],
                           name="seq")
        x = k.Input((4,), name="x")
        y = inner(x)
        return k.Model(x, [seq(y), y], name="outer")

    def functional_lambda_dropout_training():
        x = k.Input((4,), name="x")
        y = L.Lambda(double, name="twice")(x)
        y = L.Dropout(0.5, name="drop")(y, training=True)
        return k.Model(x, L.Dense(1, name="out")(y), name="lam")

    return {
        "sequential_input": sequential_input,
        "sequential_unbuilt": sequential_unbuilt,
        "sequential_built_by_build": sequential_built_by_build,
        "sequential_input_shape": sequential_input_shape,
        "functional_chain": functional_chain,
        "functional_two_inputs_shared": functional_two_inputs_shared,
        "functional_dicts": functional_dicts,
        "functional_nested": functional_nested,
        "functional_lambda_dropout_training": functional_lambda_dropout_training,
    }


# ----------------------------------------------------------------------------- user classes
def custom_classes(k):
    """A registered layer and two subclassed models, defined against `k`. Their `__module__` is
    set to `demo_models` so both sides write the same `module`."""

    @k.saving.register_keras_serializable(package="Demo")
    class Scale(k.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def call(self, inputs):
            return inputs * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    class Regressor(k.Model):  # subclassed, with its own get_config
        def __init__(self, units=3, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.hidden = k.layers.Dense(units, activation="relu", name="hidden")
            self.out = k.layers.Dense(1, name="out")

        def call(self, inputs):
            return self.out(self.hidden(inputs))

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    class AutoConfigured(k.Model):  # subclassed, no get_config: Keras's automatic config
        def __init__(self, units=4, activation="tanh", **kwargs):
            super().__init__(**kwargs)
            self.dense = k.layers.Dense(units, activation=activation, name="dense")

        def call(self, inputs):
            return self.dense(inputs)

    for cls in (Scale, Regressor, AutoConfigured):
        cls.__module__ = "demo_models"
    return {"Scale": Scale, "Regressor": Regressor, "AutoConfigured": AutoConfigured}


def custom_cases(k, classes):
    Scale, Regressor, AutoConfigured = (classes["Scale"], classes["Regressor"],
                                        classes["AutoConfigured"])

    def functional_registered_layer():
        x = k.Input((4,), name="x")
        return k.Model(x, k.layers.Dense(1, name="out")(Scale(3.0, name="scale")(x)),
                       name="with_scale")

    def subclassed_get_config():
        return Regressor(units=5, name="regressor")

    def subclassed_auto_config():
        return AutoConfigured(name="auto")  # defaults: see the README on Keras 3.15's config

    return {"functional_registered_layer": functional_registered_layer,
            "subclassed_get_config": subclassed_get_config,
            "subclassed_auto_config": subclassed_auto_config}
