# requires_grad=True and grad_fn= suffixes, also on tensors printed over several lines.
import torch

W = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
W
W * 2
W + 1
W - 1
W / 2
W @ torch.ones(3, 2)
W.sum(dim=0)
W.sum(1, keepdim=True)
W.mean()
W.T
W.reshape(3, 2)
W.exp()
torch.arange(24.0, requires_grad=True).reshape(2, 3, 4)
-W
W ** 2
2 ** W
torch.tanh(W)
torch.relu(W - 3)
W[0]
W[:, 1]
W.t()
torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
torch.ones(2, 2, dtype=torch.float64, requires_grad=True) * 3
torch.tensor(2.5, requires_grad=True) * torch.tensor(2.0)
