"""`tf.keras.optimizers.legacy` (TF 2.11-2.15): the same classes, which honour Keras 2's `lr=` and
`decay=` as the legacy optimizers did."""

from minikeras.optimizers import (SGD, Adadelta, Adagrad, Adam, Adamax, Ftrl, Nadam, Optimizer,
                                  RMSprop)

__all__ = ["Adadelta", "Adagrad", "Adam", "Adamax", "Ftrl", "Nadam", "Optimizer", "RMSprop", "SGD"]
