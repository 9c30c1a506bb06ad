import torch
# First derivatives under create_graph record PyTorch's nodes, and second ones follow them.
x = torch.tensor([0.5, -1.0, 2.0], requires_grad=True)
(g,) = torch.autograd.grad(torch.tanh(x).sum(), x, create_graph=True)
g
torch.autograd.grad(g.sum(), x)
(g,) = torch.autograd.grad(torch.sigmoid(x).sum(), x, create_graph=True)
g
torch.autograd.grad(g.sum(), x)
(g,) = torch.autograd.grad(torch.relu(x).sum(), x, create_graph=True)
g
g.requires_grad
torch.autograd.grad(g.sum(), x)
w = torch.tensor([1.0, -2.0, 0.5])
(g,) = torch.autograd.grad((torch.softmax(x, 0) * w).sum(), x, create_graph=True)
g
torch.autograd.grad(g[0], x)
(g,) = torch.autograd.grad((torch.log_softmax(x, 0) * w).sum(), x, create_graph=True)
g
torch.autograd.grad(g[1], x)
A = torch.tensor([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]], dtype=torch.float64, requires_grad=True)
(G,) = torch.autograd.grad(torch.tanh(A).sum() + torch.softmax(A, 1)[:, 0].sum(), A, create_graph=True)
G
(H,) = torch.autograd.grad((G * G).sum(), A)
H
