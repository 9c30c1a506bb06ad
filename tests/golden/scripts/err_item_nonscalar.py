# .item() needs a one-element tensor.
import torch

x = torch.ones(3)
x.sum().item()
x.item()
