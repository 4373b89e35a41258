"""Estimate pi with the Leibniz series and record the estimate and the kernel time as CK does."""

import json
import os
import sys
import time

terms = int(os.environ.get("PI_TERMS", "200000"))
if terms <= 0:
    sys.exit(f"PI_TERMS must be positive (got {terms})")
start = time.perf_counter()
total = 0.0
sign = 1.0
for k in range(terms):
    total += sign / (2 * k + 1)
    sign = -sign
elapsed = time.perf_counter() - start
estimate = 4 * total
print(f"pi ~ {estimate:.10f} after {terms} terms")
with open("tmp-ck-timer.json", "w") as handle:
    json.dump({"execution_time": elapsed, "run_time_state": {"pi": estimate, "terms": terms}}, handle)
