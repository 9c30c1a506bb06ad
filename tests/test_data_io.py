"""gradcli.data_io: every format loads with the right dtype, every bad file is an io error."""

from __future__ import annotations

import io
import json
import os
import pickle
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from gradcli.data_io import load_data, supported_formats
from gradcli.errors import GradcliError


def load_error(spec: str | Path, **kwargs: object) -> GradcliError:
    """The GradcliError that loading ``spec`` raises (and nothing else may escape)."""
    with pytest.raises(GradcliError) as info:
        load_data(str(spec), **kwargs)  # type: ignore[arg-type]
    return info.value


def assert_io_error(spec: str | Path, *fragments: str, **kwargs: object) -> GradcliError:
    err = load_error(spec, **kwargs)
    assert err.kind == "io", err
    for fragment in fragments:
        assert fragment in err.message, (fragment, err.message)
    # A data file's line goes in the message: the position fields belong to the gradcli source.
    assert err.line is None and err.column is None
    return err


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture()
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work inside tmp_path, so that relative specs read as users write them."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


# --- .npy -----------------------------------------------------------------------------------

@pytest.mark.parametrize("array", [
    np.arange(4),
    np.arange(6.0).reshape(2, 3),
    np.array([0.5, 1.5], dtype=np.float32),
    np.array([True, False]),
    np.array(3.25),
    np.arange(3, dtype=np.uint8),
    np.array([], dtype=np.float64),
], ids=["int64", "float64-2d", "float32", "bool", "0-d", "uint8", "empty"])
def test_npy_loads_dtype_shape_and_values_as_saved(tmp_path: Path, array: np.ndarray) -> None:
    np.save(tmp_path / "a.npy", array)
    loaded = load_data(str(tmp_path / "a.npy"))
    assert loaded.dtype == array.dtype
    assert loaded.shape == array.shape
    np.testing.assert_array_equal(loaded, array)


def test_npy_big_endian_loads_in_native_byte_order(tmp_path: Path) -> None:
    np.save(tmp_path / "be.npy", np.array([1.0, 2.0], dtype=">f8"))
    loaded = load_data(str(tmp_path / "be.npy"))
    assert loaded.dtype.isnative and loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, [1.0, 2.0])


def test_npy_fortran_order_keeps_values(tmp_path: Path) -> None:
    array = np.asfortranarray(np.arange(6).reshape(2, 3))
    np.save(tmp_path / "f.npy", array)
    np.testing.assert_array_equal(load_data(str(tmp_path / "f.npy")), array)


def test_npy_extension_is_case_insensitive(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.arange(3))
    os.rename(tmp_path / "a.npy", tmp_path / "A.NPY")
    np.testing.assert_array_equal(load_data(str(tmp_path / "A.NPY")), [0, 1, 2])


def test_npy_object_array_is_refused_without_unpickling(tmp_path: Path) -> None:
    sentinel = tmp_path / "pwned"

    class Boom:
        def __reduce__(self) -> tuple[object, tuple[str, str]]:
            return (open, (str(sentinel), "w"))  # unpickling would create the file

    array = np.empty(1, dtype=object)
    array[0] = Boom()
    with open(tmp_path / "evil.npy", "wb") as fp:
        np.save(fp, array, allow_pickle=True)
    err = assert_io_error(tmp_path / "evil.npy", "evil.npy", "pickled", "dtype object")
    assert err.hint is not None and "numeric" in err.hint
    assert not sentinel.exists()


@pytest.mark.parametrize(("array", "fragment"), [
    (np.array(["ab", "cd"]), "<U2 data, not numbers"),
    (np.array([1 + 2j]), "complex numbers (complex128) are not supported"),
    (np.zeros(2, dtype=[("a", "i4"), ("b", "f8")]), "not numbers"),
    (np.array(["2024-01-01"], dtype="datetime64[D]"), "not numbers"),
], ids=["strings", "complex", "structured", "datetime"])
def test_npy_non_numeric_dtypes_are_refused(tmp_path: Path, array: np.ndarray,
                                            fragment: str) -> None:
    np.save(tmp_path / "x.npy", array)
    assert_io_error(tmp_path / "x.npy", fragment)


