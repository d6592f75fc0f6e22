"""Every table in minikeras lists each key once (Keras 2's module aliases in compat.py, the
loss and metric aliases, the registries...): Python keeps the last of two equal keys in a dict
literal without a word, so an entry added twice (as two commits once did in compat.py) could
silently replace the other."""

import ast
import pathlib

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "minikeras"


def duplicated_keys(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            keys = [k.value for k in node.keys if isinstance(k, ast.Constant)]
            found += [(node.lineno, k) for k in sorted(set(keys), key=str) if keys.count(k) > 1]
    return found


def test_no_dict_literal_in_the_package_repeats_a_key():
    files = sorted(PACKAGE.rglob("*.py"))
    assert len(files) > 50
    duplicates = {str(p.relative_to(PACKAGE)): d for p in files if (d := duplicated_keys(p))}
    assert duplicates == {}


def test_the_check_finds_a_repeated_key(tmp_path):
    source = tmp_path / "table.py"
    source.write_text('ALIASES = {\n    "layers.core": "layers",\n    "layers.wrappers": "layers",'
                      '\n    "layers.core": "models",\n}\n')
    assert duplicated_keys(source) == [(1, "layers.core")]
