"""`keras.utils`: array helpers, the progress bar, the file cache, `set_random_seed`, the
registry of the user's objects (`register_keras_serializable`, `custom_object_scope`, ...),
and pictures drawn with matplotlib: `plot_model` (Keras's, without pydot or Graphviz), and,
beyond Keras, `plot_history`, `plot_gradient_norms` (what a `GradientMonitor` recorded),
`confusion_matrix` and `plot_confusion_matrix`.

`np_utils` is Keras 2's module of the array helpers, kept because course code imports it. The
registry lives in `minikeras.object_registration` (a floor below utils), which `keras.saving`
re-exports too.
"""

from minikeras.random_seed import set_random_seed
from minikeras.object_registration import (CustomObjectScope, custom_object_scope,
                                           get_custom_objects, get_registered_name,
                                           get_registered_object, register_keras_serializable)

from minikeras.utils import np_utils
from minikeras.utils.file_utils import get_file
from minikeras.utils.numerical_utils import normalize
from minikeras.utils.numerical_utils import to_categorical
from minikeras.utils.progbar import Progbar
from minikeras.utils.py_dataset import PyDataset, Sequence
from minikeras.utils.batch_tuples import pack_x_y_sample_weight, unpack_x_y_sample_weight
from minikeras.utils.confusion_matrix import ConfusionMatrix, confusion_matrix
from minikeras.utils.model_visualization import model_to_figure, plot_model
from minikeras.utils.plotting import plot_confusion_matrix, plot_gradient_norms, plot_history
from minikeras.preprocessing.sequence import pad_sequences


from minikeras import keras_names  # noqa: E402 (with the hook it serves)

# A public Keras name missing here raises "`keras.<module>.<name>` is not implemented in
# minikeras" (keras_names.py); this runs only when the normal lookup fails.
__getattr__ = keras_names.module_getattr(__name__)
