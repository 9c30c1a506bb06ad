# backward() through a tensor that does not require grad.
import torch

x = torch.arange(3.0)
y = (x * x).sum()
y
y.backward()
