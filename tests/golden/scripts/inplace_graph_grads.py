# In-place changes inside the graph rebase the history: setitem (CopySlices), zero_
# (ZeroBackward0), a view's change reaching its base, and retain_grad() moving along.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y[0:2] *= 3
y[2] += x[0]
y
y.sum().backward()
x.grad
x = torch.ones(3, requires_grad=True)
y = x * 2
w = y[0:2]
w *= torch.tensor([3.0, 5.0])
y
w
(y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
x.grad
x = torch.ones(2, requires_grad=True)
y = x * 2
y.zero_()
y
y.sum().backward()
x.grad
x = torch.ones(2, requires_grad=True)
y = x * 2
y.retain_grad()
y *= 3
y.sum().backward()
y.grad
x.grad
z = torch.zeros(2, 3)
p = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
z[1] = p * p
z[0, 0] = p[2]
z
(z * torch.arange(6.0).reshape(2, 3)).sum().backward()
p.grad
q = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
r = q.exp()
c = r.t()
c[0, 1] = 0.0
r
r.sum().backward()
q.grad
