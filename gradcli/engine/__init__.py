"""gradcli's reverse-mode autograd engine on numpy. Knows no grammar and no CLI."""

import numpy as np

# PyTorch returns inf and nan silently; so do we (they are reported, never raised).
np.seterr(all="ignore")

# state: the run-wide settings as one value (the CLI finds it loaded with the engine).
from . import dtypes, ops, state  # noqa: E402,F401
from .autograd import bump_version, is_grad_enabled, no_grad, set_grad_enabled  # noqa: E402,F401
from .errors import EngineError  # noqa: E402,F401
from .tensor import DType, Size, Tensor  # noqa: E402,F401
