# Shapes that do not broadcast.
import torch

a = torch.ones(3)
b = torch.ones(4)
a + a
a + b
