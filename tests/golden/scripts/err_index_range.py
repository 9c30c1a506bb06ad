# An index out of range.
import torch

x = torch.arange(3.0)
x[2]
x[5]
