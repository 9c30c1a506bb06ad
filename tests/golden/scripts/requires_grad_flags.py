# requires_grad: set by requires_grad=, requires_grad_(), attribute assignment; how it spreads.
import torch

a = torch.ones(2)
a.requires_grad
a.requires_grad_()
a.requires_grad
a.requires_grad_(False)
a.requires_grad
b = torch.ones(2)
b.requires_grad = True
b
c = torch.ones(2)
(b + c).requires_grad
(c + c).requires_grad
(b * 0).requires_grad
i = torch.arange(2)
(b * i).requires_grad
(b * i).dtype
(b > 0).requires_grad
b.sum().item()
(b * 2).detach().requires_grad
f = torch.tensor(1.5, requires_grad=True)
g = f * torch.arange(3)
g
torch.tensor(2.0, requires_grad=False)
torch.zeros(3, requires_grad=False).requires_grad
