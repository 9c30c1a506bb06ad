# A second backward through a freed graph fails (the first had no retain_graph=True).
import torch

x = torch.arange(3.0, requires_grad=True)
y = (x * x).sum()
y.backward()
x.grad
y.backward()
