# backward() on a non-scalar needs a gradient argument.
import torch

x = torch.arange(4.0, requires_grad=True)
y = x * x
y
y.backward()