def test_npy_truncated_data(tmp_path: Path) -> None:
    np.save(tmp_path / "full.npy", np.arange(100.0))
    write(tmp_path / "cut.npy", (tmp_path / "full.npy").read_bytes()[:-16])
    assert_io_error(tmp_path / "cut.npy", "'", "cut.npy", "truncated or corrupt")


def test_npy_truncated_header(tmp_path: Path) -> None:
    np.save(tmp_path / "full.npy", np.arange(3))
    write(tmp_path / "cut.npy", (tmp_path / "full.npy").read_bytes()[:20])
    assert_io_error(tmp_path / "cut.npy", "cut.npy", "malformed .npy header")


def test_npy_garbled_header(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.arange(3))
    data = bytearray((tmp_path / "x.npy").read_bytes())
    data[10:20] = b"!!garbage!"
    write(tmp_path / "x.npy", bytes(data))
    assert_io_error(tmp_path / "x.npy", "malformed .npy header")


def test_npy_that_is_text(tmp_path: Path) -> None:
    write(tmp_path / "text.npy", "1,2,3\n")
    err = assert_io_error(tmp_path / "text.npy", "text.npy", "not a .npy file")
    assert err.hint is not None and "numpy.save" in err.hint


def test_npy_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "empty.npy", b"")
    assert_io_error(tmp_path / "empty.npy", "empty.npy", "the file is empty")


def test_npy_size_limit_is_checked_before_reading_data(tmp_path: Path) -> None:
    # A header promising 10**12 elements with no data behind it: the limit speaks first.
    header = {"descr": "<f8", "fortran_order": False, "shape": (10**6, 10**6)}
    with open(tmp_path / "huge.npy", "wb") as fp:
        np.lib.format.write_array_header_1_0(fp, header)
    err = load_error(tmp_path / "huge.npy", max_elements=1000)
    assert err.kind == "limit"
    assert "1,000,000,000,000 elements" in err.message and "1,000" in err.message
    assert err.hint is not None and "--max-elements" in err.hint


def test_size_limit_applies_to_text_formats(tmp_path: Path) -> None:
    write(tmp_path / "a.json", "[1, 2, 3]")
    assert load_error(tmp_path / "a.json", max_elements=2).kind == "limit"
    assert load_data(str(tmp_path / "a.json"), max_elements=3).shape == (3,)


# --- .npz -----------------------------------------------------------------------------------

@pytest.fixture()
def npz(tmp_path: Path) -> Path:
    path = tmp_path / "data.npz"
    np.savez(path, x=np.arange(3.0), n=np.arange(4), flags=np.array([True]))
    return path


def test_npz_with_key(npz: Path) -> None:
    loaded = load_data(f"{npz}:x")
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, [0.0, 1.0, 2.0])
    assert load_data(f"{npz}:n").dtype == np.int64
    assert load_data(f"{npz}:flags").dtype == np.bool_


def test_npz_bare_with_one_array(tmp_path: Path) -> None:
    np.savez_compressed(tmp_path / "one.npz", w=np.eye(2))
    np.testing.assert_array_equal(load_data(str(tmp_path / "one.npz")), np.eye(2))


def test_npz_bare_with_several_arrays_lists_keys(npz: Path) -> None:
    err = assert_io_error(npz, "data.npz", "3 arrays", "x", "n", "flags", "say which one")
    assert err.hint is not None and f"{npz}:KEY" in err.hint


def test_npz_missing_key_lists_keys(npz: Path) -> None:
    assert_io_error(f"{npz}:y", "no array named 'y'", "its arrays are: x, n, flags")


def test_npz_empty_key(npz: Path) -> None:
    err = assert_io_error(f"{npz}:", "the key after ':' is empty")
    assert err.hint is not None and ":KEY" in err.hint


def test_npz_without_arrays(tmp_path: Path) -> None:
    np.savez(tmp_path / "none.npz")
    assert_io_error(tmp_path / "none.npz", "holds no arrays")


