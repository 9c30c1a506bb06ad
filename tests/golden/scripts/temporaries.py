# A sum or difference may be written into its left operand's buffer when that operand is a
# temporary of the expression (as numpy does): nothing that is held elsewhere may change.
import torch

x = torch.tensor([0.5, 1.0, 1.5, 2.0], requires_grad=True)
y = x * 2
z = y + 1
print(y, z)
t = (x * 2) + 1
print(t)
u = torch.exp(x) + 1
u.sum().backward()
print(x.grad)
x.grad = None
v = torch.sum(torch.exp(x) * torch.sin(x) + x ** 2)
v.backward()
print(v, x.grad)
w = x.detach() + 1
print(x, w)
r = x.reshape(2, 2) + 1
print(x, r)
s = x[0:2] - 1
print(x, s)
o = torch.ones(3, requires_grad=True) + 1
print(o)
q = (x * 3) - x
print(q)
k = torch.arange(4) * 2 + 0.5
print(k)
m = (x * 2) + torch.ones(2, 4)
print(m)
n = (x * 1) + (x * 1)
print(n)
