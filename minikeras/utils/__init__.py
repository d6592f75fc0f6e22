"""`keras.utils`: array helpers, the progress bar, the file cache and `set_random_seed`.

`np_utils` is Keras 2's module of the array helpers, kept because course code imports it.
"""

from minikeras.random_seed import set_random_seed

from minikeras.utils import np_utils
from minikeras.utils.file_utils import get_file
from minikeras.utils.numerical_utils import normalize
from minikeras.utils.numerical_utils import to_categorical
from minikeras.utils.progbar import Progbar