def test_npz_key_may_hold_a_colon(tmp_path: Path) -> None:
    arrays: dict[str, np.ndarray] = {"a:b": np.arange(2)}
    np.savez(tmp_path / "c.npz", **arrays)  # type: ignore[arg-type]
    np.testing.assert_array_equal(load_data(f"{tmp_path / 'c.npz'}:a:b"), [0, 1])


def test_npz_object_member_is_refused(tmp_path: Path) -> None:
    np.savez(tmp_path / "obj.npz", o=np.array([None, 1], dtype=object))
    assert_io_error(f"{tmp_path / 'obj.npz'}:o", "obj.npz", "'o'", "pickled")


def test_npz_that_is_not_a_zip(tmp_path: Path) -> None:
    write(tmp_path / "bad.npz", "not a zip at all")
    err = assert_io_error(tmp_path / "bad.npz", "bad.npz", "not a valid .npz archive")
    assert err.hint is not None and "savez" in err.hint


def test_npz_corrupt_member(tmp_path: Path) -> None:
    np.savez_compressed(tmp_path / "z.npz", x=np.arange(1000.0))
    data = bytearray((tmp_path / "z.npz").read_bytes())
    middle = len(data) // 3
    data[middle:middle + 40] = bytes(40)
    write(tmp_path / "z.npz", bytes(data))
    assert_io_error(f"{tmp_path / 'z.npz'}:x", "z.npz")


def test_npz_empty_file(tmp_path: Path) -> None:
    write(tmp_path / "e.npz", b"")
    assert_io_error(tmp_path / "e.npz", "the file is empty")


# --- .csv -----------------------------------------------------------------------------------

def test_csv_of_integers_is_int64(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "m.csv", "1,2,3\n4,-5,6\n")))
    assert loaded.dtype == np.int64 and loaded.shape == (2, 3)
    np.testing.assert_array_equal(loaded, [[1, 2, 3], [4, -5, 6]])


def test_csv_with_any_float_is_float64(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "m.csv", "1,2\n3,4.5\n")))
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded, [[1.0, 2.0], [3.0, 4.5]])


@pytest.mark.parametrize(("text", "shape"), [
    ("1,2,3\n", (3,)),
    ("1\n2\n3\n", (3,)),
    ("7\n", ()),
    ("1,2\n3,4\n", (2, 2)),
], ids=["one-row", "one-column", "one-cell", "matrix"])
def test_csv_shapes_follow_loadtxt(tmp_path: Path, text: str, shape: tuple[int, ...]) -> None:
    path = write(tmp_path / "s.csv", text)
    loaded = load_data(str(path))
    assert loaded.shape == shape
    np.testing.assert_array_equal(loaded, np.loadtxt(path, delimiter=","))


def test_csv_comments_blank_lines_spaces_and_crlf(tmp_path: Path) -> None:
    text = "# a comment\r\n\r\n 1.5 , 2 # trailing\r\n\t3,4e-1\r\n\n"
    path = write(tmp_path / "c.csv", text)
    loaded = load_data(str(path))
    np.testing.assert_array_equal(loaded, np.loadtxt(path, delimiter=","))
    np.testing.assert_array_equal(loaded, [[1.5, 2.0], [3.0, 0.4]])


def test_csv_nan_and_infinity(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "n.csv", "nan,inf,-inf,1\n")))
    assert loaded.dtype == np.float64
    assert np.isnan(loaded[0]) and loaded[1] == np.inf and loaded[2] == -np.inf


def test_csv_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "b.csv", "\ufeff1,2\n".encode())))
    np.testing.assert_array_equal(loaded, [1, 2])


def test_csv_header_line_is_a_clear_error(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "h.csv", "x,y\n1,2\n"),
                          "h.csv", "line 1, column 1", "'x' is not a number")
    assert err.hint is not None and "header" in err.hint and "'#'" in err.hint


def test_csv_bad_cell_names_its_line_and_column(tmp_path: Path) -> None:
    text = "# header comment\n1,2,3\n4,5,6\n7,eight,9\n"
    err = assert_io_error(write(tmp_path / "b.csv", text),
                          "line 4, column 2", "'eight' is not a number")
    assert err.hint is not None and "numbers" in err.hint


