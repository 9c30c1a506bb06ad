# In-place on a leaf that requires grad is only allowed under torch.no_grad().
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.no_grad():
    w -= 0.1
w
w -= 0.1
