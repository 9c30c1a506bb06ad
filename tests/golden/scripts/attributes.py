# Attributes and sizes: shape (torch.Size), dtype, requires_grad, is_leaf, grad, ndim, T.
import torch

x = torch.arange(6.0).reshape(2, 3)
x.shape
x.shape[0]
x.shape[1]
x.size()
x.size(1)
x.dtype
x.ndim
x.dim()
x.numel()
len(x)
x.requires_grad
x.is_leaf
x.grad
x.grad_fn
x.T
x.T.shape
torch.tensor(3.0).shape
torch.tensor(3.0).ndim
torch.arange(24).reshape(2, 3, 4).shape
torch.ones(0).shape
w = torch.ones(3, requires_grad=True)
w.requires_grad
w.is_leaf
y = w * 2
y.requires_grad
y.is_leaf
y.sum().is_leaf
w.detach().is_leaf
w.detach().requires_grad
i = torch.arange(3)
i.dtype
i.requires_grad
i.is_leaf
(i * 1.5).dtype
(i > 0).dtype
torch.tensor(1.0, dtype=torch.float64).dtype
x.data
w.data
print(x.shape, x.dtype, x.requires_grad, x.is_leaf)
print(len(torch.zeros(5, 2)))
