import torch

# split, chunk and unbind: gradients through some of the pieces, one backward per piece
x = torch.arange(6.0).reshape(3, 2).requires_grad_()
a, b, c = x.split(1)
a
print(a.grad_fn == b.grad_fn, a.grad_fn == x.split(1)[0].grad_fn)
(a.sum() * 2).backward()
x.grad
(c ** 2).sum().backward()
x.grad
p, q = torch.chunk(x, 2)
(p.sum() + q.sum()).backward()
x.grad
r, s = x.unbind(1)
s
print(r.grad_fn == s.grad_fn)
(r * s).sum().backward()
x.grad
g = torch.autograd.grad((x.split([2, 1])[0] * x[:2]).sum(), x, create_graph=True)[0]
g
u, v, w = x
print(u.grad_fn == w.grad_fn)
h = torch.autograd.grad((u * v * w).sum(), x, create_graph=True)[0]
h
