"""`LSTM` (Keras 3's `keras.layers.LSTM`) and Keras 2's `CuDNNLSTM` name for it."""

import warnings

from minikeras.layers.recurrent.cells import LSTMCell
from minikeras.layers.recurrent.rnn import CellRNN, check_use_cudnn


class LSTM(CellRNN):
    """Long Short-Term Memory layer (Hochreiter & Schmidhuber, 1997).

    Args:
        units: positive integer, the size of the output and of both states.
        activation: default `'tanh'`; recurrent_activation: default `'sigmoid'`.
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`; recurrent_initializer: default
            `'orthogonal'`; bias_initializer: default `'zeros'`.
        unit_forget_bias: the forget gate's bias starts at 1 (default True).
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint: default None.
        dropout, recurrent_dropout: fractions dropped in training (default 0).
        seed: seed of the dropout masks (default None).
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`
            (default False).
        use_cudnn: accepted for Keras compatibility (`'auto'`, True or False); minikeras runs
            on the CPU.

    Weights (cell `lstm_cell`), gate order i, f, c, o: `kernel (features, 4 units)`,
    `recurrent_kernel (units, 4 units)`, `bias (4 units,)`. The states are `[h, c]`.
    """

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", unit_forget_bias=True, kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None,
                 dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False,
                 use_cudnn="auto", **kwargs):
        check_use_cudnn(use_cudnn)
        cell = LSTMCell(
            units, activation=activation, recurrent_activation=recurrent_activation,
            use_bias=use_bias, kernel_initializer=kernel_initializer,
            recurrent_initializer=recurrent_initializer, bias_initializer=bias_initializer,
            unit_forget_bias=unit_forget_bias, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="lstm_cell",
            implementation=kwargs.pop("implementation", 2))
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        self.use_cudnn = use_cudnn

    recurrent_activation = property(lambda self: self.cell.recurrent_activation)
    unit_forget_bias = property(lambda self: self.cell.unit_forget_bias)


class CuDNNLSTM(LSTM):
    """Keras 2's `CuDNNLSTM` (a GPU-only LSTM): makes an `LSTM` with the same arguments,
    with a warning. Its math is LSTM's with `tanh` / `sigmoid`; the instance is an `LSTM` (its
    config says `LSTM`, which every Keras loads). Weights saved by Keras 2's CuDNNLSTM (a bias
    of `8 units`) are not converted."""

    def __new__(cls, *args, **kwargs):
        warnings.warn("CuDNNLSTM is Keras 2's GPU-only LSTM; minikeras makes an LSTM with the "
                      "same arguments (Keras 3 chooses cuDNN by itself).", UserWarning,
                      stacklevel=2)
        return LSTM(*args, **kwargs)

    @classmethod
    def from_config(cls, config_, custom_objects=None):
        return cls(**config_)