def test_csv_empty_cell(tmp_path: Path) -> None:
    assert_io_error(write(tmp_path / "e.csv", "1,2,\n"), "line 1, column 3",
                    "the value is empty")


def test_csv_ragged_rows(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "r.csv", "1,2,3\n\n4,5\n"),
                          "line 3 has 2 values but line 1 has 3")
    assert err.hint is not None and "same number" in err.hint


def test_csv_integer_too_big_for_int64(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "big.csv", "1,99999999999999999999\n"),
                          "line 1, column 2", "does not fit in 64 bits")
    assert err.hint is not None and "decimal point" in err.hint


def test_csv_int64_extremes_stay_exact(tmp_path: Path) -> None:
    text = f"{2**63 - 1},{-(2**63)}\n"
    loaded = load_data(str(write(tmp_path / "x.csv", text)))
    assert loaded.dtype == np.int64 and loaded.tolist() == [2**63 - 1, -(2**63)]


@pytest.mark.parametrize(("content", "fragment"), [
    (b"", "the file is empty"),
    (b"# nothing here\n\n   \n", "holds no numbers"),
])
def test_csv_without_numbers(tmp_path: Path, content: bytes, fragment: str) -> None:
    assert_io_error(write(tmp_path / "e.csv", content), fragment)


def test_csv_not_utf8(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "l1.csv", b"1,2\n3,\xe9\n"),
                          "l1.csv", "not UTF-8", "0xe9", "offset 6")
    assert err.hint is not None


def test_csv_binary_garbage(tmp_path: Path) -> None:
    np.save(tmp_path / "a.npy", np.arange(3))
    path = write(tmp_path / "wrong.csv", (tmp_path / "a.npy").read_bytes())
    assert_io_error(path, "wrong.csv")


# --- .json ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "dtype", "expected"), [
    ("[[1, 2], [3, 4]]", np.int64, [[1, 2], [3, 4]]),
    ("[1, 2.5]", np.float64, [1.0, 2.5]),
    ("[1.0, 2.0]", np.float64, [1.0, 2.0]),
    ("[true, false]", np.bool_, [True, False]),
    ("[true, 2]", np.int64, [1, 2]),
    ("[true, 2.5]", np.float64, [1.0, 2.5]),
    ("5", np.int64, 5),
    ("-0.5", np.float64, -0.5),
    ("false", np.bool_, False),
    ("[]", np.float64, []),
], ids=["ints", "mixed", "floats", "bools", "bool-int", "bool-float", "int-scalar",
        "float-scalar", "bool-scalar", "empty"])
def test_json_dtypes(tmp_path: Path, text: str, dtype: type, expected: object) -> None:
    loaded = load_data(str(write(tmp_path / "a.json", text)))
    assert loaded.dtype == dtype
    assert loaded.shape == np.asarray(expected).shape
    np.testing.assert_array_equal(loaded, expected)


def test_json_empty_inner_lists_keep_their_shape(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "e.json", "[[], []]")))
    assert loaded.shape == (2, 0) and loaded.dtype == np.float64


def test_json_three_dimensions(tmp_path: Path) -> None:
    array = np.arange(24).reshape(2, 3, 4)
    loaded = load_data(str(write(tmp_path / "t.json", json.dumps(array.tolist()))))
    assert loaded.dtype == np.int64
    np.testing.assert_array_equal(loaded, array)


def test_json_nan_and_infinity_bare_and_as_strings(tmp_path: Path) -> None:
    text = '[NaN, Infinity, -Infinity, "NaN", "Infinity", "-Infinity", 1]'
    loaded = load_data(str(write(tmp_path / "n.json", text)))
    assert loaded.dtype == np.float64
    assert np.isnan(loaded[[0, 3]]).all()
    assert loaded[1] == loaded[4] == np.inf and loaded[2] == loaded[5] == -np.inf
    assert loaded[6] == 1.0


