# Matrix product of incompatible shapes.
import torch

A = torch.ones(2, 3)
B = torch.ones(3, 2)
A @ B
A @ A
