"""`keras.preprocessing.sequence`: `pad_sequences` (also `keras.utils.pad_sequences`).

Keras 3 keeps `pad_sequences` and dropped the rest of this Keras 2 module; the other Keras 2
names raise NotImplementedError here.
"""

import numpy as np

from minikeras.preprocessing.unavailable import module_getattr


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre",
                  value=0.0):
    """Pads (and truncates) sequences to one length, as Keras's `pad_sequences`.

    Args:
        sequences: a list of sequences (lists or arrays of numbers, or of equal-shape samples).
        maxlen: the length to reach; None (Keras default) takes the longest sequence's length.
        dtype: the output dtype. Keras default: `"int32"` (floats are truncated). Use `object`
            to pad variable-length strings.
        padding: `"pre"` (Keras default) or `"post"`: where the padding goes.
        truncating: `"pre"` (Keras default) or `"post"`: where longer sequences lose values.
        value: the padding value. Keras default: 0.0.

    Returns:
        An array of shape `(len(sequences), maxlen) + sample_shape`, where `sample_shape` is
        the shape of the first non-empty sequence's elements.

    Raises:
        ValueError: `sequences` is not a list of sequences, the samples differ in shape,
            `padding` / `truncating` is neither `"pre"` nor `"post"`, or `value` is a string
            and `dtype` is not a string or object dtype.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(f"`sequences` must be iterable. Received: {type(sequences).__name__}")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood: expected "pre" or "post".')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood: expected "pre" or '
                         '"post".')
    lengths, sample_shape = [], None
    for s in sequences:
        try:
            lengths.append(len(s))
        except TypeError as e:
            raise ValueError("`sequences` must be a list of iterables. "
                             f"Found non-iterable: {s!r}") from e
        if sample_shape is None and len(s):
            sample_shape = np.asarray(s).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        if not lengths:
            raise ValueError("`sequences` is empty and `maxlen` is None: there is no length to "
                             "pad to. Pass `maxlen`.")
        maxlen = max(lengths)
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: "
                         f"{type(value)}\nYou should set `dtype=object` for variable length "
                         "strings.")
    out = np.full((len(lengths), maxlen) + sample_shape, value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        kept = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(f"Shape of sample {kept.shape[1:]} of sequence at position {i} "
                             f"is different from expected shape {sample_shape}")
        if padding == "post":
            out[i, :len(kept)] = kept
        else:
            out[i, -len(kept):] = kept
    return out


# tf.keras 2's other names here (TimeseriesGenerator, skipgrams...) are in keras2_names.json.
__getattr__ = module_getattr(__name__, ())
