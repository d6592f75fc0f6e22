"""Model configs as tf.keras 2 and Keras 2 wrote them (`model.to_json()`, the `model_config`
attribute of their `.h5` files), written by hand from their documented layout: tf.keras 2
cannot be installed next to Keras 3 here. `null`/`true`/`false` are JSON's: each config is the
JSON text those versions wrote.
"""

import json

GLOROT = '{"class_name": "GlorotUniform", "config": {"seed": null}}'
ZEROS = '{"class_name": "Zeros", "config": {}}'


def dense(name, units, activation="linear", extra=""):
    """A tf.keras 2 Dense layer config (dtype a string, no Keras 3 keys)."""
    return (f'{{"name": "{name}", "trainable": true, {extra}"dtype": "float32", "units": {units}, '
            f'"activation": "{activation}", "use_bias": true, "kernel_initializer": {GLOROT}, '
            f'"bias_initializer": {ZEROS}, "kernel_regularizer": null, "bias_regularizer": '
            f'null, "activity_regularizer": null, "kernel_constraint": null, "bias_constraint": '
            f'null}}')


def input_layer(name, shape):
    return (f'{{"batch_input_shape": {json.dumps([None] + list(shape))}, "dtype": "float32", '
            f'"sparse": false, "ragged": false, "name": "{name}"}}')


# tf.keras 2.4 - 2.12 `Sequential([Dense(3, relu, input_shape=(4,)), Dropout(0.5),
# Dense(2, softmax)]).to_json()`: the InputLayer entry, and `batch_input_shape` on the first layer.
TF2_SEQUENTIAL = f'''{{"class_name": "Sequential", "config": {{"name": "sequential", "layers": [
  {{"class_name": "InputLayer", "config": {input_layer("dense_input", (4,))}}},
  {{"class_name": "Dense", "config": {dense("dense", 3, "relu", '"batch_input_shape": [null, 4], ')}}},
  {{"class_name": "Dropout", "config": {{"name": "dropout", "trainable": true, "dtype": "float32",
    "rate": 0.5, "noise_shape": null, "seed": null}}}},
  {{"class_name": "Dense", "config": {dense("dense_1", 2, "softmax")}}}]}},
 "keras_version": "2.11.0", "backend": "tensorflow"}}'''

# tf.keras 2 functional model: two inputs, a layer shared by both (nodes 0 and 1), Keras 2's
# inbound node lists `[[[layer, node, tensor, kwargs]]]`, outputs always a list of entries.
TF2_FUNCTIONAL = f'''{{"class_name": "Functional", "config": {{"name": "two_inputs", "layers": [
  {{"class_name": "InputLayer", "config": {input_layer("a", (4,))}, "name": "a",
    "inbound_nodes": []}},
  {{"class_name": "InputLayer", "config": {input_layer("b", (4,))}, "name": "b",
    "inbound_nodes": []}},
  {{"class_name": "Dense", "config": {dense("shared", 4)}, "name": "shared",
    "inbound_nodes": [[["a", 0, 0, {{}}]], [["b", 0, 0, {{}}]]]}},
  {{"class_name": "Activation", "config": {{"name": "act", "trainable": true, "dtype": "float32",
    "activation": "tanh"}}, "name": "act", "inbound_nodes": [[["shared", 1, 0, {{}}]]]}},
  {{"class_name": "Dense", "config": {dense("head", 2)}, "name": "head",
    "inbound_nodes": [[["shared", 0, 0, {{}}]]]}}],
 "input_layers": [["a", 0, 0], ["b", 0, 0]],
 "output_layers": [["head", 0, 0], ["act", 0, 0]]}},
 "keras_version": "2.11.0", "backend": "tensorflow"}}'''

# tf.keras 2: one input, one output, still written as lists of one entry; a Dropout called
# with `training=True` keeps the call's kwargs in its node entry.
TF2_SINGLE_OUTPUT = f'''{{"class_name": "Functional", "config": {{"name": "model", "layers": [
  {{"class_name": "InputLayer", "config": {input_layer("x", (4,))}, "name": "x",
    "inbound_nodes": []}},
  {{"class_name": "Dropout", "config": {{"name": "drop", "trainable": true, "dtype": "float32",
    "rate": 0.5, "noise_shape": null, "seed": null}}, "name": "drop",
    "inbound_nodes": [[["x", 0, 0, {{"training": true}}]]]}},
  {{"class_name": "Dense", "config": {dense("out", 1)}, "name": "out",
    "inbound_nodes": [[["drop", 0, 0, {{}}]]]}}],
 "input_layers": [["x", 0, 0]], "output_layers": [["out", 0, 0]]}},
 "keras_version": "2.11.0", "backend": "tensorflow"}}'''

