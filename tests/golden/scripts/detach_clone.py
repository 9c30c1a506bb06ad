# detach() leaves the graph and shares storage; clone() stays in the graph.
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
u = y.detach()
u
u.requires_grad
u.is_leaf
u.grad_fn
z = u * x
z.sum().backward()
x.grad
x.grad == u
x.grad.zero_()
c = y.clone()
c
c.sum().backward()
x.grad
x.grad.zero_()
d = x.detach()
d[0] = 42.0
x
d.requires_grad_(True)
d
x.requires_grad
p = torch.tensor([2.0, 3.0], requires_grad=True)
q = p * p.detach()
q
q.sum().backward()
p.grad
p.data
p.data * 2
e = p.clone()
e
e.is_leaf
