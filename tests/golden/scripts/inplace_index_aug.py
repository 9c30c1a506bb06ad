# `a[i] += v` updates a (Python: get a[i], add in place, store a[i]); an element is a view.
import torch

a = torch.zeros(3)
a[0] += 1
a
a[a == 0] += 5
a
b = torch.zeros(2, 3)
b[0, 1] += 1
b[1] -= torch.tensor([1.0, 2.0, 3.0])
b
v = a[1]
v += 5
a
m = torch.zeros(2, 2)
e = m[0, 1]
e += 3
m
w = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
with torch.no_grad():
    w[0] -= 0.5
    w[1:] *= 2
w
w.grad
