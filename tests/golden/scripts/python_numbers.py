# Python numbers: .item(), float(), int(), bool(), builtins and arithmetic as Python does it.
import torch

x = torch.tensor([0.1, 2.5, -3.75])
x.sum().item()
x[0].item()
float(x[1])
float(x.sum())
int(x[1])
int(x[2])
bool(x[0])
torch.tensor(7).item()
torch.tensor(True).item()
torch.arange(5).sum().item()
torch.tensor(2.0, dtype=torch.float64).item() / 3
torch.tensor(0.1, dtype=torch.float64).item()
1 + 2
7 / 2
7 // 2
-7 // 2
-7 % 3
7.5 % 2
2 ** 10
2 ** -1
2.0 ** 0.5
0.1 + 0.2
1 / 3
3 * 1.0
10 / 5
abs(-3)
abs(-2.5)
min(3, 1, 2)
max(3, 1, 2)
min(2.5, 4)
round(2.567, 2)
round(2.5)
round(3.5)
float(3)
int(3.9)
int(-3.9)
bool(0)
True + True
not True
1 < 2 < 3
3 == 3.0
(1, 2) == (1, 2)
len((1, 2, 3))
len(range(5))
n = torch.tensor(3.0).item()
n * 2
print(n, n / 7)
print(x.sum().item())
