"""`minikeras.models` (also `keras.models`)."""

from minikeras.models.model import Model
from minikeras.models.sequential import Sequential
