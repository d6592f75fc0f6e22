"""`minikeras.callbacks` (also `keras.callbacks`): hooks into `fit`, `evaluate` and `predict`.

Beyond Keras: `GradientMonitor` (each layer's gradient norm and weight-update ratio per epoch)
and `plot_gradient_norms`, for the course's backpropagation chapter.
"""

from minikeras.callbacks.backup_and_restore import BackupAndRestore
from minikeras.callbacks.callback import Callback
from minikeras.callbacks.callback_list import CallbackList
from minikeras.callbacks.csv_logger import CSVLogger
from minikeras.callbacks.early_stopping import EarlyStopping
from minikeras.callbacks.gradient_monitor import GradientMonitor, plot_gradient_norms
from minikeras.callbacks.history import History
from minikeras.callbacks.lambda_callback import LambdaCallback
from minikeras.callbacks.learning_rate_scheduler import LearningRateScheduler
from minikeras.callbacks.model_checkpoint import ModelCheckpoint
from minikeras.callbacks.monitor import MonitorCallback
from minikeras.callbacks.progbar_logger import ProgbarLogger
from minikeras.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau
from minikeras.callbacks.remote_monitor import RemoteMonitor
from minikeras.callbacks.terminate_on_nan import TerminateOnNaN


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
