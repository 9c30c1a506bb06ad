# An error inside a top-level loop: the output so far stays, then the run stops.
import torch

x = torch.tensor(2.0, requires_grad=True)
y = x ** 3
for i in range(3):
    print("backward", i)
    y.backward()
    print(x.grad)
print("never printed")
