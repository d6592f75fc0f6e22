"""`keras.utils`: array helpers, the progress bar and the file cache."""

from minikeras.utils.file_utils import get_file
from minikeras.utils.numerical_utils import normalize
from minikeras.utils.numerical_utils import to_categorical
from minikeras.utils.progbar import Progbar
