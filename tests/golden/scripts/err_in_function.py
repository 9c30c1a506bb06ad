# An error inside a function is reported for the top-level statement that called it.
import torch

def mse(a, b):
    d = a - b
    return (d * d).mean()

p = torch.ones(2, 2, requires_grad=True)
mse(p, torch.zeros(2, 2))
mse(p, torch.zeros(3, 2))
