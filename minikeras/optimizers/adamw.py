"""AdamW: Adam with decoupled weight decay (Loshchilov & Hutter, 2019,
https://arxiv.org/abs/1711.05101)."""

from minikeras.optimizers.adam import Adam


class AdamW(Adam):
    """Adam plus decoupled weight decay `x -= x * weight_decay * lr`, applied before each update
    by the `Optimizer` base (as in Keras 3, where AdamW only changes the default).

    Args:
        learning_rate: float, schedule or callable (default 0.001).
        weight_decay: the decay rate, a float >= 0 (default 0.004; None is an error).
        beta_1: decay rate of the first moment, in [0, 1) (default 0.9).
        beta_2: decay rate of the second moment, in [0, 1) (default 0.999).
        epsilon: added to `sqrt(v)` (default 1e-7).
        amsgrad: use AMSGrad (default False).
        **kwargs: the common `Optimizer` arguments.
    """

    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999,
                 epsilon=1e-7, amsgrad=False, name=None, **kwargs):
        if weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
        super().__init__(learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2,
                         epsilon=epsilon, amsgrad=amsgrad, name=name, weight_decay=weight_decay,
                         **kwargs)
