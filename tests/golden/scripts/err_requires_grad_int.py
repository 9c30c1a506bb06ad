# Only floating tensors can require gradients.
import torch

x = torch.arange(4)
x
x.requires_grad_(True)
