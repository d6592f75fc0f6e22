"""Keras 2's short loss names are one table (losses.ALIASES), read by `losses.get`,
`metrics.get` and the attributes `keras.losses.mse` / `keras.metrics.mse`."""

import numpy as np
import pytest

from minikeras import losses, metrics

Y_TRUE = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], np.float32)
Y_PRED = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]], np.float32)


@pytest.mark.parametrize("alias", sorted(losses.ALIASES))
def test_every_alias_means_the_same_function_everywhere(alias):
    fn = losses.ALIASES[alias]
    assert losses.get(alias) is fn
    assert getattr(losses, alias) is fn and getattr(metrics, alias) is fn
    got = metrics.get(alias)
    if got is fn:  # no metric class averages this function ('huber_loss', 'cosine_proximity')
        return
    # else: the metric class whose result is the mean of the same function
    got.update_state(Y_TRUE, Y_PRED)
    np.testing.assert_allclose(got.result(), np.mean(fn(Y_TRUE, Y_PRED)), rtol=1e-6)


def test_keras2_cosine_proximity_is_the_negative_cosine():
    # Keras 2's metric of that name was the loss (-cos), unlike Keras 3's CosineSimilarity.
    assert metrics.get("cosine_proximity") is losses.cosine_similarity
    assert float(np.mean(losses.cosine_similarity(Y_TRUE, Y_TRUE))) == pytest.approx(-1.0)


def test_unknown_alias_attribute_is_a_plain_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'msee'"):
        losses.msee
