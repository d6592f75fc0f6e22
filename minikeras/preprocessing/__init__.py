"""`keras.preprocessing`: Keras 2's data preprocessing, kept because course code uses it.

- `image`: `ImageDataGenerator` (augmentation and normalization, `.flow(x, y)`).
- `text`: `Tokenizer`, `text_to_word_sequence`, `hashing_trick`, `one_hot`.
- `sequence`: `pad_sequences` (also `keras.utils.pad_sequences`).
"""

from minikeras.preprocessing import image, sequence, text
from minikeras.preprocessing.unavailable import module_getattr

__getattr__ = module_getattr(__name__, ())
