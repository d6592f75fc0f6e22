"""`ModelCheckpoint`: saves the model or its weights during training."""

from minikeras.callbacks.monitor import MonitorCallback


class ModelCheckpoint(MonitorCallback):
    """Not available yet: it saves through `model.save` / `model.save_weights`, which are
    being written."""

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch",
                 initial_value_threshold=None):
        raise NotImplementedError("ModelCheckpoint needs model.save/save_weights, which "
                                  "minikeras does not have yet.")
