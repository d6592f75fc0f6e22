"""Validation of optimizer constructor arguments, with Keras's error messages."""

import warnings

from minikeras import config


def check_common_arguments(clipnorm, clipvalue, global_clipnorm, weight_decay,
                           gradient_accumulation_steps, ema_momentum, ema_overwrite_frequency):
    """Raises a ValueError naming the first invalid argument common to every optimizer."""
    if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
        raise ValueError(
            "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
            f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
    for arg, value in (("clipnorm", clipnorm), ("clipvalue", clipvalue),
                       ("global_clipnorm", global_clipnorm), ("weight_decay", weight_decay)):
        if value is not None and not value >= 0:
            raise ValueError(f"Argument `{arg}` must be a float >= 0. Received: {arg}={value}")
    if gradient_accumulation_steps is not None and (
            int(gradient_accumulation_steps) != gradient_accumulation_steps
            or gradient_accumulation_steps < 2):
        raise ValueError("`gradient_accumulation_steps` must be an integer >= 2. Received: "
                         f"gradient_accumulation_steps={gradient_accumulation_steps}")
    if not 0 <= ema_momentum <= 1:
        raise ValueError("`ema_momentum` must be in the range [0, 1]. "
                         f"Received: ema_momentum={ema_momentum}")
    if ema_overwrite_frequency is not None and (
            int(ema_overwrite_frequency) != ema_overwrite_frequency
            or ema_overwrite_frequency < 1):
        raise ValueError("`ema_overwrite_frequency` must be an integer >= 1 or None. Received: "
                         f"ema_overwrite_frequency={ema_overwrite_frequency}")


def check_unit_interval(name, value, closed=False):
    """Raises a ValueError unless `0 <= value < 1` (`<= 1` when `closed`)."""
    if not (0 <= value <= 1 if closed else 0 <= value < 1):
        interval = "[0, 1]" if closed else "[0, 1)"
        raise ValueError(f"Argument `{name}` must be in {interval}. Received: {name}={value}")


def check_non_negative(name, value):
    """Raises a ValueError unless `value >= 0`."""
    if not value >= 0:
        raise ValueError(f"Argument `{name}` must be >= 0. Received: {name}={value}")


def check_betas(beta_1, beta_2):
    """Raises a ValueError unless both moment decay rates are in [0, 1)."""
    check_unit_interval("beta_1", beta_1)
    check_unit_interval("beta_2", beta_2)


def keras2_epsilon(epsilon):
    """`epsilon`, checked `>= 0`, with Keras 2's `epsilon=None` read as `K.epsilon()` (1e-7
    unless `set_epsilon` changed it), at construction as Keras 2 did.

    Standalone Keras 2 documented `epsilon=None` as the default of Adam, Adamax, Nadam,
    RMSprop, Adagrad and Adadelta, and course code still passes it; Keras 3 has no such
    spelling, hence the DeprecationWarning.
    """
    if epsilon is not None:
        check_non_negative("epsilon", epsilon)
        return epsilon
    warnings.warn("`epsilon=None` is Keras 2's spelling of `epsilon=keras.backend.epsilon()` "
                  f"({config.epsilon()}); pass the number instead.",
                  DeprecationWarning, stacklevel=3)
    return config.epsilon()
