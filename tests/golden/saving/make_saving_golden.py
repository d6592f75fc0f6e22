"""Writes the model files of tests/golden/saving/ with REAL Keras, and what each must predict.

The test suite only reads the files; it never imports Keras or this script. Run from the
repository root, each part with the interpreter that has that Keras (virtualenvs outside the
repository, never dependencies of minikeras):

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/saving/make_saving_golden.py keras3
    /work/tfvenv/bin/python tests/golden/saving/make_saving_golden.py tfkeras
    python tests/golden/saving/make_saving_golden.py keras22

`keras3` needs `pip install keras jax`; `tfkeras` needs `pip install tensorflow-cpu tf-keras`;
both also write the vision files (the models of vision_models.py, on `vision_data()`);
`keras22` only NumPy and h5py: Keras 2.2 cannot be installed on a current Python, so its files
are CONSTRUCTED here with h5py, following Keras 2.2.4's writer line by line
(keras/engine/saving.py `_serialize_model`, keras/utils/io_utils.py `H5Dict`, the layers' and
optimizers' `get_config`, `Network.get_config`), and their expected outputs are computed with
NumPy. They were not written by Keras 2.2.

Every part writes `expected_<part>.json`: for each file, the inputs, the predictions, the
optimizer state's iteration count, and, where the file carries optimizer state, the weights
after one more epoch of training (`fit(x, y, batch_size=8, epochs=1, shuffle=False)`; batches
of 4 for the vision CNN), which only match when the state was restored (iterations, moments
and their order). `keras3` also records whether Keras 3 itself can load the Keras 2.2 and
tf.keras 2 files (`keras3_loads`).
"""

import gzip
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vision_models  # noqa: E402 (the models, built from the keras module given)


def data():
    import numpy as np

    rng = np.random.default_rng(2024)
    x = rng.standard_normal((24, 4)).astype("float32")
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 24)]
    x_test = rng.standard_normal((6, 4)).astype("float32")
    return x, y, x_test


def vision_data():
    """The images (and a sequence and a volume) of the vision files: multiples of 1/4 in
    [-2, 2], exact in float32 and short in JSON."""
    import numpy as np

    rng = np.random.default_rng(2025)

    def values(shape):
        return (rng.integers(-8, 9, shape) / 4).astype("float32")

    x = values((16,) + vision_models.IMAGE)
    y = np.eye(3, dtype="float32")[rng.integers(0, 3, 16)]
    return {"x": x, "y": y, "x_test": values((4,) + vision_models.IMAGE),
            "sequence_test": values((4,) + vision_models.SEQUENCE),
            "volume_test": values((4,) + vision_models.VOLUME)}


def vision_inputs(data, model_key):
    arrays = [data[k] for k in vision_models.INPUTS[model_key]]
    return arrays[0] if len(arrays) == 1 else arrays


def randomize_weights(model, seed):
    """Non-trivial values for every weight of an untrained model (biases, gammas, betas and
    moving statistics included; variances positive), so a weight loaded into the wrong
    variable shows in the predictions."""
    import numpy as np

    rng = np.random.default_rng(seed)
    for variable in model.weights:
        shape = tuple(variable.shape)
        if "variance" in variable.name:
            value = rng.uniform(0.5, 1.5, shape)
        elif "gamma" in variable.name:
            value = rng.uniform(0.5, 1.5, shape)
        else:
            value = rng.normal(0.0, 0.4, shape)
        variable.assign(value.astype("float32"))


def vision_entry(model_key, predict, iterations=None):
    """The common fields of a vision file's expected entry: which model (vision_models), its
    inputs (keys of data_vision.json), and the batch size its training used."""
    return {"model": model_key, "data": "data_vision.json",
            "inputs": vision_models.INPUTS[model_key], "batch_size": 4,
            "predict": as_list(predict), "iterations": iterations}


def as_list(a):
    import numpy as np

    return np.asarray(a).tolist()


def write(name, payload, compact=False):
    with open(os.path.join(HERE, name), "w") as f:
        if compact:  # large arrays: one line
            json.dump(payload, f, sort_keys=True, separators=(",", ":"))
        else:
            json.dump(payload, f, indent=1, sort_keys=True)
        f.write("\n")


