"""Classify points of four overlapping clusters by their k nearest neighbours; record accuracy and time.

The training set size and k come from the environment (TRAIN_SIZE, K): more training points
classify better and take longer, the trade-off a tournament compares.
"""

import json
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


train_size = int(os.environ.get("TRAIN_SIZE", "200"))
k = int(os.environ.get("K", "5"))
if train_size <= 0 or not 0 < k <= train_size:
    sys.exit(f"need TRAIN_SIZE > 0 and 0 < K <= TRAIN_SIZE (got {train_size}, {k})")
train = sample(train_size, seed=1)
test = sample(400, seed=2)
start = time.perf_counter()
right = 0
for x, y, label in test:
    nearest = sorted(train, key=lambda p: (p[0] - x) ** 2 + (p[1] - y) ** 2)[:k]
    votes = [0] * len(CENTRES)
    for *_, neighbour in nearest:
        votes[neighbour] += 1
    right += votes.index(max(votes)) == label
elapsed = time.perf_counter() - start
accuracy = right / len(test)
print(f"top-1 accuracy {accuracy:.4f} with {train_size} training points and k={k} in {elapsed:.3f} s")
with open("tmp-ck-timer.json", "w") as handle:
    json.dump({"execution_time": elapsed, "accuracy_top1": accuracy,
               "run_time_state": {"train_size": train_size, "k": k, "test_size": len(test)}}, handle)
