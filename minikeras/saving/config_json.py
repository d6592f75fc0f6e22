"""Parsing the JSON configs of a model file, which is untrusted input.

Python's parser and the rebuilding that follows recurse once per level of nesting, so a config
nested thousands of levels deep would end in a `RecursionError` deep inside minikeras; here it
is a `ValueError` naming the file. A real Keras config nests a few levels per layer and per
model inside a model: far fewer than `MAX_DEPTH`.
"""

import json

MAX_DEPTH = 256


def loads(text, source, what):
    """The JSON value of `text` (str or UTF-8 bytes).

    Args:
        source: what the errors are about: an object whose `error(message)` makes the
            `ValueError` naming the file (`errors.FileSource`, `h5_io.H5Reader`).
        what: the config's name in messages, e.g. `"its member config.json"`.

    Raises:
        ValueError: from `source.error`, for text that is not UTF-8 JSON or that nests more
            than `MAX_DEPTH` levels.
    """
    try:
        value = json.loads(text)
    except RecursionError:
        raise source.error(f"{what} is nested far more than {MAX_DEPTH} levels deep; a Keras "
                           "config nests a few levels per layer.") from None
    except ValueError as e:  # UnicodeDecodeError is a ValueError
        raise source.error(f"{what} is not valid JSON ({e}).") from None
    if _depth(value) > MAX_DEPTH:
        raise source.error(f"{what} is nested more than {MAX_DEPTH} levels deep; a Keras "
                           "config nests a few levels per layer.")
    return value


def _depth(value):
    """The nesting depth of a JSON value, measured without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, (dict, list)):
            deepest = max(deepest, depth)
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict)
                                                  else value))
    return deepest
