"""Recurrent layers: `RNN` and its cells, `SimpleRNN`, `LSTM`, `GRU`, and the wrappers
`Bidirectional` and `TimeDistributed` (`keras.layers.recurrent` / `keras.layers.wrappers`
in Keras 2)."""

from minikeras.layers.recurrent.bidirectional import Bidirectional
from minikeras.layers.recurrent.cells import GRUCell, LSTMCell, SimpleRNNCell
from minikeras.layers.recurrent.gru import GRU, CuDNNGRU
from minikeras.layers.recurrent.lstm import LSTM, CuDNNLSTM
from minikeras.layers.recurrent.rnn import RNN
from minikeras.layers.recurrent.simple_rnn import SimpleRNN
from minikeras.layers.recurrent.stacked import StackedRNNCells
from minikeras.layers.recurrent.time_distributed import TimeDistributed
from minikeras.layers.recurrent.wrapper import Wrapper

__all__ = ["Bidirectional", "CuDNNGRU", "CuDNNLSTM", "GRU", "GRUCell", "LSTM", "LSTMCell", "RNN",
           "SimpleRNN", "SimpleRNNCell", "StackedRNNCells", "TimeDistributed", "Wrapper"]