def test_json_ragged_names_the_depth(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "r.json", "[[1, 2], [3]]"),
                          "r.json", "ragged array at depth 2",
                          "[0] has 2 items", "[1] has 1 item")
    assert err.hint is not None and "rectangular" in err.hint


def test_json_ragged_deeper(tmp_path: Path) -> None:
    assert_io_error(write(tmp_path / "r.json", "[[[1, 2], [3, 4]], [[5, 6], [7]]]"),
                    "ragged array at depth 3", "[0][0] has 2 items", "[1][1] has 1 item")


def test_json_lists_mixed_with_numbers(tmp_path: Path) -> None:
    assert_io_error(write(tmp_path / "m.json", "[[1, 2], 3]"),
                    "ragged array at depth 2", "[0] is a list", "[1] is a number")


@pytest.mark.parametrize(("text", "fragment"), [
    ('[1, "two"]', "the item at [1] is the string 'two', not a number"),
    ("[[1, null]]", "the item at [0][1] is null"),
    ('[{"a": 1}]', "the item at [0] is an object"),
    ('"hello"', "the JSON value is the string 'hello'"),
    ("{}", "the JSON value is an object"),
    ("null", "the JSON value is null"),
])
def test_json_non_numbers(tmp_path: Path, text: str, fragment: str) -> None:
    assert_io_error(write(tmp_path / "x.json", text), fragment)


def test_json_integer_too_big_for_int64(tmp_path: Path) -> None:
    err = assert_io_error(write(tmp_path / "b.json", "[1, 100000000000000000000]"),
                          "the item at [1] is the integer", "does not fit in 64 bits")
    assert err.hint is not None and "decimal point" in err.hint


def test_json_huge_integer_among_floats_is_a_float(tmp_path: Path) -> None:
    loaded = load_data(str(write(tmp_path / "b.json", "[0.5, 100000000000000000000]")))
    assert loaded.dtype == np.float64 and loaded[1] == 1e20


@pytest.mark.parametrize(("text", "fragment"), [
    ("[1, 2", "invalid JSON at line 1, column 6"),
    ("[1,\n 2,,]", "invalid JSON at line 2, column 4"),
    ("", "the file is empty"),
    ("   \n", "the JSON text is empty"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
], ids=["unclosed", "double-comma", "empty", "blank", "deep"])
def test_json_malformed(tmp_path: Path, text: str, fragment: str) -> None:
    assert_io_error(write(tmp_path / "bad.json", text), "bad.json", fragment)


def test_json_too_many_dimensions(tmp_path: Path) -> None:
    assert_io_error(write(tmp_path / "d.json", "[" * 70 + "1" + "]" * 70),
                    "more than 64 dimensions")


def test_json_not_utf8(tmp_path: Path) -> None:
    assert_io_error(write(tmp_path / "l.json", b"[1, \xff]"), "not UTF-8")


@given(st.recursive(
    st.lists(st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=False), max_size=4),
    lambda inner: st.lists(inner, min_size=1, max_size=3), max_leaves=20))
def test_json_matches_numpy_for_rectangular_lists(document: list[object]) -> None:
    # hypothesis builds ragged lists too: those must be io errors, the rest must match numpy.
    text = json.dumps(document)
    try:
        loaded = load_data("-", stdin=io.StringIO(text))
    except GradcliError as err:
        assert err.kind == "io" and "ragged" in err.message
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = np.array(document)
    assert loaded.shape == expected.shape
    if loaded.size:
        has_float = any(mark in text for mark in ".eI")  # 2.5, 1e+20, Infinity
        assert loaded.dtype == (np.float64 if has_float else np.int64)
        np.testing.assert_array_equal(loaded, expected.astype(loaded.dtype))


# --- standard input ---------------------------------------------------------------------------

def test_stdin_json() -> None:
    loaded = load_data("-", stdin=io.StringIO("[[1.5, 2], [3, 4]]\n"))
    assert loaded.dtype == np.float64 and loaded.shape == (2, 2)
    np.testing.assert_array_equal(loaded, [[1.5, 2.0], [3.0, 4.0]])


