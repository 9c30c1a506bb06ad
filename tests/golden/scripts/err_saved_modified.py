# A tensor saved for backward, modified in place afterwards: backward refuses.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
z = y * y
z
y += 1
y
z.sum().backward()
