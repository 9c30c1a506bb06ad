# for loops over range, a tuple, a tensor's rows, and a 1-D tensor's elements.
import torch

total = 0
for i in range(5):
    total = total + i
total
for i in range(2, 8, 3):
    print(i)
for i in range(3, 0):
    print("never")
acc = torch.zeros(2)
for i in range(3):
    acc = acc + torch.tensor([1.0, 2.0]) * i
acc
for name in ("a", "b"):
    print(name)
for k in (1, 2.5, torch.tensor(3)):
    print(k)
for a, b in ((1, 2), (3, 4)):
    print(a + b)
X = torch.arange(6.0).reshape(3, 2)
for row in X:
    print(row, row.sum())
for v in torch.tensor([10, 20, 30]):
    print(v)
for row in torch.arange(8).reshape(2, 2, 2):
    print(row.shape)
for i in range(3):
    for j in range(3):
        if j > i:
            break
        print(i, j)
i
w = torch.tensor(1.0, requires_grad=True)
y = w
for k in range(4):
    y = y * w
y
y.backward()
w.grad
# Python's prompt echoes expression statements inside top-level blocks too
for i in range(3):
    i * 10
for r in X:
    r
