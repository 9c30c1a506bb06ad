# Indexing, slicing, fancy and boolean indices; gradients scatter back (and accumulate).
import torch

x = torch.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
x[0]
x[-1]
x[1:3]
x[2:]
x[:2]
x[::2]
x[[0, 0, 1]]
y = x[[0, 0, 1]]
y.sum().backward()
x.grad
x.grad.zero_()
x[x > 2]
x > 2
x[x > 2].sum().backward()
x.grad
x.grad.zero_()
(x[1:3] * torch.tensor([10.0, 20.0])).sum().backward()
x.grad
X = torch.arange(12.0).reshape(3, 4)
X.requires_grad_(True)
X[1]
X[1, 2]
X[:, 0]
X[0, :]
X[1:, 2:]
X[..., 1]
X[:, None, 0]
X[None]
x[..., None]
X[[0, 2]]
X[[0, 1, 2], [3, 2, 1]]
X[torch.tensor([2, 0])]
X[X > 6]
X[:, 0].sum().backward()
X.grad
(X[[0, 2, 2], [1, 1, 1]] * 2).sum().backward()
X.grad
i = torch.tensor([1, 1, 3])
z = torch.tensor([10.0, 20.0, 30.0, 40.0], requires_grad=True)
(z[i] ** 2).sum().backward()
z.grad
A = torch.arange(24).reshape(2, 3, 4)
A[1, 2, 3]
A[:, 1]
A[0, :, 1:3]
A[1][0]
y_idx = torch.tensor([0, 2])
P = torch.tensor([[0.1, 0.3, 0.6], [0.3, 0.2, 0.5]])
P[[0, 1], y_idx]
P[range(2), y_idx]
