# Big and tiny values: PyTorch switches to scientific notation, or widens the columns.
import torch

torch.tensor([1e10, 1.0])
torch.tensor([1e-5, 1.0])
torch.tensor([1e-8, 1e-9])
torch.tensor(1e-8)
torch.tensor(1e10)
torch.tensor(123456.0)
torch.tensor([123456.0, 1.0])
torch.tensor([123456.5, 1.0])
torch.tensor([1e8, 2.0])
torch.tensor([1e7, 2.5])
torch.tensor([0.0001, 1000.0])
torch.tensor([0.001, 0.002])
torch.tensor([1e-4, 2e-4])
torch.tensor([1e20, -1e-20])
torch.tensor([[1e-3, 5e5], [2.0, 3.0]])
torch.tensor([12345.678, 0.5])
torch.tensor([99999.0, 100000.0])
torch.tensor([1e15, 1.0], dtype=torch.float64)
torch.tensor([1e-10, 1.0], dtype=torch.float64)
torch.tensor([1e10, 1.0], requires_grad=True)
torch.exp(torch.tensor([10.0, 20.0, 30.0]))
torch.exp(-torch.arange(0.0, 40.0, 10.0))
torch.tensor([1000, 100000000])
1e20
1e-7
123456789.0 * 10
print(torch.tensor([1e-5, 1.0]))
