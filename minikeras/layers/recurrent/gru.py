"""`GRU` (Keras 3's `keras.layers.GRU`) and Keras 2's `CuDNNGRU` name for it."""

import warnings

from minikeras.layers.recurrent.cells import GRUCell
from minikeras.layers.recurrent.rnn import CellRNN, check_use_cudnn


class GRU(CellRNN):
    """Gated Recurrent Unit layer (Cho et al., 2014).

    Args:
        units: positive integer, the size of the output and state.
        activation: default `'tanh'`; recurrent_activation: default `'sigmoid'`.
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`; recurrent_initializer: default
            `'orthogonal'`; bias_initializer: default `'zeros'`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint: default None.
        dropout, recurrent_dropout: fractions dropped in training (default 0).
        seed: seed of the dropout masks (default None).
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`
            (default False).
        reset_after: the reset gate applies after the recurrent product (default True, as
            Keras 3 and cuDNN; bias `(2, 3 units)`); False is Keras 2.2's GRU (bias
            `(3 units,)`).
        use_cudnn: accepted for Keras compatibility; minikeras runs on the CPU.

    Weights (cell `gru_cell`), gate order z, r, h: `kernel (features, 3 units)`,
    `recurrent_kernel (units, 3 units)`, `bias`.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        check_use_cudnn(use_cudnn)
        cell = GRUCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            kernel_regularizer=kernel_regularizer, recurrent_regularizer=recurrent_regularizer,
            bias_regularizer=bias_regularizer, kernel_constraint=kernel_constraint,
            recurrent_constraint=recurrent_constraint, bias_constraint=bias_constraint,
            dropout=dropout, recurrent_dropout=recurrent_dropout, reset_after=reset_after,
            seed=seed, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
            name="gru_cell", implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    reset_after = property(lambda self: self.cell.reset_after)


class CuDNNGRU(GRU):
    """Keras 2's `CuDNNGRU`: makes a `GRU` (`reset_after=True`, sigmoid gates, cuDNN's
    convention and Keras 3's default) with the same arguments, with a warning."""

    def __new__(cls, *args, **kwargs):
        warnings.warn("CuDNNGRU is Keras 2's GPU-only GRU; minikeras makes a GRU with the same "
                      "arguments (reset_after=True, as cuDNN).", UserWarning, stacklevel=2)
        return GRU(*args, **kwargs)

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        return cls(**config_)
