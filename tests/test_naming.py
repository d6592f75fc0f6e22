"""`naming.to_snake_case`: Keras's rule for default names and registry spellings."""

import pytest

from minikeras.naming import to_snake_case


@pytest.mark.parametrize("name, expected", [
    ("MeanSquaredError", "mean_squared_error"), ("Dense", "dense"), ("Conv2D", "conv2d"),
    ("F1Score", "f1_score"), ("R2Score", "r2_score"), ("IoU", "io_u"),
    ("BinaryIoU", "binary_io_u"), ("L1L2", "l1l2"), ("SGD", "sgd"), ("AdamW", "adam_w"),
    ("KLDivergence", "kl_divergence"), ("AUC", "auc"), ("My Loss!", "my_loss"),
])
def test_to_snake_case_follows_keras(name, expected):
    assert to_snake_case(name) == expected
