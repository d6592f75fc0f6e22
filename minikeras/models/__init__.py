"""`minikeras.models` (also `keras.models`)."""

from minikeras.models.model import Model, model_from_config, model_from_json
from minikeras.models.sequential import Sequential
from minikeras.saving.saving_api import load_model, save_model
