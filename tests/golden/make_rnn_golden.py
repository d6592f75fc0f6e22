"""Regenerate tests/golden/rnn.json and tests/golden/recurrent/ with REAL Keras 3.

    KERAS_BACKEND=jax /work/kvenv/bin/python tests/golden/make_rnn_golden.py

The sequence layers (SimpleRNN, LSTM, GRU both ways, RNN over cells and stacked cells,
Bidirectional, TimeDistributed, Embedding, Masking): each case is a layer *spec* (class,
arguments, wrapped layer or cells) that the tests rebuild in minikeras, the input (`x: null`
is the default input `data((3, 5, 4), 1)`), an explicit `(batch, time)` mask or none, initial
states or none, the weights (weight `i` is `data(weight_shapes[i], weight_seed + i, 0.6)`,
set with `set_weights`; `data` draws from NumPy's RandomState, whose stream NumPy keeps
stable), and what Keras returns: the output(s) of an eager call,
`get_config()` (without the top-level name), the variables' paths, the symbolic output shape
and `compute_mask`. `stateful` records two successive calls of a stateful LSTM.

`recurrent/` holds model files Keras 3 wrote (`.keras`, `.h5`, `.weights.h5`) and what they
predict, for the loading tests. The suite never imports Keras or this script.
"""

import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_golden as mg  # noqa: E402  (number format and JSON layout of every fixture)

import keras  # noqa: E402
from keras import layers  # noqa: E402

META = {**mg.META, "generated_by": "tests/golden/make_rnn_golden.py"}
HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "recurrent")
B, T, D = 3, 5, 4
# Row 0 starts masked (Keras 3 JAX then outputs the initial state), row 2 ends masked.
MASK = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 1], [1, 1, 0, 1, 0]], bool)


def data(shape, seed, scale=1.0):
    return (np.random.RandomState(seed).uniform(-1, 1, size=shape) * scale).astype("float32")


def build(spec):
    """A Keras layer from a spec: `{'class', 'kwargs', 'layer'?, 'backward_layer'?, 'cell'?}`."""
    kwargs = dict(spec.get("kwargs", {}))
    for key in ("layer", "backward_layer"):
        if key in spec:
            kwargs[key] = build(spec[key])
    if "cell" in spec:
        cells = [build(c) for c in spec["cell"]]
        kwargs["cell"] = cells if len(cells) > 1 else cells[0]
    return getattr(layers, spec["class"])(**kwargs)


def outputs_of(result):
    if result is None:
        return None
    if isinstance(result, (list, tuple)):
        return [outputs_of(r) for r in result]
    return mg.tolist(mg.np_(result))


def shape_of(result):
    if isinstance(result, (list, tuple)):
        return [shape_of(r) for r in result]
    return list(result.shape)


def case(name, spec, x=None, mask=None, initial_state=None, seed=0):
    keras.backend.clear_session()  # canonical names: lstm, lstm_cell, forward_lstm...
    default_x = x is None
    x = data((B, T, D), 1) if x is None else x
    layer = build(spec)
    call_kwargs = {}
    if initial_state is not None:
        call_kwargs["initial_state"] = [keras.ops.convert_to_tensor(s) for s in initial_state]
    layer(x, **call_kwargs)  # builds
    weights = [data(w.shape, seed + 10 + i, 0.6) for i, w in enumerate(layer.weights)]
    layer.set_weights(weights)
    if mask is not None:
        call_kwargs["mask"] = keras.ops.convert_to_tensor(mask)
    out = layer(x, **call_kwargs)
    entry = {"name": name, "spec": spec, "x": None if default_x else mg.tolist(x),
             "x_dtype": str(x.dtype),
             "mask": None if mask is None else mask.astype(int).tolist(),
             "initial_state": None if initial_state is None else [mg.tolist(s) for s in
                                                                  initial_state],
             "weight_shapes": [list(w.shape) for w in weights], "weight_seed": seed + 10,
             "weight_paths": [w.path for w in layer.weights],
             "output": outputs_of(out),
             "keras_config": mg.kconfig(layer)}
    symbolic = build(spec)
    inp = keras.Input(batch_shape=(None,) + x.shape[1:], dtype=str(x.dtype))
    entry["symbolic_output_shape"] = shape_of(symbolic(inp))
    if mask is not None or spec["class"] in ("Embedding", "Masking"):
        computed = layer.compute_mask(x, None if mask is None else keras.ops.convert_to_tensor(
            mask))
        entry["compute_mask"] = (None if computed is None else outputs_of(computed))
    return entry


