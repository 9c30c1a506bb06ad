# 0 ** 0 with a tensor exponent: both slopes are 0, as in PyTorch (the base slope was nan).
import torch
x = torch.tensor([0.0, 1.0], requires_grad=True)
y = x ** x
y.sum().backward()
x.grad
b = torch.tensor([0.0, -1.0], requires_grad=True)
e = torch.tensor([0.0, 0.0], requires_grad=True)
(b ** e).sum().backward()
b.grad
