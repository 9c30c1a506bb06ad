# An unknown name.
import torch

value = torch.ones(2)
value * 2
valeu * 2
