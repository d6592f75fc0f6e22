"""`StackedRNNCells`: several cells run as one, each feeding the next (Keras 3's class)."""

import numpy as np

from minikeras import serialization
from minikeras.layers.base import Layer
from minikeras.layers.recurrent.wrapper import deserialize_layer, prefix_paths


def _state_list(states):
    return list(states) if isinstance(states, (list, tuple)) else [states]


class StackedRNNCells(Layer):
    """Wraps a list of cells so that `RNN` runs them as one: the output of each cell at a step
    is the input of the next at that step.

    Args:
        cells: a list of cells (objects with `call(inputs, states)` and `state_size`).

    `state_size` is the list of the cells' state sizes, and the states an `RNN` passes are one
    entry per cell (a list for cells with several states, as Keras does).
    """

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        for cell in cells:
            if "call" not in dir(cell):
                raise ValueError("All cells must have a `call` method. Received cell without a "
                                 f"`call` method: {cell}")
            if "state_size" not in dir(cell):
                raise ValueError("All cells must have a `state_size` attribute. Received cell "
                                 f"without a `state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self):
        return [cell.state_size for cell in self.cells]

    @property
    def output_size(self):
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        size = last.state_size
        return size[0] if isinstance(size, (list, tuple)) else size

    def get_initial_state(self, batch_size=None):
        """One entry per cell: what its `get_initial_state` returns (a list for the built-in
        cells), else zeros (one array for a cell whose `state_size` is an integer)."""
        states = []
        for cell in self.cells:
            size = cell.state_size
            if hasattr(cell, "get_initial_state"):
                states.append(cell.get_initial_state(batch_size=batch_size))
            elif isinstance(size, (list, tuple)):
                states.append([np.zeros((batch_size, s), dtype=self.dtype) for s in size])
            else:
                states.append(np.zeros((batch_size, size), dtype=self.dtype))
        return states

    def build(self, input_shape):
        for cell in self.cells:
            if isinstance(cell, Layer):
                if not cell.built:
                    cell._build_from_shapes(tuple(input_shape))
                prefix_paths(cell, self.name)
            size = getattr(cell, "output_size", None)
            if size is None:
                size = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else \
                    cell.state_size
            input_shape = (input_shape[0], size)
        self.built = True

    def call(self, inputs, states, training=False):
        new_states = []
        for cell, cell_states in zip(self.cells, states):
            was_list = isinstance(cell_states, (list, tuple))
            kwargs = {"training": training} if isinstance(cell, Layer) else {}
            inputs, cell_states = cell(inputs, _state_list(cell_states), **kwargs)
            cell_states = _state_list(cell_states)
            new_states.append(cell_states if was_list or len(cell_states) > 1 else
                              cell_states[0])
        return inputs, new_states

    def sequence_call(self, sequences, states, mask, go_backwards, return_sequences,
                      zero_output_for_mask, training):
        """Each cell over the whole sequence in turn (its primitive), or None when a cell has
        no such path. Running cell by cell is the same computation as step by step: a masked
        step is skipped by every cell, and the order of the products does not change."""
        new_states = []
        for k, cell in enumerate(self.cells):
            fast = getattr(cell, "sequence_call", None)
            if fast is None:
                return None
            last = k == len(self.cells) - 1
            # After the first cell the sequence is already in processing order.
            cell_mask = mask if (k == 0 or not go_backwards or mask is None) else mask[:, ::-1]
            result = fast(sequences, _state_list(states[k]), cell_mask, go_backwards and k == 0,
                          return_sequences or not last, zero_output_for_mask and last, training)
            if result is None:
                return None
            sequences, cell_states = result
            was_list = isinstance(states[k], (list, tuple))
            new_states.append(cell_states if was_list or len(cell_states) > 1 else
                              cell_states[0])
        return sequences, new_states

    def get_config(self):
        return {**super().get_config(),
                "cells": [serialization.serialize_keras_object(cell) for cell in self.cells]}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        cells = [deserialize_layer(c, custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)

