"""`minikeras.callbacks` (also `keras.callbacks`)."""

from minikeras.callbacks.callback import Callback, CallbackList
from minikeras.callbacks.history import History
from minikeras.callbacks.progbar_logger import ProgbarLogger
