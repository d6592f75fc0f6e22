"""The embedding gather: values, the scatter-add gradient (repeated ids add up), id checks."""

import numpy as np
import pytest
from autograd import grad

from minikeras.ops.nn import embedding
from minikeras.ops.nn.embedding import token_ids
from tests.ops.gradcheck import check_grads


def test_gathers_rows_and_scatter_adds_the_gradient():
    rng = np.random.default_rng(0)
    table = rng.normal(size=(7, 3))
    ids = np.array([[1, 4, 1], [0, 6, 1]])
    np.testing.assert_array_equal(embedding(table, ids), table[ids])
    check_grads(embedding, table, ids)
    w = rng.normal(size=(2, 3, 3))
    g = grad(lambda t: (w * embedding(t, ids)).sum())(table)
    expected = np.zeros_like(table)
    expected[1] = w[0, 0] + w[0, 2] + w[1, 2]  # id 1 was read three times
    expected[4], expected[0], expected[6] = w[0, 1], w[1, 0], w[1, 1]
    np.testing.assert_allclose(g, expected)
    assert np.all(g[[2, 3, 5]] == 0)


def test_float32_gradient():
    table = np.ones((5, 2), np.float32)
    g = grad(lambda t: embedding(t, np.array([0, 0, 3])).sum())(table)
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g[:, 0], [2, 0, 0, 1, 0])


def test_token_ids_are_checked_and_cast_like_keras():
    np.testing.assert_array_equal(token_ids(np.array([1.9, 0.0]), 3), [1, 0])
    with pytest.raises(ValueError, match=r"emb: token ids must be in \[0, 5\) \(input_dim=5\); "
                                         r"received 5 at index \(1, 0\)"):
        token_ids(np.array([[0, 1], [5, 2]]), 5, "emb")
    with pytest.raises(ValueError, match=r"received -1 at index \(2,\)"):
        token_ids(np.array([0, 4, -1]), 5)
    with pytest.raises(ValueError, match="NaN or infinity"):
        token_ids(np.array([0.0, np.nan]), 5)
    with pytest.raises(TypeError, match="must be integers"):
        token_ids(np.array(["a"]), 5)
