"""gradcli's torch-style repr against PyTorch's own text (tests/golden/repr_cases.json)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gradcli.render.torch_repr import scalar_repr, size_repr, tensor_repr

GOLDEN = json.loads((Path(__file__).parent / "golden" / "repr_cases.json").read_text())
NP_DTYPES = {
    "float32": "<f4",
    "float64": "<f8",
    "int64": "<i8",
    "int32": "<i4",
    "bool": "bool",
}


def decode(case: dict[str, Any]) -> np.ndarray:
    """The exact array a golden case was printed from."""
    raw = base64.b64decode(case["data"])
    arr = np.frombuffer(raw, dtype=NP_DTYPES[case["dtype"]])
    return arr.reshape(case.get("shape", arr.shape))


def test_corpus_is_large_enough() -> None:
    assert len(GOLDEN["tensors"]) >= 300


@pytest.mark.parametrize("case", GOLDEN["tensors"], ids=[c["id"] for c in GOLDEN["tensors"]])
def test_tensor_repr_matches_torch(case: dict[str, Any]) -> None:
    got = tensor_repr(
        decode(case),
        case["dtype"],
        default_float=case["default_float"],
        requires_grad=case["requires_grad"],
        grad_fn=case["grad_fn"],
        precision=case["precision"],
        full=case["full"],
    )
    assert got == case["repr"]


@pytest.mark.parametrize("case", GOLDEN["sizes"], ids=lambda c: str(c["shape"]))
def test_size_repr_matches_torch(case: dict[str, Any]) -> None:
    assert size_repr(tuple(case["shape"])) == case["repr"]


@pytest.mark.parametrize("case", GOLDEN["items"], ids=lambda c: f"{c['dtype']}-{c['repr']}")
def test_item_repr_matches_torch(case: dict[str, Any]) -> None:
    assert scalar_repr(decode(case)[0]) == case["repr"]


@pytest.mark.parametrize("value, text", [(28.0, "28.0"), (True, "True"), (None, "None"), (3, "3")])
def test_scalar_repr_of_python_values(value: object, text: str) -> None:
    assert scalar_repr(value) == text


def test_data_is_cast_to_the_named_dtype() -> None:
    assert tensor_repr(np.array([1, 2]), "float32") == "tensor([1., 2.])"
    assert tensor_repr(np.array(0.1), "float32") == "tensor(0.1000)"


def test_unknown_dtype_is_rejected() -> None:
    with pytest.raises(ValueError, match="complex64"):
        tensor_repr(np.zeros(2), "complex64")
