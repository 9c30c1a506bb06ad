# Views taken before their base changes in place read the base's new values, and their
# gradients go through the base's new history (AsStridedBackward0).
import torch

x = torch.ones(3, requires_grad=True)
y = x * 2
w = y[0:2]
y *= 5
w
w.sum().backward()
x.grad
p = torch.tensor([1.0, 2.0], requires_grad=True)
z = torch.zeros(2, 3)
row = z[1]
col = z[:, 0]
z[1, 1:] = p * 3
row
col
(row * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
p.grad
m = torch.arange(6.0).reshape(2, 3).requires_grad_()
n = m * 1
t = n.t()
n[0] *= 2
t
t.sum().backward()
m.grad
