"""grader.core.jsontext writes exactly what json.dumps writes, for any JSON value and the unusual ones."""

from __future__ import annotations

import enum
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.core import jsontext, speed

LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                   st.text(), st.sampled_from(["", "é", "\u2028", "\x00", '"\\', "✔ correct", "\ud800"]))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                      st.dictionaries(st.text(max_size=5), inner, max_size=4)),
                      max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(value=VALUES, indent=st.sampled_from([0, 1, 2, 4]), ensure_ascii=st.booleans(), sort_keys=st.booleans())
def test_same_text_as_json_dumps(value, indent, ensure_ascii, sort_keys):
    assert jsontext.dumps(value, indent, ensure_ascii, sort_keys) == \
        json.dumps(value, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)


class Level(enum.IntEnum):
    LOW = 1


@pytest.mark.parametrize("value", [
    {1: "a", "b": 2},  # an int key: json writes "1"
    {None: 1, True: 2, 2.5: 3},
    [Level.LOW, {"x": Level.LOW}],  # an int subclass
    {"s": "x", 3: [1, 2]},
])
def test_unusual_values_are_written_by_json_itself(value):
    assert jsontext.dumps(value, 2) == json.dumps(value, indent=2)


def test_keys_that_cannot_be_sorted_raise_as_json_does():
    with pytest.raises(TypeError):
        jsontext.dumps({1: 1, "a": 2}, 1, sort_keys=True)
    with pytest.raises(TypeError):
        jsontext.dumps({"a": object()}, 1)


def test_a_constant_is_written_right_at_every_depth_and_in_every_layout():
    shared = jsontext.constant({"b": [1, {"c": "é"}], "a": None})
    record = {"top": shared, "deep": [{"here": shared}], "again": shared}
    for indent in (1, 2):
        for ensure_ascii in (True, False):
            for sort_keys in (True, False):
                for _ in range(2):  # made once, then reused
                    assert jsontext.dumps(record, indent, ensure_ascii, sort_keys) == \
                        json.dumps(record, indent=indent, ensure_ascii=ensure_ascii, sort_keys=sort_keys)


def test_a_value_that_is_not_constant_is_written_as_it_is_now():
    changing = {"n": 1}
    assert jsontext.dumps({"v": changing}, 1) == json.dumps({"v": changing}, indent=1)
    changing["n"] = 2
    assert '"n": 2' in jsontext.dumps({"v": changing}, 1)


class _Anchor:
    """An object compared by identity, as a PartResult is by the caches."""


@settings(max_examples=150, deadline=None)
@given(value=VALUES, indent=st.sampled_from([1, 2]), depth=st.integers(0, 2), sort_keys=st.booleans())
def test_a_remembered_value_is_written_as_its_value_at_any_depth_and_layout(value, indent, depth, sort_keys):
    anchor = _Anchor()
    wrapped, plain = jsontext.Remembered((anchor,), lambda: value), value
    for _ in range(depth):
        wrapped, plain = [wrapped, 1], [plain, 1]
    expected = json.dumps(plain, indent=indent, ensure_ascii=False, sort_keys=sort_keys)
    for _ in range(2):  # the second time from what was remembered
        assert jsontext.dumps(wrapped, indent, False, sort_keys) == expected


def test_a_remembered_text_is_only_reused_for_the_same_anchors_and_extra():
    made = []

    def part(anchor, extra, value):
        return jsontext.Remembered((anchor,), lambda: made.append(value) or value, extra=extra)

    first, second = _Anchor(), _Anchor()
    assert jsontext.dumps([part(first, 1, "a")], 2) == json.dumps(["a"], indent=2)
    assert jsontext.dumps([part(first, 1, "changed")], 2) == json.dumps(["a"], indent=2)  # the same anchor: reused
    assert jsontext.dumps([part(second, 1, "b")], 2) == json.dumps(["b"], indent=2)  # another object: made anew
    assert jsontext.dumps([part(first, 2, "c")], 2) == json.dumps(["c"], indent=2)  # another extra: made anew
    assert jsontext.dumps({"x": [part(first, 1, "d")]}, 2) == json.dumps({"x": ["d"]}, indent=2)  # another depth
    assert made == ["a", "b", "c", "d"]
    with speed.fast_paths(False):  # the plain path writes the value, through json.dumps
        assert jsontext.dumps([part(first, 1, "e")], 2) == json.dumps(["e"], indent=2)
