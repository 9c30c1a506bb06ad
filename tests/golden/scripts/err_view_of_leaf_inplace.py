import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
v = x[0:1]
v *= 3