# tf.keras 2 nested models: a functional model and a Sequential (with its input) used as layers.
# tf.keras 2 counted a nested model's own graph as its node 0, so its first call is node 1.
TF2_NESTED = f'''{{"class_name": "Functional", "config": {{"name": "outer", "layers": [
  {{"class_name": "InputLayer", "config": {input_layer("x", (4,))}, "name": "x",
    "inbound_nodes": []}},
  {{"class_name": "Functional", "config": {{"name": "inner", "layers": [
      {{"class_name": "InputLayer", "config": {input_layer("inner_in", (4,))},
        "name": "inner_in", "inbound_nodes": []}},
      {{"class_name": "Dense", "config": {dense("inner_dense", 3)}, "name": "inner_dense",
        "inbound_nodes": [[["inner_in", 0, 0, {{}}]]]}}],
    "input_layers": [["inner_in", 0, 0]], "output_layers": [["inner_dense", 0, 0]]}},
    "name": "inner", "inbound_nodes": [[["x", 0, 0, {{}}]]]}},
  {{"class_name": "Sequential", "config": {{"name": "seq", "layers": [
      {{"class_name": "InputLayer", "config": {input_layer("seq_in", (3,))}}},
      {{"class_name": "Dense", "config": {dense("seq_dense", 2)}}}]}},
    "name": "seq", "inbound_nodes": [[["inner", 1, 0, {{}}]]]}}],
 "input_layers": [["x", 0, 0]], "output_layers": [["seq", 1, 0], ["inner", 1, 0]]}},
 "keras_version": "2.11.0", "backend": "tensorflow"}}'''

# tf.keras 2.13+ wrote `module` and `registered_name` next to each layer's config.
TF213_SEQUENTIAL = f'''{{"class_name": "Sequential", "config": {{"name": "sequential",
 "layers": [
  {{"module": "keras.layers", "class_name": "InputLayer", "config": {input_layer("in", (4,))},
    "registered_name": null}},
  {{"module": "keras.layers", "class_name": "Dense", "config": {dense("dense", 3, "relu")},
    "registered_name": null, "build_config": {{"input_shape": [null, 4]}}}}]}},
 "keras_version": "2.13.1", "backend": "tensorflow"}}'''

# Keras 2.2.4: a Sequential's config is the bare list of its layers; initializers are
# `VarianceScaling` configs; the functional class is `Model`.
KERAS22_SEQUENTIAL = '''{"class_name": "Sequential", "config": [
  {"class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
   "batch_input_shape": [null, 4], "dtype": "float32", "units": 3, "activation": "relu",
   "use_bias": true, "kernel_initializer": {"class_name": "VarianceScaling", "config": {
     "scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": null}},
   "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": null,
   "bias_regularizer": null, "activity_regularizer": null, "kernel_constraint": null,
   "bias_constraint": null}},
  {"class_name": "Dense", "config": {"name": "dense_2", "trainable": true, "units": 1,
   "activation": "linear", "use_bias": true, "kernel_initializer": {"class_name":
   "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
   "seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
   "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
   "kernel_constraint": null, "bias_constraint": null}}],
 "keras_version": "2.2.4", "backend": "tensorflow"}'''

KERAS22_MODEL = '''{"class_name": "Model", "config": {"name": "model_1", "layers": [
  {"name": "input_1", "class_name": "InputLayer", "config": {"batch_input_shape": [null, 4],
   "dtype": "float32", "sparse": false, "name": "input_1"}, "inbound_nodes": []},
  {"name": "dense_1", "class_name": "Dense", "config": {"name": "dense_1", "trainable": true,
   "units": 2, "activation": "sigmoid", "use_bias": true, "kernel_initializer": {"class_name":
   "VarianceScaling", "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform",
   "seed": null}}, "bias_initializer": {"class_name": "Zeros", "config": {}},
   "kernel_regularizer": null, "bias_regularizer": null, "activity_regularizer": null,
   "kernel_constraint": null, "bias_constraint": null}, "inbound_nodes": [[["input_1", 0, 0,
   {}]]]}],
 "input_layers": [["input_1", 0, 0]], "output_layers": [["dense_1", 0, 0]]},
 "keras_version": "2.2.4", "backend": "tensorflow"}'''


def lambda_layer(function, function_type):
    """tf.keras 2's Lambda config: a lambda is `[base64 bytecode, defaults, closure]` with
    `function_type: 'lambda'`; a named function its name with `function_type: 'function'`."""
    return (f'{{"class_name": "Lambda", "config": {{"name": "lam", "trainable": true, '
            f'"dtype": "float32", "function": {json.dumps(function)}, "function_type": '
            f'"{function_type}", "module": "__main__", "output_shape": null, '
            f'"output_shape_type": "raw", "output_shape_module": null, "arguments": {{}}}}}}')


TF2_LAMBDA_BYTECODE = lambda_layer(["4wEAAAAAAAAAAAAAAAEAAAACAAAAQwAAAHMIAAAAfABkARQAUwCpAk7pAgAAAKkA", None,
                                    None], "lambda")
TF2_LAMBDA_NAMED = lambda_layer("double", "function")

# tf.keras 2 user layer, unregistered and registered (`'Package>Name'` as the class name).
TF2_CUSTOM = '''{"class_name": "Scale", "config": {"name": "scale", "trainable": true,
  "dtype": "float32", "factor": 3.0}}'''
TF2_CUSTOM_REGISTERED = '''{"class_name": "Demo>Scale", "config": {"name": "scale",
  "trainable": true, "dtype": "float32", "factor": 3.0}}'''

# tf.keras 2.4+ mixed precision: the dtype is a `Policy` config.
TF2_MIXED_PRECISION_DENSE = ('{"class_name": "Dense", "config": ' + dense("d", 2).replace(
    '"dtype": "float32"', '"dtype": {"class_name": "Policy", "config": {"name": "mixed_float16"}}')
    + '}')
