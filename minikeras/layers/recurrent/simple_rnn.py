"""`SimpleRNN`: the fully connected recurrent layer (Keras 3's `keras.layers.SimpleRNN`)."""

from minikeras.layers.recurrent.cells import SimpleRNNCell
from minikeras.layers.recurrent.rnn import CellRNN


class SimpleRNN(CellRNN):
    """Fully connected RNN whose output is fed back as its next input:
    `h_t = activation(x_t @ kernel + h_{t-1} @ recurrent_kernel + bias)`.

    Its gradient through many steps vanishes (or explodes): what LSTM and GRU were made for.

    Args:
        units: positive integer, the size of the output and state.
        activation: default `'tanh'`.
        use_bias: default True.
        kernel_initializer: default `'glorot_uniform'`; recurrent_initializer: default
            `'orthogonal'`; bias_initializer: default `'zeros'`.
        kernel_regularizer, recurrent_regularizer, bias_regularizer, activity_regularizer,
            kernel_constraint, recurrent_constraint, bias_constraint: default None.
        dropout, recurrent_dropout: fractions dropped in training (default 0).
        seed: seed of the dropout masks (default None).
        return_sequences, return_state, go_backwards, stateful, unroll: see `RNN`
            (default False).

    Weights: `kernel (features, units)`, `recurrent_kernel (units, units)`, `bias (units,)`,
    in the cell `simple_rnn_cell`.
    """

    def __init__(self, units, activation="tanh", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", kernel_regularizer=None, recurrent_regularizer=None,
                 bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False,
                 go_backwards=False, stateful=False, unroll=False, seed=None, **kwargs):
        cell = SimpleRNNCell(
            units, activation=activation, use_bias=use_bias,
            kernel_initializer=kernel_initializer, recurrent_initializer=recurrent_initializer,
            bias_initializer=bias_initializer, kernel_regularizer=kernel_regularizer,
            recurrent_regularizer=recurrent_regularizer, bias_regularizer=bias_regularizer,
            kernel_constraint=kernel_constraint, recurrent_constraint=recurrent_constraint,
            bias_constraint=bias_constraint, dropout=dropout,
            recurrent_dropout=recurrent_dropout, seed=seed, dtype=kwargs.get("dtype"),
            trainable=kwargs.get("trainable", True), name="simple_rnn_cell")
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)

    def get_config(self):
        config_ = super().get_config()
        config_.pop("seed", None)  # Keras 3's SimpleRNN config has none
        return config_