def test_stdin_defaults_to_sys_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("[1, 2, 3]"))
    loaded = load_data("-")
    assert loaded.dtype == np.int64 and loaded.tolist() == [1, 2, 3]


def test_stdin_empty() -> None:
    err = assert_io_error("-", "standard input", "no data arrived", stdin=io.StringIO(""))
    assert err.hint is not None and "echo" in err.hint


def test_stdin_invalid_json() -> None:
    assert_io_error("-", "cannot load standard input", "invalid JSON",
                    stdin=io.StringIO("1, 2, 3"))


def test_stdin_ragged() -> None:
    assert_io_error("-", "standard input", "ragged array at depth 2",
                    stdin=io.StringIO("[[1], [2, 3]]"))


def test_stdin_not_utf8() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"[1, \xff]"), encoding="utf-8")
    assert_io_error("-", "standard input", "not UTF-8", stdin=stream)


def test_stdin_closed() -> None:
    stream = io.StringIO("[1]")
    stream.close()
    assert_io_error("-", "standard input", stdin=stream)


# --- paths and formats ------------------------------------------------------------------------

def test_missing_file_names_it_and_the_directory(cwd: Path) -> None:
    err = assert_io_error("nope.npy", "cannot load 'nope.npy': no such file")
    assert err.hint is not None and str(cwd) in err.hint


def test_missing_absolute_path_has_no_cwd_hint(tmp_path: Path) -> None:
    err = assert_io_error(tmp_path / "nope.json", "no such file")
    assert err.hint is None


def test_directory(cwd: Path) -> None:
    (cwd / "dir.csv").mkdir()
    assert_io_error("dir.csv", "'dir.csv'", "is a directory")


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs POSIX permissions and a non-root user")
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.json", "[1]")
    path.chmod(0)
    try:
        err = assert_io_error(path, "secret.json", "permission denied")
        assert err.hint is not None
    finally:
        path.chmod(0o600)


@pytest.mark.parametrize(("spec", "fragment"), [
    ("data.txt", "unknown file type '.txt'; supported: .npy, .npz, .csv, .json"),
    ("data", "the file name has no extension"),
    ("data.csv:x", "only .npz files take a ':KEY' suffix"),
])
def test_unsupported_specs(cwd: Path, spec: str, fragment: str) -> None:
    write(cwd / "data.txt", "1")
    assert_io_error(spec, f"'{spec}'", fragment)


def test_empty_spec() -> None:
    assert_io_error("", "the path is empty")


def test_tilde_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    np.save(tmp_path / "home.npy", np.arange(2))
    np.testing.assert_array_equal(load_data("~/home.npy"), [0, 1])


def test_file_whose_name_holds_npz_colon_is_a_file(cwd: Path) -> None:
    write(cwd / "odd.npz:x.json", "[1]")
    assert load_data("odd.npz:x.json").tolist() == [1]


def test_every_problem_is_a_gradcli_error(tmp_path: Path) -> None:
    # Random bytes in every format: an io error each time, never another exception.
    garbage = bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8))
    for suffix in (".npy", ".npz", ".csv", ".json"):
        assert_io_error(write(tmp_path / f"g{suffix}", garbage), f"g{suffix}")


def test_supported_formats_lists_every_spec() -> None:
    formats = supported_formats()
    assert list(formats) == [".npy", ".npz", ".csv", ".json", "-"]
    assert all(isinstance(text, str) and text for text in formats.values())
    formats.clear()  # a copy: callers cannot break the module's table
    assert ".npy" in supported_formats()


def test_pickle_module_is_never_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("pickle.load was called")

    monkeypatch.setattr(pickle, "load", refuse)
    monkeypatch.setattr(pickle, "loads", refuse)
    np.save(tmp_path / "o.npy", np.array([1, "a"], dtype=object), allow_pickle=True)
    np.savez(tmp_path / "o.npz", o=np.array([1, "a"], dtype=object))
    assert_io_error(tmp_path / "o.npy", "pickled")
    assert_io_error(f"{tmp_path / 'o.npz'}:o", "pickled")
