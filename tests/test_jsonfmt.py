"""gradcli.render.jsonfmt: strict one-line JSON, floats as floats, shortest float32 digits."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from gradcli.errors import GradcliError
from gradcli.render.jsonfmt import dumps, error_object, to_jsonable

NONFINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def strict_loads(text: str) -> object:
    """json.loads that fails on bare NaN/Infinity, as jq and every strict parser do."""
    def refuse(constant: str) -> object:
        raise ValueError(f"non-standard JSON constant {constant}")

    return json.loads(text, parse_constant=refuse)


def decode_nonfinite(value: object) -> object:
    """Undo the protobuf convention: "NaN"/"Infinity"/"-Infinity" back to floats."""
    if isinstance(value, list):
        return [decode_nonfinite(v) for v in value]
    if isinstance(value, str):
        return NONFINITE[value]
    return value


# --- the documented shape of the output -----------------------------------------------------

def test_spec_example_exactly() -> None:
    result = {
        "expr": "2*dot(x,x)",
        "value": np.array(28.0, dtype=np.float32),
        "shape": (),
        "dtype": np.dtype("float32"),
        "grad_fn": "MulBackward0",
        "grads": {"x": np.array([0.0, 4.0, 8.0, 12.0], dtype=np.float32)},
    }
    assert dumps(result) == (
        '{"expr": "2*dot(x,x)", "value": 28.0, "shape": [], "dtype": "float32", '
        '"grad_fn": "MulBackward0", "grads": {"x": [0.0, 4.0, 8.0, 12.0]}}')


def test_one_line_with_default_separators_and_key_order() -> None:
    text = dumps({"b": [1, 2], "a": {"c": 3}})
    assert text == '{"b": [1, 2], "a": {"c": 3}}'
    assert "\n" not in dumps({"m": np.arange(12.0).reshape(3, 4)})


def test_non_ascii_is_written_as_is() -> None:
    text = dumps({"expr": "∂y/∂x", "message": "naïve"})
    assert text == '{"expr": "∂y/∂x", "message": "naïve"}'


def test_floats_stay_floats_ints_stay_ints_bools_stay_bools() -> None:
    values = [28.0, np.float64(28.0), np.float32(28.0), np.array(28.0),
              7, np.int64(7), np.int32(7), np.uint8(7), np.array(7),
              True, np.bool_(True), np.array(True)]
    assert dumps(values) == "[28.0, 28.0, 28.0, 28.0, 7, 7, 7, 7, 7, true, true, true]"
    converted = to_jsonable(values)
    assert [type(v) for v in converted] == [float] * 4 + [int] * 5 + [bool] * 3


def test_arrays_become_nested_lists() -> None:
    assert to_jsonable(np.arange(6).reshape(2, 3)) == [[0, 1, 2], [3, 4, 5]]
    assert to_jsonable(np.array([[True], [False]])) == [[True], [False]]
    assert dumps(np.arange(4.0).reshape(2, 1, 2)) == "[[[0.0, 1.0]], [[2.0, 3.0]]]"


def test_empty_arrays_keep_their_nesting() -> None:
    assert to_jsonable(np.zeros(0, dtype=np.float32)) == []
    assert to_jsonable(np.zeros((2, 0))) == [[], []]


def test_containers_shapes_and_dtypes() -> None:
    assert to_jsonable((2, 3)) == [2, 3]
    assert to_jsonable(np.zeros((2, 3)).shape) == [2, 3]
    assert to_jsonable(np.dtype("int64")) == "int64"
    assert to_jsonable({"x": (np.float32(0.5), None)}) == {"x": [0.5, None]}
    assert to_jsonable({1: "a"}) == {"1": "a"}


def test_float64_keeps_every_digit() -> None:
    assert dumps(0.1 + 0.2) == "0.30000000000000004"
    assert dumps(np.array([0.1 + 0.2])) == "[0.30000000000000004]"


def test_negative_zero_and_extremes() -> None:
    assert dumps([-0.0, np.float32(-0.0)]) == "[-0.0, -0.0]"
    assert dumps(np.array([1e-45, 3.4028235e38], dtype=np.float32)) == "[1e-45, 3.4028235e+38]"


def test_array_like_objects_are_converted() -> None:
    class Holder:
        def __array__(self, dtype: object = None, copy: object = None) -> np.ndarray:
            return np.array([1.5, 2.5], dtype=np.float32)

    assert dumps({"t": Holder()}) == '{"t": [1.5, 2.5]}'


def test_unsupported_values_are_type_errors() -> None:
    with pytest.raises(TypeError, match="set"):
        to_jsonable({1, 2})
    with pytest.raises(TypeError, match="complex"):
        to_jsonable(np.array([1j]))


def test_input_is_not_modified() -> None:
    array = np.array([np.nan, 1.0], dtype=np.float32)
    dumps({"v": array})
    assert np.isnan(array[0]) and array.dtype == np.float32


# --- NaN and the infinities: strings, never bare constants ---------------------------------

@pytest.mark.parametrize("value", [
    math.nan, np.nan, np.float32(np.nan), np.float16(np.nan), np.array(np.nan),
], ids=["python", "numpy-float64", "float32", "float16", "0-d"])
def test_nan_scalars(value: object) -> None:
    assert dumps(value) == '"NaN"'


def test_nonfinite_in_arrays_of_every_float_dtype() -> None:
    for dtype in (np.float16, np.float32, np.float64, np.longdouble):
        array = np.array([[np.nan, np.inf], [-np.inf, 0.5]], dtype=dtype)
        text = dumps({"v": array})
        assert text == '{"v": [["NaN", "Infinity"], ["-Infinity", 0.5]]}', dtype
        assert strict_loads(text) == {"v": [["NaN", "Infinity"], ["-Infinity", 0.5]]}


def test_python_infinities() -> None:
    text = dumps([math.inf, -math.inf, {"x": math.nan}])
    assert text == '["Infinity", "-Infinity", {"x": "NaN"}]'


def test_big_array_with_a_few_nonfinite_values() -> None:
    rng = np.random.default_rng(1)
    array = rng.standard_normal((300, 400)).astype(np.float32)
    array[7, 9], array[299, 0], array[0, 399] = np.nan, np.inf, -np.inf
    parsed = strict_loads(dumps({"v": array}))
    assert isinstance(parsed, dict)
    rows = parsed["v"]
    assert rows[7][9] == "NaN" and rows[299][0] == "Infinity" and rows[0][399] == "-Infinity"
    back = np.array(decode_nonfinite(rows)).astype(np.float32)
    np.testing.assert_array_equal(back, array)  # NaN compares equal in this helper


def test_strict_loader_does_refuse_bare_nan() -> None:
    # Guards the guard: the helper above really fails on what json.dumps would let through.
    with pytest.raises(ValueError, match="NaN"):
        strict_loads(json.dumps([math.nan]))


# --- float32 and float16: shortest digits that round-trip ---------------------------------

@pytest.mark.parametrize(("value", "text"), [
    (0.1, "0.1"), (1 / 3, "0.33333334"), (16777217.0, "16777216.0"), (2.5, "2.5"),
    (1e-7, "1e-07"), (123456.7, "123456.7"), (-0.0908, "-0.0908"), (1e20, "1e+20"),
])
def test_float32_prints_as_a_human_expects(value: float, text: str) -> None:
    assert dumps(np.float32(value)) == text
    assert dumps(np.array([value], dtype=np.float32)) == f"[{text}]"


def test_float16_prints_shortest() -> None:
    # 65500 is the shortest decimal that reads back as float16 65504, as numpy prints it.
    assert dumps(np.array([0.1, 65504.0, 6e-08], dtype=np.float16)) == "[0.1, 65500.0, 6e-08]"


def test_every_float16_round_trips_and_matches_numpy_repr() -> None:
    every = np.arange(2**16, dtype=np.uint16).view(np.float16)
    finite = every[np.isfinite(every)]
    parsed = strict_loads(dumps(finite))
    assert isinstance(parsed, list)
    back = np.array(parsed, dtype=np.float64)
    np.testing.assert_array_equal(back.astype(np.float16), finite)
    # The same digits numpy's own repr chooses (shortest, then nearest).
    np.testing.assert_array_equal(back, finite.astype(str).astype(np.float64))
    # A value alone (a 0-d result) takes its own path: the same digits.
    assert [to_jsonable(np.asarray(v)) for v in finite] == parsed


def test_float32_bit_patterns_round_trip_and_match_numpy_repr() -> None:
    rng = np.random.default_rng(2024)
    bits = rng.integers(0, 2**32, size=200_000, dtype=np.uint64).astype(np.uint32)
    values = bits.view(np.float32)
    powers_of_two = np.ldexp(np.float32(1), np.arange(-149, 128)).astype(np.float32)
    edges = np.array([np.finfo(np.float32).max, np.finfo(np.float32).tiny,
                      np.finfo(np.float32).smallest_subnormal, 1 - 2**-24, 1 + 2**-23],
                     dtype=np.float32)
    values = np.concatenate([values, powers_of_two, -powers_of_two, edges])
    values = values[np.isfinite(values)]
    parsed = strict_loads(dumps(values))
    assert isinstance(parsed, list)
    back = np.array(parsed, dtype=np.float64)
    np.testing.assert_array_equal(back.astype(np.float32), values)
    np.testing.assert_array_equal(back, values.astype(str).astype(np.float64))


@pytest.mark.parametrize("size", [1, 4, 16, 17, 256, 257, 5000])
def test_small_and_big_arrays_write_the_same_digits(size: int) -> None:
    """Tiny 1-D arrays are written value by value in Python, small ones formatted by numpy
    value by value, big ones by the vectorised search: the same digits."""
    rng = np.random.default_rng(size)
    values = rng.integers(0, 2**32, size=size, dtype=np.uint64).astype(np.uint32).view(np.float32)
    values = values[np.isfinite(values)]
    small = [strict_loads(dumps(v)) for v in values]
    assert strict_loads(dumps(values)) == small
    assert strict_loads(dumps(values)) == strict_loads(dumps(values.reshape(1, -1)))[0]


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_whole_values_write_numpy_repr_digits_alone_and_in_tiny_arrays(dtype: type) -> None:
    """Whole values take a shortcut (their double, without formatting) where every integer
    is a value of the dtype; around and beyond that bound, and off it, the same digits as
    numpy's repr, as a 0-d value and in a tiny 1-D array."""
    bound = 2.0 ** (np.finfo(dtype).nmant + 1)
    near = np.concatenate([np.arange(-40.0, 41.0), bound + np.arange(-6.0, 7.0),
                           -bound + np.arange(-6.0, 7.0), [1e4, 3e4, 6e4, 65504.0, 1e10,
                                                          3.4e38, 2.5, -0.5, 1e-3]])
    with np.errstate(over="ignore"):
        values = near.astype(dtype)
    values = values[np.isfinite(values)]
    expected = [float(str(v)) for v in values]
    assert [to_jsonable(np.asarray(v)) for v in values] == expected
    written = [x for i in range(0, len(values), 16) for x in to_jsonable(values[i:i + 16])]
    assert written == expected
    assert all(type(x) is float for x in written)


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_tiny_arrays_write_special_values_as_bigger_ones_do(dtype: type) -> None:
    specials = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, 0.1, 1e-8, 65504.0], dtype=dtype)
    tiny = to_jsonable(specials)  # 1-D, at most 16 values: the Python path
    rows = to_jsonable(specials.reshape(2, 4))  # 2-D: numpy's formatter
    assert dumps(tiny) == dumps(rows[0] + rows[1])
    assert tiny[5] == 0.1
    assert str(tiny[3]) == "-0.0"


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=3, max_side=5),
                  elements=st.floats(width=32)))
