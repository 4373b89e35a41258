"""Classify points of four overlapping clusters with a softmax linear model trained by SGD.

EPOCHS and TRAIN_SIZE come from the environment: more passes over more data classify better and
take longer, the trade-off a tournament compares. Accuracy and time go to tmp-ck-timer.json.
"""

import json
import math
import os
import random
import sys
import time

CENTRES = [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0), (2.0, 2.0)]


def sample(count, seed):
    rng = random.Random(seed)
    points = []
    for n in range(count):
        label = n % len(CENTRES)
        cx, cy = CENTRES[label]
        points.append((rng.gauss(cx, 0.9), rng.gauss(cy, 0.9), label))
    return points


def scores(weights, x, y):
    return [w0 + w1 * x + w2 * y for w0, w1, w2 in weights]


epochs = int(os.environ.get("EPOCHS", "5"))
train_size = int(os.environ.get("TRAIN_SIZE", "1000"))
if epochs <= 0 or train_size <= 0:
    sys.exit(f"need EPOCHS > 0 and TRAIN_SIZE > 0 (got {epochs}, {train_size})")
train = sample(train_size, seed=1)
test = sample(400, seed=2)
start = time.perf_counter()
weights = [[0.0, 0.0, 0.0] for _ in CENTRES]
rng = random.Random(3)
rate = 0.05
for _ in range(epochs):
    rng.shuffle(train)
    for x, y, label in train:
        s = scores(weights, x, y)
        top = max(s)
        e = [math.exp(v - top) for v in s]
        total = sum(e)
        for c, w in enumerate(weights):
            g = e[c] / total - (c == label)
            w[0] -= rate * g
            w[1] -= rate * g * x
            w[2] -= rate * g * y
right = 0
for x, y, label in test:
    s = scores(weights, x, y)
    right += s.index(max(s)) == label
elapsed = time.perf_counter() - start
accuracy = right / len(test)
print(f"top-1 accuracy {accuracy:.4f} after {epochs} epochs over {train_size} points in {elapsed:.3f} s")
with open("tmp-ck-timer.json", "w") as handle:
    json.dump({"execution_time": elapsed, "accuracy_top1": accuracy,
               "run_time_state": {"epochs": epochs, "train_size": train_size, "test_size": len(test)}}, handle)
