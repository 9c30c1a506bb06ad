# torch.autograd.grad: gradients returned as a tuple, .grad untouched; create_graph for more.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 3).sum()
torch.autograd.grad(y, x)
x.grad
y = (x ** 3).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
g
g.requires_grad
g2 = torch.autograd.grad(g.sum(), x)
g2
s = torch.tensor(2.0, requires_grad=True)
f = s ** 4
(df,) = torch.autograd.grad(f, s, create_graph=True)
df
(d2f,) = torch.autograd.grad(df, s, create_graph=True)
d2f
(d3f,) = torch.autograd.grad(d2f, s)
d3f
a = torch.tensor(3.0, requires_grad=True)
b = torch.tensor(4.0, requires_grad=True)
z = a * b + a ** 2
torch.autograd.grad(z, (a, b))
z = a * b + a ** 2
torch.autograd.grad(z, (a, b), retain_graph=True)
torch.autograd.grad(z, b)
v = x * 2
torch.autograd.grad(v, x, grad_outputs=torch.tensor([1.0, 0.5, 0.0]))
a.grad, b.grad
w = torch.tensor(1.5, requires_grad=True)
l = torch.sin(w) * w
(dl,) = torch.autograd.grad(l, w, create_graph=True)
dl
dl.backward()
w.grad
q = torch.tensor(2.0, requires_grad=True)
r = q ** 3
(dr,) = torch.autograd.grad(r, q, create_graph=True)
dr.backward()
q.grad
