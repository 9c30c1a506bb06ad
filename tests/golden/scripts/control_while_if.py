# while, if/elif/else, break, continue, conditional expressions, and/or/not.
import torch

n = 0
while n < 5:
    n += 1
n
k = 0
while True:
    k = k + 1
    if k == 3:
        continue
    if k > 5:
        break
    print("k", k)
def classify(v):
    if v < 0:
        return "negative"
    elif v == 0:
        return "zero"
    elif v < 10:
        return "small"
    else:
        return "large"
classify(-2)
classify(0)
classify(3)
classify(10)
th = torch.tensor(2.0)
if th > 1:
    print("th > 1")
else:
    print("th <= 1")
if torch.tensor([1.0, 2.0]).sum() < 0:
    print("no")
elif (th * 3).item() == 6.0:
    print("six")
b = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
c = b
steps = 0
while c.norm() < 100:
    c = c * 3
    steps += 1
steps
c
c.sum().backward()
b.grad
"big" if c.sum() > 0 else "small"
1 if False else 2
True and False
True or False
not (1 > 2)
0 or 5
3 and 4
None or "default"
x = 5
if x > 3 and x < 10 or x == 0:
    print("in range")
if not x == 5:
    print("not five")
else:
    print("five")