def branchless_functional(keras):
    """The functional model both Keras 3 and tf.keras 2 save (uncompiled, a dropout, named
    layers), built with the `keras` module given."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(2)
    inputs = keras.Input((4,), name="features")
    hidden = keras.layers.Dense(6, activation="tanh", name="hidden")(inputs)
    hidden = keras.layers.Dropout(0.3, name="drop")(hidden)
    outputs = keras.layers.Dense(2, name="logits")(hidden)
    return keras.Model(inputs, outputs, name="branchless")


# ---------------------------------------------------------------------------- Keras 3
def keras3():
    import jax
    import keras

    x, y, x_test = data()
    out = {"meta": {"keras": keras.__version__, "jax": jax.__version__,
                    "backend": keras.backend.backend(),
                    "generated_by": "tests/golden/saving/make_saving_golden.py keras3"},
           "files": {}}

    def mlp():
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="relu"),
                                  keras.layers.Dense(3, activation="softmax")], name="mlp")
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        return model

    model = mlp()
    model.save(os.path.join(HERE, "keras3_mlp.keras"))
    model.save(os.path.join(HERE, "keras3_mlp.h5"))
    model.save_weights(os.path.join(HERE, "keras3_mlp.weights.h5"))
    entry = {"predict": as_list(model.predict(x_test, verbose=0)),
             "iterations": int(model.optimizer.iterations)}
    model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    entry["weights_after_one_more_epoch"] = [as_list(w) for w in model.get_weights()]
    for name in ("keras3_mlp.keras", "keras3_mlp.h5", "keras3_mlp.weights.h5"):
        out["files"][name] = entry

    # A functional model with a dropout and named layers, uncompiled.
    functional = branchless_functional(keras)
    functional.save(os.path.join(HERE, "keras3_functional.keras"))
    out["files"]["keras3_functional.keras"] = {
        "predict": as_list(functional.predict(x_test, verbose=0)), "iterations": None}

    # The vision files (issue 14): the small CNN trained, with optimizer state...
    vision = vision_data()
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    cnn = vision_models.cnn(keras)
    cnn.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                metrics=["accuracy"])
    cnn.fit(vision["x"], vision["y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    cnn.save(os.path.join(HERE, "keras3_vision_cnn.keras"))
    cnn.save(os.path.join(HERE, "keras3_vision_cnn.h5"))
    cnn.save_weights(os.path.join(HERE, "keras3_vision_cnn.weights.h5"))
    entry = vision_entry("cnn", cnn.predict(vision["x_test"], verbose=0),
                         int(cnn.optimizer.iterations))
    entry["moving_mean"] = as_list(cnn.get_layer("bn").moving_mean)
    entry["moving_variance"] = as_list(cnn.get_layer("bn").moving_variance)
    cnn.fit(vision["x"], vision["y"], batch_size=4, epochs=1, shuffle=False, verbose=0)
    entry["weights_after_one_more_epoch"] = [as_list(w) for w in cnn.get_weights()]
    for name in ("keras3_vision_cnn.keras", "keras3_vision_cnn.h5",
                 "keras3_vision_cnn.weights.h5"):
        out["files"][name] = entry
    # ... and the two layer zoos, uncompiled, every weight set to random values.
    for key, seed in (("zoo_2d", 11), ("zoo_1d3d", 12)):
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        zoo = vision_models.BUILDERS[key](keras)
        randomize_weights(zoo, seed)
        predict = zoo.predict(vision_inputs(vision, key), verbose=0)
        zoo.save(os.path.join(HERE, f"keras3_vision_{key}.keras"))
        zoo.save(os.path.join(HERE, f"keras3_vision_{key}.h5"))
        zoo.save_weights(os.path.join(HERE, f"keras3_vision_{key}.weights.h5"))
        for suffix in (".keras", ".h5", ".weights.h5"):
            out["files"][f"keras3_vision_{key}{suffix}"] = vision_entry(key, predict)
    write("data_vision.json", {**{k: as_list(v) for k, v in vision.items()},
                               "note": "vision_data() of make_saving_golden.py: NumPy "
                                       "default_rng(2025), multiples of 1/4, float32"},
          compact=True)

    # Can Keras 3 itself load the files of the other writers? (made by the other parts first)
    others = {}
    for part in ("tfkeras", "keras22"):
        if os.path.exists(os.path.join(HERE, f"expected_{part}.json")):
            with open(os.path.join(HERE, f"expected_{part}.json")) as f:
                others.update(json.load(f)["files"])
    out["keras3_loads"] = {}
    for name in sorted(os.listdir(HERE)):
        if name.endswith((".h5", ".keras")) and not name.startswith("keras3") and \
                not name.endswith(".weights.h5") and "weights" not in name:
            model_key = others.get(name, {}).get("model")
            inputs = x_test if model_key is None else vision_inputs(vision, model_key)
            try:
                loaded = keras.models.load_model(os.path.join(HERE, name))
                outcome = {"loaded": True,
                           "predict": as_list(loaded.predict(inputs, verbose=0))}
                if getattr(loaded, "optimizer", None) is not None:
                    outcome["learning_rate"] = float(loaded.optimizer.learning_rate)
            except Exception as e:  # what Keras 3 does with it is the point
                outcome = {"loaded": False, "error": f"{type(e).__name__}: {e}"[:400]}
            out["keras3_loads"][name] = outcome
    write("expected_keras3.json", out)


# ---------------------------------------------------------------------------- tf.keras 2
def tfkeras():
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tf_keras as keras

    x, y, x_test = data()
    out = {"meta": {"tf_keras": keras.__version__, "tensorflow": tf.__version__,
                    "generated_by": "tests/golden/saving/make_saving_golden.py tfkeras"},
           "files": {}}

    def train_and_save(name, optimizer, save_weights_too=None):
        keras.backend.clear_session()
        keras.utils.set_random_seed(1)
        model = keras.Sequential([keras.layers.Dense(5, activation="relu", input_shape=(4,)),
                                  keras.layers.Dense(3, activation="softmax")])
        model.compile(optimizer=optimizer, loss="categorical_crossentropy",
                      metrics=["accuracy"])
        model.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0)
        model.save(os.path.join(HERE, name))
        if save_weights_too:
            model.save_weights(os.path.join(HERE, save_weights_too))
        iterations = int(model.optimizer.iterations.numpy())
        entry = {"predict": as_list(model.predict(x_test, verbose=0)), "iterations": iterations}
        model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
        entry["weights_after_one_more_epoch"] = [as_list(w) for w in model.get_weights()]
        out["files"][name] = entry
        if save_weights_too:
            out["files"][save_weights_too] = {"predict": entry["predict"], "iterations": None}

    train_and_save("tfkeras2_mlp.h5", keras.optimizers.Adam(0.01),
                   save_weights_too="tfkeras2_mlp_weights.h5")
    train_and_save("tfkeras2_mlp_rmsprop.h5",
                   keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True))
    train_and_save("tfkeras2_mlp_legacy_sgd.h5",
                   keras.optimizers.legacy.SGD(0.05, momentum=0.9))

    functional = branchless_functional(keras)
    functional.save(os.path.join(HERE, "tfkeras2_functional.h5"))
    out["files"]["tfkeras2_functional.h5"] = {
        "predict": as_list(functional.predict(x_test, verbose=0)), "iterations": None}

    # The vision files (issue 14): the small CNN trained with Adam, as .h5 (with the optimizer
    # state), save_weights' .h5 and tf.keras 2's own .keras; the two layer zoos as .h5.
    vision = vision_data()
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    cnn = vision_models.cnn(keras)
    cnn.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy",
                metrics=["accuracy"])
    cnn.fit(vision["x"], vision["y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    cnn.save(os.path.join(HERE, "tfkeras2_vision_cnn.h5"))
    cnn.save_weights(os.path.join(HERE, "tfkeras2_vision_cnn_weights.h5"))
    cnn.save(os.path.join(HERE, "tfkeras2_vision_cnn.keras"))
    entry = vision_entry("cnn", cnn.predict(vision["x_test"], verbose=0),
                         int(cnn.optimizer.iterations.numpy()))
    entry["moving_mean"] = as_list(cnn.get_layer("bn").moving_mean.numpy())
    entry["moving_variance"] = as_list(cnn.get_layer("bn").moving_variance.numpy())
    weights_only = dict(entry, iterations=None)
    cnn.fit(vision["x"], vision["y"], batch_size=4, epochs=1, shuffle=False, verbose=0)
    entry["weights_after_one_more_epoch"] = [as_list(w) for w in cnn.get_weights()]
    out["files"]["tfkeras2_vision_cnn.h5"] = entry
    out["files"]["tfkeras2_vision_cnn.keras"] = entry
    out["files"]["tfkeras2_vision_cnn_weights.h5"] = weights_only
    for key, seed in (("zoo_2d", 11), ("zoo_1d3d", 12)):
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        zoo = vision_models.BUILDERS[key](keras)
        randomize_weights(zoo, seed)
        zoo.save(os.path.join(HERE, f"tfkeras2_vision_{key}.h5"))
        out["files"][f"tfkeras2_vision_{key}.h5"] = vision_entry(
            key, zoo.predict(vision_inputs(vision, key), verbose=0))
    write("expected_tfkeras.json", out)


# ---------------------------------------------------------------------------- Keras 2.2
def keras22():
    """Files as Keras 2.2.4 (TensorFlow backend, h5py 2.x) wrote them, built by hand."""
    import h5py
    import numpy as np

    x, y, x_test = data()
    rng = np.random.default_rng(22)
    out = {"meta": {"constructed_as": "Keras 2.2.4, TensorFlow backend, h5py 2.x",
                    "h5py_used": h5py.__version__, "numpy": np.__version__,
                    "generated_by": "tests/golden/saving/make_saving_golden.py keras22"},
           "files": {}}

    def variance_scaling():  # 2.2.4's glorot_uniform is VarianceScaling(1, fan_avg, uniform)
        return {"class_name": "VarianceScaling",
                "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
                           "seed": None}}

    def dense(name, units, activation, first=False):
        config = {"name": name, "trainable": True}
        if first:  # Layer.get_config: batch_input_shape and dtype only where given
            config.update(batch_input_shape=[None, 4], dtype="float32")
        config.update(units=units, activation=activation, use_bias=True,
                      kernel_initializer=variance_scaling(),
                      bias_initializer={"class_name": "Zeros", "config": {}},
                      kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                      kernel_constraint=None, bias_constraint=None)
        return {"class_name": "Dense", "config": config}

    def write_file(name, model_config, training_config, layers, optimizer_weights):
        """`_serialize_model` through `H5Dict.__setitem__`: bytes attributes, `layer_names`
        and `weight_names` as lists of bytes (split into name0, name1... past 64512 bytes),
        one dataset per weight at its TF name."""
        limit = 64512

        def names_attr(group, attr, strings):
            val = [s.encode("utf8") for s in strings]  # H5Dict gets lists of bytes
            if not val:
                group.attrs[attr] = val
                return
            data_npy = np.asarray(val)
            chunks = 1
            while any(c.nbytes > limit for c in np.array_split(data_npy, chunks)):
                chunks += 1
            if chunks > 1:
                for chunk_id, chunk_data in enumerate(np.array_split(data_npy, chunks)):
                    group.attrs["%s%d" % (attr, chunk_id)] = chunk_data
            else:
                group.attrs[attr] = val

        with h5py.File(os.path.join(HERE, name), "w") as f:
            # The same Python values H5Dict handed to h5py; h5py 3 stores bytes as
            # variable-length strings (h5py 2.x may have chosen fixed-length ones).
            f.attrs["keras_version"] = b"2.2.4"
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = json.dumps(model_config).encode("utf-8")
            weights = f.create_group("model_weights")
            names_attr(weights, "layer_names", [layer for layer, _ in layers])
            weights.attrs["backend"] = b"tensorflow"
            weights.attrs["keras_version"] = b"2.2.4"
            for layer, values in layers:
                group = weights.create_group(layer)
                names_attr(group, "weight_names", [n for n, _ in values])
                for weight_name, value in values:
                    group.create_dataset(weight_name, value.shape, dtype=value.dtype)[...] = value
            if training_config is not None:
                f.attrs["training_config"] = json.dumps(training_config).encode("utf8")
            if optimizer_weights:
                group = f.create_group("optimizer_weights")
                names_attr(group, "weight_names", [n for n, _ in optimizer_weights])
                for weight_name, value in optimizer_weights:
                    dataset = group.create_dataset(weight_name, value.shape, dtype=value.dtype)
                    dataset[()] = value

    def glorot(shape):
        limit = np.sqrt(6.0 / sum(shape))
        return rng.uniform(-limit, limit, shape).astype("float32")

    def relu(a):
        return np.maximum(a, 0)

    def softmax(a):
        e = np.exp(a - a.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    # --- A Sequential MLP (no Dropout: training is compared) compiled with Adam(lr=0.01) and
    # trained: its Adam state in 2.2.4's layout ([iterations] + ms + vs + vhats; vhats are (1,)
    # placeholders without amsgrad).
    k1, b1 = glorot((4, 5)), (rng.standard_normal(5) * 0.1).astype("float32")
    k2, b2 = glorot((5, 3)), (rng.standard_normal(3) * 0.1).astype("float32")
    params = [k1, b1, k2, b2]
    iterations = 6
    ms = [(rng.standard_normal(p.shape) * 0.01).astype("float32") for p in params]
    vs = [(rng.random(p.shape) * 1e-4 + 1e-6).astype("float32") for p in params]
    model_config = {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
        dense("dense_1", 5, "relu", first=True), dense("dense_2", 3, "softmax")]}}
    training_config = {
        "optimizer_config": {"class_name": "Adam", "config": {
            "lr": float(np.float32(0.01)), "beta_1": float(np.float32(0.9)),
            "beta_2": float(np.float32(0.999)), "decay": 0.0, "epsilon": 1e-07,
            "amsgrad": False}},
        "loss": "categorical_crossentropy", "metrics": ["accuracy"],
        "sample_weight_mode": None, "loss_weights": None}
    # TF variable names: K.zeros() without a name is 'Variable', '_1', ... under training/Adam.
    slot_names = [f"training/Adam/Variable{'' if i == 0 else '_%d' % i}:0" for i in range(12)]
    optimizer_weights = ([("Adam/iterations:0", np.array(iterations, dtype="int64"))]
                         + list(zip(slot_names[:4], ms)) + list(zip(slot_names[4:8], vs))
                         + [(n, np.zeros(1, "float32")) for n in slot_names[8:]])
    layers = [("dense_1", [("dense_1/kernel:0", k1), ("dense_1/bias:0", b1)]),
              ("dense_2", [("dense_2/kernel:0", k2), ("dense_2/bias:0", b2)])]
    write_file("keras22_mlp_constructed.h5", model_config, training_config, layers,
               optimizer_weights)

    def forward(p, inputs):
        return softmax(relu(inputs @ p[0] + p[1]) @ p[2] + p[3])

    def one_epoch_adam(p, m, v, t):
        """Keras 2.2.4's Adam on categorical cross-entropy, batches of 8, in float64."""
        p = [a.astype("float64") for a in p]
        m = [a.astype("float64") for a in m]
        v = [a.astype("float64") for a in v]
        for start in range(0, len(x), 8):
            xb, yb = x[start:start + 8].astype("float64"), y[start:start + 8]
            h = relu(xb @ p[0] + p[1])
            probs = softmax(h @ p[2] + p[3])
            d_logits = (probs - yb) / len(xb)
            d_h = (d_logits @ p[2].T) * (h > 0)
            grads = [xb.T @ d_h, d_h.sum(0), h.T @ d_logits, d_logits.sum(0)]
            t += 1
            lr_t = 0.01 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
            for i, g in enumerate(grads):
                m[i] = 0.9 * m[i] + 0.1 * g
                v[i] = 0.999 * v[i] + 0.001 * g * g
                p[i] = p[i] - lr_t * m[i] / (np.sqrt(v[i]) + 1e-7)
        return p

    out["files"]["keras22_mlp_constructed.h5"] = {
        "predict": as_list(forward(params, x_test).astype("float32")),
        "iterations": iterations,
        "weights_after_one_more_epoch": [as_list(a) for a in
                                         one_epoch_adam(params, ms, vs, iterations)],
        "weights_after_one_more_epoch_computed_in": "float64 NumPy, Keras 2.2.4's Adam"}

    # --- A functional model (class_name "Model", 2.2.4's node lists), SGD with lr/momentum.
    k3, b3 = glorot((4, 6)), (rng.standard_normal(6) * 0.1).astype("float32")
    k4, b4 = glorot((6, 2)), (rng.standard_normal(2) * 0.1).astype("float32")
    functional_config = {"class_name": "Model", "config": {
        "name": "model_1",
        "layers": [
            {"name": "input_1", "class_name": "InputLayer",
             "config": {"batch_input_shape": [None, 4], "dtype": "float32", "sparse": False,
                        "name": "input_1"}, "inbound_nodes": []},
            {"name": "dense_3", "class_name": "Dense",
             "config": dense("dense_3", 6, "tanh")["config"],
             "inbound_nodes": [[["input_1", 0, 0, {}]]]},
            {"name": "dropout_2", "class_name": "Dropout",
             "config": {"name": "dropout_2", "trainable": True, "rate": 0.3,
                        "noise_shape": None, "seed": None},
             "inbound_nodes": [[["dense_3", 0, 0, {}]]]},
            {"name": "dense_4", "class_name": "Dense",
             "config": dense("dense_4", 2, "linear")["config"],
             "inbound_nodes": [[["dropout_2", 0, 0, {}]]]}],
        "input_layers": [["input_1", 0, 0]],
        "output_layers": [["dense_4", 0, 0]]}}
    sgd = {"optimizer_config": {"class_name": "SGD", "config": {
        "lr": float(np.float32(0.05)), "momentum": float(np.float32(0.9)), "decay": 0.0,
        "nesterov": False}}, "loss": "mse", "metrics": [], "sample_weight_mode": None,
        "loss_weights": None}
    moments = [np.zeros(a.shape, "float32") for a in (k3, b3, k4, b4)]
    sgd_weights = ([("SGD/iterations:0", np.array(0, dtype="int64"))]
                   + list(zip(slot_names[:4], [mm.copy() for mm in moments])))
    write_file("keras22_functional_constructed.h5", functional_config, sgd,
               [("input_1", []),
                ("dense_3", [("dense_3/kernel:0", k3), ("dense_3/bias:0", b3)]),
                ("dropout_2", []),
                ("dense_4", [("dense_4/kernel:0", k4), ("dense_4/bias:0", b4)])],
               sgd_weights)
    out["files"]["keras22_functional_constructed.h5"] = {
        "predict": as_list((np.tanh(x_test @ k3 + b3) @ k4 + b4).astype("float32")),
        "iterations": 0}

    # --- Long layer names (a deep model's names run past 64 KB): `layer_names` and a layer's
    # `weight_names` split into name0, name1, ... attributes, as H5Dict splits them.
    long_names = ["dense_%d_%s" % (i, "x" * 33000) for i in (5, 6)]
    k5, b5 = glorot((4, 3)), np.zeros(3, "float32")
    k6, b6 = glorot((3, 2)), np.zeros(2, "float32")
    config = {"class_name": "Sequential", "config": {"name": "sequential_2", "layers": [
        dense(long_names[0], 3, "relu", first=True), dense(long_names[1], 2, "linear")]}}
    write_file("keras22_long_names_constructed.h5", config, None,  # gzipped below
               [(long_names[0], [(long_names[0] + "/kernel:0", k5),
                                 (long_names[0] + "/bias:0", b5)]),
                (long_names[1], [(long_names[1] + "/kernel:0", k6),
                                 (long_names[1] + "/bias:0", b6)])], [])
    # 450 KB of repeated names: committed gzipped (the tests unpack it into a temporary file).
    path = os.path.join(HERE, "keras22_long_names_constructed.h5")
    with open(path, "rb") as f, open(path + ".gz", "wb") as g:
        g.write(gzip.compress(f.read(), mtime=0))
    os.remove(path)
    out["files"]["keras22_long_names_constructed.h5.gz"] = {
        "predict": as_list((relu(x_test @ k5 + b5) @ k6 + b6).astype("float32")),
        "iterations": None}
    write("expected_keras22.json", out)
    write("data.json", {"x": as_list(x), "y": as_list(y), "x_test": as_list(x_test),
                        "note": "data() of make_saving_golden.py: NumPy default_rng(2024), "
                                "float32; every part trains and predicts on these"})


if __name__ == "__main__":
    parts = {"keras3": keras3, "tfkeras": tfkeras, "keras22": keras22}
    if len(sys.argv) != 2 or sys.argv[1] not in parts:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(parts)}}}")
    parts[sys.argv[1]]()
