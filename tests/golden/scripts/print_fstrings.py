# print() with several arguments, sep, f-strings and format specs.
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
l = (x * x).sum()
print("loss", l)
print(f"loss {l}")
print(f"loss {float(l):f}")
print(f"loss {l.item():.3f}")
print(f"loss {l:.2f}")
print(f"mean {float(x.mean()):.6f}, max {float(x.max()):.1f}")
print(f"tiny {1e-7:.2e} big {123456789.0:.3e} general {0.000012345:g}")
print(f"{3:5d}|{3:<5d}|{3:>5}|{'ab':^6}|{7:05d}")
print(f"{2.5:8.3f}|{-2.5:+.1f}|{0.25:.0%}|{1234567:,}")
print(f"shape {x.shape}, dtype {x.dtype}, grad {x.grad}")
print(f"{len(x)} elements, requires_grad={x.requires_grad}")
for epoch in range(3):
    print(f"epoch {epoch + 1}, loss {float(l.mean()):f}")
print("a", 1, 2.5, True, None)
print("a", "b", "c", sep="-")
print("no newline", end="")
print(" then newline")
print()
print(x)
print(x * 2)
print(torch.tensor(1.5), torch.tensor([1, 2]))
print(1 / 3, 2.0, 1e-5, 1e16, 100.0)
print((1, 2.5), (x.shape,))
print(f"{x.sum()}")
print("x =", x.detach())
s = f"{1 + 1} and {2 * 3.5}"
s
print(s)
"a string"
'single'
