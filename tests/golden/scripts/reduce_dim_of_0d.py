# max/min along dim 0 of a 0-d tensor select its one element (backward was an internal error).
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x.max(0).values
y
y.backward()
x.grad
z = torch.min(x * 3, 0, keepdim=True)
z
z.values.backward()
x.grad
