"""`python -m minikeras script.py [args...]`: runs course code written for Keras on minikeras.

Imports of `keras`, `keras.*`, `tensorflow.keras.*` (and `tensorflow` itself, as a stand-in that
holds `tf.keras`) resolve to minikeras, so the script runs with no edit.
"""

import runpy
import sys

from minikeras import compat

USAGE = "usage: python -m minikeras script.py [args...]\n       python -m minikeras -c 'code'"


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE)
        return 0 if argv else 2
    compat.install()
    if argv[0] == "-c":
        if len(argv) < 2:
            print(USAGE, file=sys.stderr)
            return 2
        sys.argv = ["-c"] + argv[2:]
        exec(compile(argv[1], "<string>", "exec"), {"__name__": "__main__"})
        return 0
    sys.argv = argv
    runpy.run_path(argv[0], run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main())
