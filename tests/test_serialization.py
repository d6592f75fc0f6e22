"""`serialization`: the resolver every registry's `get` uses, and serialize / deserialize."""

import pytest

from minikeras import serialization


class Thing:
    def __init__(self, size=1):
        self.size = size

    def __call__(self, x):
        return self.size * x

    def get_config(self):
        return {"size": self.size}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def double(x):
    return 2 * x


def make_big_thing(size=10):
    return Thing(size)


CLASSES = {"Thing": Thing, "thing": Thing, "big_thing": make_big_thing}
FUNCTIONS = {"double": double, "twice": double}


def get(identifier):
    return serialization.get_instance("thing", CLASSES, identifier, functions=FUNCTIONS,
                                      any_case=True)


def test_names_give_instances_of_classes_and_functions_as_they_are():
    assert get(None) is None
    assert type(get("Thing")) is Thing and get("Thing") is not get("Thing")
    assert get("THING").size == 1  # any_case
    assert get("big_thing").size == 10  # a factory is called
    assert get("twice") is double and get("Double") is double


def test_dicts_classes_instances_and_callables():
    assert get({"class_name": "Thing", "config": {"size": 3}}).size == 3
    assert get({"class_name": "big_thing", "config": {"size": 4}}).size == 4
    assert get({"module": "builtins", "class_name": "function", "config": "double",
                "registered_name": "function"}) is double
    assert get({"class_name": "double", "config": {}}) is double
    assert type(get(Thing)) is Thing
    thing = Thing(5)
    assert get(thing) is thing and get(len) is len


def test_errors_name_the_kind_and_suggest_close_names():
    with pytest.raises(ValueError, match="Could not interpret thing identifier: 'thingg'. "
                                         "Did you mean 'thing'"):
        get("thingg")
    with pytest.raises(ValueError, match=r"Expected one of \["):
        get("zzzzzz")
    with pytest.raises(ValueError, match="Unknown thing class: 'Other'"):
        get({"class_name": "Other", "config": {}})
    with pytest.raises(ValueError, match="Unknown thing function: 'triple'"):
        get({"class_name": "function", "config": "triple"})
    with pytest.raises(ValueError, match="Could not interpret thing identifier: 3.5"):
        get(3.5)


def test_serialize_and_deserialize_round_trip():
    assert serialization.serialize(None) is None
    assert serialization.serialize(double) == "double"
    # Keras 3's layout; a class that is not minikeras's keeps its own module and name
    assert serialization.serialize(Thing(2)) == {
        "module": "tests.test_serialization", "class_name": "Thing", "config": {"size": 2},
        "registered_name": "Thing"}
    assert serialization.deserialize(get, serialization.serialize(Thing(2))).size == 2
    assert serialization.deserialize(get, "double") is double


def test_deserialize_prefers_custom_objects():
    class Custom(Thing):
        pass

    def custom_fn(x):
        return x

    custom = {"Custom": Custom, "custom_fn": custom_fn}
    assert type(serialization.deserialize(get, "Custom", custom)) is Custom
    got = serialization.deserialize(get, {"class_name": "Custom", "config": {"size": 7}}, custom)
    assert type(got) is Custom and got.size == 7
    assert serialization.deserialize(get, "custom_fn", custom) is custom_fn  # not called
    keras3 = {"class_name": "function", "config": "custom_fn"}
    assert serialization.deserialize(get, keras3, custom) is custom_fn
