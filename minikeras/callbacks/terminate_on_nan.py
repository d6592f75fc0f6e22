"""`TerminateOnNaN`: stops training when the loss becomes NaN or infinite."""

import numpy as np

from minikeras.callbacks.callback import Callback


class TerminateOnNaN(Callback):
    """Stops `fit` after the batch whose (running) loss is NaN or infinite.

    Args:
        raise_error: raise a RuntimeError at that batch instead of stopping quietly
            (default False).
    """

    def __init__(self, raise_error=False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (np.isnan(loss) or np.isinf(loss)):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: "
                                   f"{loss}. Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
            self.model.stop_training = True
