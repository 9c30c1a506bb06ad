# Lists of numbers given to torch.tensor with a dtype keep every digit: 0.1 is the double 0.1,
# not the float32 0.1 widened (a list literal anywhere else is a float32 tensor).
import torch

x = torch.tensor([0.1, 0.2, 1e-10], dtype=torch.float64)
(x[0] - 0.1).item()
(x[1] - 0.2).item()
x[2].item()
m = torch.tensor([[0.1, 0.3], [1 / 3, 2 / 3]], dtype=torch.float64, requires_grad=True)
(m.sum() - 1.4).item()
d = torch.tensor(data=[0.7], dtype=torch.float64)
(d - 0.7).item()
f = torch.tensor([0.1])
f.dtype
(f.double() - 0.1).item()