def recurrent_cases():
    cases = []
    states = {"SimpleRNN": 1, "LSTM": 2, "GRU": 1}
    for cls in ("SimpleRNN", "LSTM", "GRU"):
        u = 3
        h0 = [data((B, u), 40 + k, 0.8) for k in range(states[cls])]
        for rs in (False, True):
            for gb in (False, True):
                for masked in (False, True):
                    name = f"{cls.lower()}_rs{int(rs)}_gb{int(gb)}_mask{int(masked)}"
                    entry = case(name, {"class": cls, "kwargs": {
                        "units": u, "return_sequences": rs, "go_backwards": gb}},
                        mask=MASK if masked else None)
                    if rs or gb or masked:  # the same config but two booleans: keep one
                        del entry["keras_config"]
                    cases.append(entry)
        cases.append(case(f"{cls.lower()}_return_state_initial_state_masked", {
            "class": cls, "kwargs": {"units": u, "return_sequences": True,
                                     "return_state": True}},
            mask=MASK, initial_state=h0))
        cases.append(case(f"{cls.lower()}_return_state_last", {
            "class": cls, "kwargs": {"units": u, "return_state": True, "go_backwards": True}},
            initial_state=h0))
        cases.append(case(f"{cls.lower()}_relu_no_bias", {
            "class": cls, "kwargs": {"units": u, "activation": "relu", "use_bias": False,
                                     "return_sequences": True}}, mask=MASK))
        # An activation the primitives lack: minikeras runs its traced loop over the cell.
        cases.append(case(f"{cls.lower()}_elu_traced_loop", {
            "class": cls, "kwargs": {"units": u, "activation": "elu",
                                     "return_sequences": True}}, mask=MASK))
    cases.append(case("gru_reset_before", {"class": "GRU", "kwargs": {
        "units": 3, "reset_after": False, "return_sequences": True}}, mask=MASK))
    cases.append(case("gru_reset_before_backwards_last", {"class": "GRU", "kwargs": {
        "units": 3, "reset_after": False, "go_backwards": True}}))
    cases.append(case("lstm_hard_sigmoid_no_forget_bias", {"class": "LSTM", "kwargs": {
        "units": 3, "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False,
        "return_sequences": True}}, mask=MASK))
    cases.append(case("lstm_zero_output_for_mask", {"class": "LSTM", "kwargs": {
        "units": 3, "return_sequences": True, "zero_output_for_mask": True}}, mask=MASK))
    cases.append(case("rnn_lstm_cell", {"class": "RNN", "kwargs": {"return_sequences": True},
                                        "cell": [{"class": "LSTMCell", "kwargs": {"units": 3}}]},
                      mask=MASK))
    cases.append(case("rnn_stacked_cells", {
        "class": "RNN", "kwargs": {"return_sequences": True, "go_backwards": True},
        "cell": [{"class": "LSTMCell", "kwargs": {"units": 3}},
                 {"class": "GRUCell", "kwargs": {"units": 2}},
                 {"class": "SimpleRNNCell", "kwargs": {"units": 2}}]}, mask=MASK))
    cases.append(case("rnn_stacked_cells_return_state", {
        "class": "RNN", "kwargs": {"return_state": True},
        "cell": [{"class": "LSTMCell", "kwargs": {"units": 3}},
                 {"class": "GRUCell", "kwargs": {"units": 2}}]}))
    return cases


def wrapper_cases():
    lstm_seq = {"class": "LSTM", "kwargs": {"units": 3, "return_sequences": True,
                                            "name": "lstm"}}
    cases = []
    for mode in ("concat", "sum", "mul", "ave", None):
        for masked in (False, True):
            cases.append(case(f"bidirectional_{mode}_mask{int(masked)}", {
                "class": "Bidirectional", "kwargs": {"merge_mode": mode}, "layer": lstm_seq},
                mask=MASK if masked else None))
    cases.append(case("bidirectional_gru_last_masked", {
        "class": "Bidirectional", "kwargs": {},
        "layer": {"class": "GRU", "kwargs": {"units": 2, "name": "gru"}}}, mask=MASK))
    cases.append(case("bidirectional_return_state", {
        "class": "Bidirectional", "kwargs": {},
        "layer": {"class": "LSTM", "kwargs": {"units": 2, "return_state": True,
                                              "name": "lstm"}}},
        initial_state=[data((B, 2), 60 + k, 0.8) for k in range(4)]))
    cases.append(case("bidirectional_backward_layer", {
        "class": "Bidirectional", "kwargs": {},
        "layer": {"class": "SimpleRNN", "kwargs": {"units": 2, "name": "rnn_a"}},
        "backward_layer": {"class": "GRU", "kwargs": {"units": 3, "go_backwards": True,
                                                      "name": "rnn_b"}}}, mask=MASK))
    cases.append(case("time_distributed_dense", {
        "class": "TimeDistributed", "kwargs": {},
        "layer": {"class": "Dense", "kwargs": {"units": 2, "activation": "tanh",
                                               "name": "dense"}}}))
    return cases


