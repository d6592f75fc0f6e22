"""Neural-network primitives with hand-written VJPs: the hot path of every training step.

One module per family: `dense` (the fully connected product), `bias_activation` (the fused
bias + activation epilogue that products share, and `relu`), `softmax` (softmax, log-softmax
and the fused softmax cross-entropy), `reduce` (`mean_all`), `conv` (N-D convolution and its
transpose); later `pool`, `normalization`; the recurrences `rnn` (their shared machinery and
`simple_rnn`), `lstm`, `gru`, and `embedding` (a gather with a scatter-add gradient). Every
name is re-exported here, so `from minikeras.ops import nn; nn.dense(...)` and
`from minikeras.ops.nn import dense` both work.

The contract every primitive in this package keeps (and `tests/ops/gradcheck.py` checks):

1. **float32 in, float32 out.** A primitive returns the dtype of its floating inputs and
   never promotes (no float64 scalars, no `np.mean`'s int64 divisor): a model built with
   `floatx() == 'float32'` stays float32 through the forward and the backward pass. Given
   float64 inputs it computes in float64 (what the gradient checks use).
2. **Never write into an input.** The arrays a step receives come from
   `variables.read_arrays` and are the Variables' own arrays, shared with the optimizer, the
   metrics and the user; a cotangent `g` may be another primitive's output too. In-place work
   (`out=`, `+=`) is only for arrays the primitive allocated itself in the same call.
3. **Gradients only for the requested arguments.** Primitives register their VJP with
   `defvjp_argnums` (or `defvjp` with one function per argument), and compute the gradient of
   an argument only when its index is in `argnums`: a first layer never computes the gradient
   of its input batch. A gradient has its argument's shape and dtype.
4. **What a VJP closure may keep:** the primitive's inputs and its output (`ans`), and arrays
   derived from them during the forward pass that the backward pass needs (e.g. a window
   view, a max-pool's argmax), nothing else. No module-level caches keyed by `id(...)` of an
   array (ids are reused once an array is freed), no state that outlives the step. A buffer
   reused between calls is private to one module, never handed out where a caller may keep
   it, and never aliased by a returned array.
5. **Masks.** A sequence mask is a `(batch, time)` boolean array (what `Embedding(mask_zero=
   True)` and `Masking` compute; True = the step holds data), passed to a primitive as the
   keyword argument `mask=` (never positionally, never differentiated; 0/1 numbers are read
   as booleans). Aligned with the input's time axis as given: a primitive that reads the
   sequence backwards (`go_backwards`) reads the mask backwards too. A recurrent primitive
   *skips* a masked step, as Keras does: every state is carried over unchanged and the step's
   output is the carried output (the first state; Keras 3 JAX's rule, so a sequence that
   starts masked outputs its initial state), or zeros with `zero_output_for_mask=True`. A
   masked step receives no gradient: its inputs and the weights get exactly zero from it,
   and the cotangent of a carried state passes through it unchanged to the step before.
   A primitive that has no time axis ignores masks; layers decide what to do with them
   (`compute_mask`).

   How masks travel between layers (Keras 3's rules; `minikeras/keras_mask.py`,
   `Layer.__call__`): a mask is attached to the tensor it describes, as `_keras_mask` on an
   eager `Tensor` or a symbolic `KerasTensor`, and in the open `MaskScope` for plain arrays
   and traced values (one scope per outermost call or training step; it holds each value
   with its mask and ends with the call). `__call__` reads the first input's mask (an
   explicit `mask=` wins), passes it to `call` when `call` takes `mask` and the call has one
   tensor argument (with several, each `<argument>_mask` parameter gets its argument's
   mask), then, if `supports_masking` (default: the class overrides `compute_mask`), gives
   each output without a mask `compute_mask(inputs, previous_mask)` (default: the input's
   mask unchanged: Dense on a sequence, activations, dropout, normalization); a layer that
   does not support masking and receives one warns and its outputs carry none (Conv1D,
   Flatten, a nested model, a user layer without `compute_mask`). Masks travel the same
   way through `Sequential`, the functional graph and subclassed models (each layer call
   reads its input's mask from the scope); a model called with `mask=` attaches it to its
   inputs. A symbolic mask is a boolean KerasTensor whose shape comes from `compute_mask`
   run on stand-in arrays; a model recomputes the values when it runs. Merge layers:
   element-wise ones OR the masks (None when an input has none; Maximum, Minimum and
   Multiply also keep masked steps out of their values), Concatenate counts an unmasked
   input as all True, Dot gives none. A loss reads `y_pred`'s mask and multiplies it into
   the sample weights (`sum_over_batch_size`/`mean`: a kept entry weighs `total / kept`, so
   the loss is the weighted sum over the kept entries divided by their number; 0 when none
   is kept), and `MeanMetricWrapper` metrics average over the kept entries; the training
   step and `evaluate` hand each output's mask to both. Masks are never differentiated.

Hyper-parameters (strides, padding, the name of a fused activation) are keyword arguments
and never differentiated.
"""

from minikeras.ops.nn.bias_activation import (FUSED_ACTIVATIONS, activation_gradient,
                                              apply_bias_activation, bias_activation, relu)
from minikeras.ops.nn.conv import conv, conv_transpose
from minikeras.ops.nn.dense import dense
from minikeras.ops.nn.embedding import embedding
from minikeras.ops.nn.gru import gru
from minikeras.ops.nn.lstm import lstm
from minikeras.ops.nn.normalization import batch_normalization, moments, normalize
from minikeras.ops.nn.pool import average_pool, global_average_pool, global_max_pool, max_pool
from minikeras.ops.nn.reduce import mean_all
from minikeras.ops.nn.rnn import simple_rnn
from minikeras.ops.nn.softmax import (SoftmaxVJP, log_softmax, softmax, softmax_cross_entropy,
                                      softmax_input)

__all__ = ["FUSED_ACTIVATIONS", "SoftmaxVJP", "activation_gradient", "apply_bias_activation",
           "average_pool", "batch_normalization", "bias_activation", "conv", "conv_transpose",
           "dense", "embedding", "global_average_pool", "global_max_pool", "gru",
           "log_softmax", "lstm", "max_pool", "mean_all", "moments", "normalize", "relu",
           "simple_rnn", "softmax", "softmax_cross_entropy", "softmax_input"]
