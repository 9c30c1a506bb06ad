"""Names a newcomer types for a function gradcli has under another name, or that only PyTorch has.

A did-you-mean by spelling cannot find ``torch.nn.functional.mse_loss`` from ``mse``; these
tables find it by meaning, and say plainly when PyTorch has a function gradcli lacks."""

from __future__ import annotations

#: name typed -> what to write instead (each a function of the op table, and no name typed is
#: one already: a test checks both).
MEANT = {
    "mse": "torch.nn.functional.mse_loss", "l1": "torch.nn.functional.l1_loss",
    "huber": "torch.nn.functional.huber_loss",
    "crossentropy": "torch.nn.functional.cross_entropy",
    "softmax_cross_entropy": "torch.nn.functional.cross_entropy",
    "nll": "torch.nn.functional.nll_loss", "bce": "torch.nn.functional.binary_cross_entropy",
    "bce_with_logits": "torch.nn.functional.binary_cross_entropy_with_logits",
    "swish": "torch.nn.functional.silu",
    "logistic": "sigmoid", "expit": "sigmoid", "ln": "log", "power": "pow",
    "average": "mean", "avg": "mean", "variance": "var", "stddev": "std", "sqr": "square",
    "hstack": "cat", "vstack": "stack", "tr": "trace", "determinant": "det",
    "matrix_multiply": "matmul", "dotproduct": "dot", "cumulative_sum": "cumsum",
    "argsort": "sort",
}

#: Functions of torch and torch.nn.functional that gradcli does not have (yet).
TORCH_ONLY = frozenset("""
lgamma digamma polygamma erfinv logit xlogy hypot sinc deg2rad rad2deg sgn signbit
relu6 selu celu mish hardswish hardsigmoid logsigmoid softsign tanhshrink softshrink
hardshrink threshold glu prelu rrelu softmin
cosine_similarity pairwise_distance cdist kl_div poisson_nll_loss margin_ranking_loss
triplet_margin_loss hinge_embedding_loss cosine_embedding_loss multi_margin_loss
svd qr eig eigh eigvals eigvalsh cholesky lstsq pinv pinverse matrix_rank matrix_power
matrix_exp kron cross tensordot bmm baddbmm addmm addmv addr chain_matmul
conv1d conv2d conv3d conv_transpose2d max_pool1d max_pool2d avg_pool1d avg_pool2d
adaptive_avg_pool2d batch_norm layer_norm group_norm instance_norm embedding interpolate
pad unfold fold pixel_shuffle
nonzero unique bincount histc searchsorted bucketize median mode quantile nanmean nansum
kthvalue count_nonzero logcumsumexp cummax cummin diff gradient trapezoid
fft ifft rfft meshgrid cartesian_prod combinations block_diag take take_along_dim
scatter scatter_add index_add index_copy masked_select narrow movedim swapdims
""".split())


def function_hint(name: str) -> str | None:
    """What to write instead of the unknown ``name``, or that only PyTorch has it."""
    if name in MEANT:
        return f"did you mean {MEANT[name]}?"
    if name in TORCH_ONLY:
        return (f"PyTorch has {name}, but gradcli does not (yet); 'gradcli ops' lists the "
                "functions it has")
    return None
