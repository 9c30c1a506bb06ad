import torch
# Backward through two pieces of one split: the second frees the graph the third needs.
x = torch.arange(6.0).reshape(3, 2).requires_grad_()
a, b, c = (x * x).split(1)
a.sum().backward(retain_graph=True)
b.sum().backward()
x.grad
c.sum().backward()
