"""Writes the tf.keras 2 recurrent files of tests/golden/recurrent/ and the stateful fixture,
with REAL Keras. The test suite only reads what this writes; it never imports Keras or this
script. Run from the repository root with the TensorFlow virtualenv (`pip install
tensorflow-cpu tf-keras h5py`; it also brings Keras 3):

    /work/tfvenv/bin/python tests/golden/recurrent/make_recurrent_golden.py tfkeras
    /work/tfvenv/bin/python tests/golden/recurrent/make_recurrent_golden.py stateful
    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/recurrent/make_recurrent_golden.py \
        initial_state

`tfkeras` (tf.keras 2 through `tf_keras`): `sequence_model` (Embedding(mask_zero=True),
Bidirectional(LSTM), GRU with reset_after True and False, TimeDistributed(Dense), SimpleRNN,
LSTM, Dense) trained 2 epochs with Adam(0.01), saved as `tfkeras2_recurrent.h5` and
`tfkeras2_recurrent.keras`; `tfkeras2_recurrent.json` holds the data, the predictions on
padded (masked) and unpadded ids, the `.h5` weight names, the iteration count and the weights
after one more epoch (`fit(..., batch_size=3, epochs=1, shuffle=False)`).

`stateful`: `stateful_model` (a stateful LSTM and GRU with a fixed batch of 2) run by Keras 3
on the TensorFlow backend and by tf.keras 2 (each in its own process): `predict` over three
batches twice without a reset, `evaluate`, and `fit` with `shuffle=False`, with the states
after each, into `stateful.json` under `keras3_tensorflow` and `tfkeras2`. Keras 3 on JAX is
not used here: its trainer runs the model statelessly and drops the assignments to the state
variables (which it does not track), so its `predict`/`fit`/`evaluate` restart every batch from
zeros (see README.md).

`initial_state` (Keras 3 on JAX): `initial_state_model`, an Embedding(mask_zero=True) feeding
an LSTM and a Bidirectional(GRU) called with `initial_state=` symbolic inputs, with seeded
weights, saved as `keras3_initial_state.keras`; `masks_initial_state.json` holds its
predictions on padded ids, the same layers called eagerly without and with an explicit mask,
whether the symbolic outputs carry a mask, and the nodes' keyword arguments.
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
T, VOCAB = 7, 10
B_STATEFUL, T_STATEFUL, D_STATEFUL = 2, 3, 4


def import_keras(which):
    if which == "tfkeras2":
        os.environ["TF_USE_LEGACY_KERAS"] = "1"
        import tf_keras as keras
    else:
        os.environ.setdefault("KERAS_BACKEND", "tensorflow")
        import keras
    return keras


def sequence_model(keras):
    """The recurrent model of the `.h5`/`.keras` files, from a keras module (tf.keras 2 here,
    minikeras in the tests)."""
    layers = keras.layers
    return keras.Sequential([
        keras.Input((T,), dtype="int32"),
        layers.Embedding(VOCAB, 4, mask_zero=True),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.GRU(3, return_sequences=True),
        layers.GRU(3, reset_after=False, return_sequences=True),
        layers.TimeDistributed(layers.Dense(2)),
        layers.SimpleRNN(3, return_sequences=True),
        layers.LSTM(2),
        layers.Dense(1),
    ])


def stateful_model(keras):
    layers = keras.layers
    return keras.Sequential([
        keras.Input(batch_shape=(B_STATEFUL, T_STATEFUL, D_STATEFUL)),
        layers.LSTM(3, stateful=True, return_sequences=True),
        layers.GRU(2, stateful=True),
        layers.Dense(1),
    ])


def uniform(shape, seed, scale=1.0):
    import numpy as np

    return (np.random.RandomState(seed).uniform(-1, 1, size=shape) * scale).astype("float32")


def sequence_data():
    import numpy as np

    rng = np.random.default_rng(15)
    ids = rng.integers(1, VOCAB, (6, T)).astype("int32")
    ids[0, 4:] = 0  # padded at the end
    ids[1, :2] = 0  # padded at the start
    ids[2, 3] = 0  # a hole
    ids[3, :] = 0  # all padding
    ids[3, 0] = 5
    ids_unpadded = rng.integers(1, VOCAB, (4, T)).astype("int32")
    y = uniform((6, 1), 16)
    return ids, ids_unpadded, y


def initial_state_model(keras):
    """Token ids and four state inputs -> Embedding(mask_zero=True) -> an LSTM and a
    Bidirectional(GRU), each called with `initial_state=`."""
    layers = keras.layers
    ids = keras.Input((6,), dtype="int32", name="ids")
    h, c = keras.Input((3,), name="h"), keras.Input((3,), name="c")
    forward, backward = keras.Input((2,), name="forward"), keras.Input((2,), name="backward")
    embedded = layers.Embedding(VOCAB, 4, mask_zero=True, name="embedding")(ids)
    lstm = layers.LSTM(3, return_sequences=True, name="lstm")(embedded, initial_state=[h, c])
    gru = layers.Bidirectional(layers.GRU(2, return_sequences=True), name="bidirectional")(
        embedded, initial_state=[forward, backward])
    return keras.Model([ids, h, c, forward, backward], [lstm, gru])


def write(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, indent=1)
        f.write("\n")


def meta(keras):
    import importlib.metadata

    import numpy as np

    backend = keras.backend.backend() if hasattr(keras.backend, "backend") else "tensorflow"
    return {"keras": keras.__version__, "backend": backend,
            backend: importlib.metadata.version(backend), "numpy": np.__version__,
            "generated_by": "tests/golden/recurrent/make_recurrent_golden.py"}


def tfkeras():
    import h5py
    import numpy as np

    keras = import_keras("tfkeras2")
    keras.utils.set_random_seed(3)
    ids, ids_unpadded, y = sequence_data()
    model = sequence_model(keras)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    model.fit(ids, y, batch_size=3, epochs=2, shuffle=False, verbose=0)
    h5 = os.path.join(HERE, "tfkeras2_recurrent.h5")
    model.save(h5)
    model.save(os.path.join(HERE, "tfkeras2_recurrent.keras"))
    with h5py.File(h5) as f:
        weight_names = [n.decode() if isinstance(n, bytes) else n for layer in
                        f["model_weights"].attrs["layer_names"]
                        for n in f["model_weights"][layer].attrs["weight_names"]]
    entry = {"ids": ids.tolist(), "ids_unpadded": ids_unpadded.tolist(), "y": y.tolist(),
             "h5_weight_names": weight_names,
             "predict": model.predict(ids, verbose=0).tolist(),
             "predict_unpadded": model.predict(ids_unpadded, verbose=0).tolist(),
             "iterations": int(model.optimizer.iterations.numpy())}
    # Two loads: the `.keras` must restore what the `.h5` does.
    for name in ("tfkeras2_recurrent.h5", "tfkeras2_recurrent.keras"):
        loaded = keras.models.load_model(os.path.join(HERE, name))
        assert np.allclose(loaded.predict(ids, verbose=0), entry["predict"], atol=1e-6), name
    model.fit(ids, y, batch_size=3, epochs=1, shuffle=False, verbose=0)
    entry["weights_after_one_more_epoch"] = [w.tolist() for w in model.get_weights()]
    write("tfkeras2_recurrent.json", {"meta": meta(keras), **entry})


def initial_state():
    import numpy as np

    keras = import_keras("keras3")
    keras.utils.set_random_seed(4)
    model = initial_state_model(keras)
    model.set_weights([uniform(w.shape, 30 + i, 0.7) for i, w in enumerate(model.weights)])
    ids = np.array([[3, 1, 0, 0, 7, 2], [0, 2, 9, 4, 4, 0], [5, 6, 8, 1, 0, 0]], "int32")
    states = [uniform((3, 3), 40), uniform((3, 3), 41), uniform((3, 2), 42),
              uniform((3, 2), 43)]
    lstm_out, gru_out = model.predict([ids, *states], verbose=0)
    embedded = model.get_layer("embedding")(ids)
    mask = ids != 0
    lstm, gru = model.get_layer("lstm"), model.get_layer("bidirectional")
    nodes = {layer["name"]: layer["inbound_nodes"][0]["kwargs"]
             for layer in model.get_config()["layers"] if layer["name"] in ("lstm",
                                                                            "bidirectional")}
    model.save(os.path.join(HERE, "keras3_initial_state.keras"))
    out = {
        "meta": meta(keras), "ids": ids.tolist(), "states": [s.tolist() for s in states],
        "weights": [w.tolist() for w in model.get_weights()],
        "predict": [lstm_out.tolist(), gru_out.tolist()],
        "eager_unmasked": [np.asarray(lstm(embedded, initial_state=states[:2])).tolist(),
                           np.asarray(gru(embedded, initial_state=states[2:])).tolist()],
        "eager_explicit_mask": [
            np.asarray(lstm(embedded, initial_state=states[:2], mask=mask)).tolist(),
            np.asarray(gru(embedded, initial_state=states[2:], mask=mask)).tolist()],
        "symbolic_output_has_mask": [getattr(t, "_keras_mask", None) is not None
                                     for t in model.outputs],
        "node_kwargs": {name: sorted(kwargs) for name, kwargs in nodes.items()}}
    write("masks_initial_state.json", out)


def stateful_run(which):
    """What one Keras does with the stateful model: printed as JSON for `stateful()`."""
    import numpy as np

    keras = import_keras(which)
    n = 3 * B_STATEFUL
    x = uniform((n, T_STATEFUL, D_STATEFUL), 1)
    y = uniform((n, 1), 2)

    def fresh():
        model = stateful_model(keras)
        model.set_weights([uniform(w.shape, 10 + i, 0.6) for i, w in enumerate(model.weights)])
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        return model

    def states(model):
        return [np.asarray(s).tolist() for layer in model.layers[:2] for s in layer.states]

    model = fresh()
    out = {"meta": meta(keras), "x": x.tolist(), "y": y.tolist(),
           "initial_weights": [w.tolist() for w in model.get_weights()],
           "predict": model.predict(x, batch_size=B_STATEFUL, verbose=0).tolist(),
           "states_after_predict": states(model)}
    out["predict_again"] = model.predict(x, batch_size=B_STATEFUL, verbose=0).tolist()
    for layer in model.layers[:2]:
        layer.reset_states()
    out["predict_after_reset"] = model.predict(x, batch_size=B_STATEFUL, verbose=0).tolist()
    model = fresh()
    out["evaluate"] = model.evaluate(x, y, batch_size=B_STATEFUL, verbose=0)
    out["states_after_evaluate"] = states(model)
    model = fresh()
    history = model.fit(x, y, batch_size=B_STATEFUL, epochs=2, shuffle=False, verbose=0)
    out["fit_loss"] = history.history["loss"]
    out["weights_after_fit"] = [w.tolist() for w in model.get_weights()]
    out["states_after_fit"] = states(model)
    print(json.dumps(out))


def stateful():
    """Runs `stateful_run` for each Keras in a process of its own (tf.keras 2 and Keras 3
    cannot share one: TF_USE_LEGACY_KERAS is read at import)."""
    payload = {}
    for which in ("keras3_tensorflow", "tfkeras2"):
        result = subprocess.run([sys.executable, __file__, "stateful_run", which],
                                capture_output=True, text=True, check=True)
        payload[which] = json.loads(result.stdout.strip().splitlines()[-1])
    write("stateful.json", payload)


if __name__ == "__main__":
    if sys.argv[1] == "stateful_run":
        stateful_run(sys.argv[2])
    else:
        {"tfkeras": tfkeras, "stateful": stateful,
         "initial_state": initial_state}[sys.argv[1]]()
