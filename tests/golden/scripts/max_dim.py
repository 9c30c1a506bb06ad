# max/min with a dim return (values, indices) named tuples; reductions without a dim do not.
import torch

A = torch.tensor([[1, 5, 3, 7], [8, 2, 6, 4]])
torch.max(A, dim=1)
torch.max(A, 0)
A.max(dim=1)
torch.min(A, dim=1)
A.min(1, keepdim=True)
torch.max(A)
A.max()
torch.argmax(A, dim=1)
A.argmin()
torch.amax(A, dim=0)
values, indices = torch.max(A, 1)
values
indices
X = torch.tensor([[1.0, 5.0, 3.0], [8.0, 2.0, 6.0]], requires_grad=True)
m = torch.max(X, dim=1)
m
vals, idx = m
vals.sum().backward()
X.grad
X.grad.zero_()
X.max().backward()
X.grad
X.grad.zero_()
torch.amax(X, dim=1).sum().backward()
X.grad
Y = torch.tensor([[2.0, 2.0], [1.0, 3.0]], requires_grad=True)
Y.max().backward()
Y.grad
Y.grad.zero_()
torch.amax(Y, dim=1).sum().backward()
Y.grad
torch.max(torch.tensor([1.0, 4.0]), torch.tensor([3.0, 2.0]))
max(3, 7)
print(torch.max(A, dim=1))