def token_cases():
    ids = np.array([[3, 1, 0, 0, 7], [0, 2, 9, 4, 4], [5, 6, 8, 1, 0]], "int32")
    padded = data((B, T, D), 2)
    padded[0, 2:4] = 0.0
    padded[2, 0] = 0.0
    return [
        case("embedding", {"class": "Embedding", "kwargs": {"input_dim": 10, "output_dim": 4}},
             x=ids),
        case("embedding_mask_zero", {"class": "Embedding", "kwargs": {
            "input_dim": 10, "output_dim": 4, "mask_zero": True}}, x=ids),
        case("masking", {"class": "Masking", "kwargs": {"mask_value": 0.0}}, x=padded),
        case("masking_minus_one", {"class": "Masking", "kwargs": {"mask_value": -1.0}},
             x=np.where(padded == 0, -1.0, padded).astype("float32")),
    ]


def stateful_case():
    keras.backend.clear_session()
    layer = layers.LSTM(3, stateful=True, return_sequences=True)
    model = keras.Sequential([keras.Input(batch_shape=(B, T, D)), layer])
    weights = [data(w.shape, 90 + i, 0.6) for i, w in enumerate(layer.weights)]
    layer.set_weights(weights)
    x1, x2 = data((B, T, D), 91), data((B, T, D), 92)
    out1, out2 = mg.np_(layer(x1)), mg.np_(layer(x2))
    layer.reset_states()
    out3 = mg.np_(layer(x2))
    del model
    return {"weights": [mg.tolist(w) for w in weights], "x1": mg.tolist(x1),
            "x2": mg.tolist(x2), "first": mg.tolist(out1), "second": mg.tolist(out2),
            "after_reset": mg.tolist(out3)}


def saved_models():
    """Files Keras writes for a recurrent model, and what the model predicts."""
    os.makedirs(FILES, exist_ok=True)
    keras.backend.clear_session()
    keras.utils.set_random_seed(7)
    x = data((6, T, D), 5)
    y = data((6, 2), 6)
    model = keras.Sequential([
        keras.Input((T, D)),
        layers.Bidirectional(layers.LSTM(3, return_sequences=True)),
        layers.GRU(3, return_sequences=True, reset_after=False),
        layers.TimeDistributed(layers.Dense(2)),
        layers.SimpleRNN(2),
    ])
    model.compile(optimizer="adam", loss="mse")
    model.fit(x, y, epochs=2, batch_size=3, verbose=0)
    for ext in (".keras", ".h5", ".weights.h5"):
        path = os.path.join(FILES, "keras3_sequence" + ext)
        (model.save_weights if ext == ".weights.h5" else model.save)(path)
    ids = np.array([[3, 1, 0, 0, 7, 2], [0, 2, 9, 4, 4, 0], [5, 6, 8, 1, 0, 0]], "int32")
    text = keras.Sequential([keras.Input((6,), dtype="int32"),
                             layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3),
                             layers.Dense(1, activation="sigmoid")])
    text.save(os.path.join(FILES, "keras3_text.keras"))
    return {"x": mg.tolist(x), "predict": mg.tolist(model.predict(x, verbose=0)),
            "weight_paths": [w.path for w in model.weights],
            "text_ids": ids.tolist(), "text_predict": mg.tolist(text.predict(ids, verbose=0))}


def main():
    mg.META.update(META)
    mg.write_json("rnn.json", {"mask": MASK.astype(int).tolist(),
                               "cases": recurrent_cases() + wrapper_cases() + token_cases(),
                               "stateful": stateful_case(), "saved": saved_models()})


if __name__ == "__main__":
    main()