def test_float32_arrays_round_trip_exactly(array: np.ndarray) -> None:
    parsed = strict_loads(dumps({"v": array}))
    assert isinstance(parsed, dict)
    back = np.array(decode_nonfinite(parsed["v"]), dtype=np.float64).astype(np.float32)
    assert back.shape == array.shape
    np.testing.assert_array_equal(back, array)
    finite = array[np.isfinite(array)]
    # No more digits than numpy's repr of the float32 value needs.
    for value, written in zip(finite.ravel(), np.array(to_jsonable(finite)).ravel(), strict=True):
        assert float(written) == float(repr(value).removeprefix("np.float32(").rstrip(")"))


@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_float32_scalar_is_repr_of_its_shortest_digits(value: float) -> None:
    written = to_jsonable(np.float32(value))
    assert isinstance(written, float)
    assert np.float32(written) == np.float32(value)
    assert written == float(str(np.float32(value)))


@given(hnp.arrays(np.int64, hnp.array_shapes(min_dims=0, max_dims=2)))
def test_int64_arrays_are_exact(array: np.ndarray) -> None:
    parsed = strict_loads(dumps(array))
    np.testing.assert_array_equal(np.array(parsed, dtype=np.int64).reshape(array.shape), array)


# --- errors -----------------------------------------------------------------------------------

def test_error_object_without_hint() -> None:
    err = GradcliError("name", "name 'y' is not defined", line=1, column=5)
    obj = error_object("x + y", err)
    assert obj == {"expr": "x + y", "error": {"kind": "name",
                                               "message": "name 'y' is not defined",
                                               "line": 1, "column": 5}}
    assert dumps(obj) == ('{"expr": "x + y", "error": {"kind": "name", "message": '
                          '"name \'y\' is not defined", "line": 1, "column": 5}}')


def test_error_object_with_hint_and_unknown_position() -> None:
    err = GradcliError("io", "cannot load 'a.csv': no such file", hint="check the path")
    assert dumps(error_object("sum(x)", err)) == (
        '{"expr": "sum(x)", "error": {"kind": "io", "message": '
        '"cannot load \'a.csv\': no such file", "line": null, "column": null, '
        '"hint": "check the path"}}')


def test_error_object_for_a_missing_expression() -> None:
    obj = error_object(None, GradcliError("usage", "no expression"))
    assert obj["expr"] is None and "hint" not in obj["error"]
