# Leaves and non-leaves: .grad lives on leaves, and on non-leaves only after retain_grad().
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
h = x * 3
h.retain_grad()
k = h + 1
o = (k * k).sum()
o.backward()
x.grad
h.grad
# k is not a leaf and did not retain its grad: None, so nothing is echoed
k.grad
print(k.grad)
x.is_leaf, h.is_leaf, k.is_leaf, o.is_leaf
h.requires_grad
m = x * 2
m.retain_grad()
m.retain_grad()
(m ** 2).sum().backward()
m.grad
x.grad
c = torch.tensor(5.0)
c.is_leaf
c.grad
c.requires_grad
leaf = torch.tensor(1.0, requires_grad=True)
out = leaf * 2
out.retain_grad()
out.backward()
out.grad
leaf.grad
