# retain_graph=True keeps the graph for another backward; gradients accumulate.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x ** 2).sum()
y.backward(retain_graph=True)
x.grad
y.backward(retain_graph=True)
x.grad
y.backward()
x.grad
x.grad.zero_()
a = x * 2
b = a * a
c = a + b
c.sum().backward()
x.grad
x.grad = None
u = x.sum()
v = u * u
w = u + v
w.backward()
x.grad
s = torch.tensor(3.0, requires_grad=True)
cube = s * s * s
cube.backward(retain_graph=True)
s.grad
cube.backward(retain_graph=True)
s.grad
s.grad.zero_()
cube.backward()
s.grad
