"""`keras.utils`: array helpers, the progress bar, the file cache and `set_random_seed`."""

from minikeras.random_seed import set_random_seed

from minikeras.utils.file_utils import get_file
from minikeras.utils.numerical_utils import normalize
from minikeras.utils.numerical_utils import to_categorical
from minikeras.utils.progbar import Progbar
