"""`LearningRateScheduler`: sets the learning rate at the start of every epoch."""

import inspect

from minikeras.callbacks.callback import Callback
from minikeras.callbacks.learning_rate import get_learning_rate, is_real_number, set_learning_rate


class LearningRateScheduler(Callback):
    """Sets the learning rate to `schedule(epoch, lr)` (or `schedule(epoch)`) at the start of
    every epoch; the rate in use is added to the epoch's logs as `learning_rate`.

    Args:
        schedule: a function of the epoch index (from 0) and the current learning rate (a
            float), or of the epoch alone, returning the new rate (a float).
        verbose: 1 prints the rate set at each epoch (default 0).
    """

    def __init__(self, schedule, verbose=0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"`schedule` must be a function of (epoch, lr) or (epoch). "
                            f"Received: {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        lr = get_learning_rate(optimizer)
        new_lr = self.schedule(epoch, lr) if _takes_two_arguments(self.schedule) else (
            self.schedule(epoch))
        if not is_real_number(new_lr):
            raise ValueError("The output of the `schedule` function should be a float. "
                             f"Got: {new_lr!r}")
        new_lr = float(new_lr)
        set_learning_rate(optimizer, new_lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to "
                  f"{new_lr}.", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = get_learning_rate(self.model.optimizer)


def _takes_two_arguments(fn):
    """Whether `fn` accepts `(epoch, lr)`; Keras tries two arguments and falls back to one on
    a TypeError, which would also swallow a TypeError raised inside the schedule."""
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):  # some builtins have none
        return True
    positional = [p for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    varargs = any(p.kind is p.VAR_POSITIONAL for p in signature.parameters.values())
    return varargs or len(positional) >= 2
