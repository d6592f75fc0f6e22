"""`BackupAndRestore`: resumes an interrupted `fit` from its last finished epoch."""

from minikeras.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Not available yet: it backs up through `model.save_weights` / `load_weights`, which
    are being written."""

    def __init__(self, backup_dir, save_freq="epoch", double_checkpoint=False,
                 delete_checkpoint=True):
        raise NotImplementedError("BackupAndRestore needs model.save_weights/load_weights, "
                                  "which minikeras does not have yet.")
