# assert statements that hold print nothing.
import torch

x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
assert x.grad.sum() == 24, "gradient sum"
assert len(x) == 4
assert x.shape[0] == 4, "length"
assert y.item() == 28.0
print("all good")
