"""An MLPerf-style inference harness for the ONNX digits classifiers (a small LoadGen).

Usage: harness.py SPLIT_FILE MODEL_DIR. The configuration comes from the environment (the
program's `run_vars`): SCENARIO (SingleStream or Offline), MODEL (mlp256 or mlp32), PRECISION
(fp32 or int8), BATCH_SIZE, THREADS, PROVIDER (cpu or cuda), SEED (the sample order),
MIN_QUERY_COUNT and MIN_DURATION_MS. The test set comes from the digits data that ship inside
scikit-learn (found through the CK dependency's CK_ENV_LIB_PYTHON_SCIKIT_LEARN).

Accuracy mode runs every test sample once and compares the predicted labels with the labels.
Performance mode issues queries in a seeded order until both the minimum query count and the
minimum duration are reached: SingleStream sends one sample per query and waits for its answer
(its metric is the 90th percentile latency); Offline sends all samples at once, in batches of
BATCH_SIZE (its metric is throughput). The results are CK characteristics in tmp-ck-timer.json
a MLPerf-like summary in mlperf_log_summary.txt, and the predicted labels in mlperf_log_accuracy.json
(identical wherever the model computes the same answers: what solutions compare digests of).
"""

import gzip
import hashlib
import json
import math
import os
import sys
import time

import numpy as np
import onnxruntime as ort

PROVIDERS = {"cpu": "CPUExecutionProvider", "cuda": "CUDAExecutionProvider"}


def setting(name, default):
    """Return a run variable as an int, or as text when the default is text."""
    value = os.environ.get(name, str(default))
    return int(value) if isinstance(default, int) else value


def test_set(split_file):
    """Return the test samples and labels the split file describes."""
    with open(split_file) as handle:
        split = json.load(handle)
    site = os.environ["CK_ENV_LIB_PYTHON_SCIKIT_LEARN"]
    with gzip.open(os.path.join(site, split["source"]), "rt") as handle:
        data = np.loadtxt(handle, delimiter=",")
    x = (data[:, :-1] / split["pixel_scale"]).astype(np.float32)
    y = data[:, -1].astype(np.int64)
    order = np.random.RandomState(split["split_seed"]).permutation(len(y))
    test = order[: int(len(y) * split["test_fraction"])]
    return x[test], y[test]


def session(path, threads, provider):
    """Open an ONNX Runtime session on one provider with a fixed thread count."""
    if PROVIDERS[provider] not in ort.get_available_providers():
        sys.exit(f"{PROVIDERS[provider]} is not available: this onnxruntime {ort.__version__} "
                 f"offers {', '.join(ort.get_available_providers())}")
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(path, options, providers=[PROVIDERS[provider]])


def accuracy(sess, x, y, batch):
    """Run every test sample once (accuracy mode); return the top-1 accuracy and the predicted labels."""
    name = sess.get_inputs()[0].name
    labels = [sess.run(["label"], {name: x[i:i + batch]})[0] for i in range(0, len(x), batch)]
    predicted = np.concatenate(labels)
    return float(np.mean(predicted == y)), predicted


def performance(sess, x, scenario, batch, seed, min_queries, min_duration_s):
    """Issue queries in a seeded order until both minimums are met; return latencies and counts."""
    name = sess.get_inputs()[0].name
    order = np.random.RandomState(seed).permutation(len(x))
    per_query = 1 if scenario == "SingleStream" else batch
    latencies, samples = [], 0
    for i in range(min(8, len(x))):  # warm-up, not counted
        sess.run(["label"], {name: x[order[i:i + 1]]})
    start = time.perf_counter()
    position = 0
    while len(latencies) < min_queries or time.perf_counter() - start < min_duration_s:
        if position >= len(order):
            position = 0
        query = x[order[position:position + per_query]]
        position += per_query
        issued = time.perf_counter()
        sess.run(["label"], {name: query})
        latencies.append(time.perf_counter() - issued)
        samples += len(query)
    return latencies, samples, time.perf_counter() - start


def percentile(values, fraction):
    """Return the value below which `fraction` of the sorted values lie (LoadGen's rank rule)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def main():
    split_file, model_dir = sys.argv[1], sys.argv[2]
    scenario = setting("SCENARIO", "SingleStream")
    if scenario not in ("SingleStream", "Offline"):
        sys.exit(f"unknown scenario {scenario!r}: SingleStream or Offline")
    model, precision = setting("MODEL", "mlp256"), setting("PRECISION", "fp32")
    batch, threads = setting("BATCH_SIZE", 1), setting("THREADS", 1)
    provider, seed = setting("PROVIDER", "cpu"), setting("SEED", 2026)
    min_queries, min_duration_ms = setting("MIN_QUERY_COUNT", 256), setting("MIN_DURATION_MS", 500)
    model_file = os.path.join(model_dir, f"{model}-{precision}.onnx")
    with open(model_file, "rb") as handle:
        digest = hashlib.sha256(handle.read()).hexdigest()
    x, y = test_set(split_file)
    sess = session(model_file, threads, provider)
    top1, predicted = accuracy(sess, x, y, batch)
    latencies, samples, duration = performance(sess, x, scenario, batch, seed, min_queries,
                                               min_duration_ms / 1000)
    valid = len(latencies) >= min_queries and duration >= min_duration_ms / 1000
    result = {
        "execution_time": duration,
        "accuracy_top1": top1,
        "throughput_samples_per_s": samples / duration,
        "latency_p50_ms": percentile(latencies, 0.5) * 1000,
        "latency_p90_ms": percentile(latencies, 0.9) * 1000,
        "run_time_state": {
            "scenario": scenario, "model": model, "precision": precision, "batch_size": batch,
            "threads": threads, "provider": provider, "seed": seed, "queries": len(latencies),
            "samples": samples, "test_samples": len(y), "min_query_count": min_queries,
            "min_duration_ms": min_duration_ms, "result_valid": valid, "model_sha256": digest,
            "onnxruntime": ort.__version__, "python": sys.version.split()[0],
        },
    }
    with open("tmp-ck-timer.json", "w") as handle:
        json.dump(result, handle, indent=2)
    with open("mlperf_log_accuracy.json", "w") as handle:  # the same bytes wherever the model agrees
        json.dump({"model": f"{model}-{precision}", "labels": [int(v) for v in predicted]}, handle)
        handle.write("\n")
    with open("mlperf_log_summary.txt", "w") as handle:
        handle.write(f"Scenario : {scenario}\nModel : {model} {precision}, batch {batch}, "
                     f"{threads} thread(s), {provider}\nResult is : {'VALID' if valid else 'INVALID'}\n"
                     f"Accuracy (top-1) : {top1:.4f} on {len(y)} samples\n"
                     f"90th percentile latency (ns) : {round(result['latency_p90_ms'] * 1e6)}\n"
                     f"Samples per second : {result['throughput_samples_per_s']:.1f}\n"
                     f"Queries : {len(latencies)} in {duration:.3f} s (min {min_queries}, "
                     f"{min_duration_ms} ms)\n")
    print(open("mlperf_log_summary.txt").read(), end="")


if __name__ == "__main__":
    main()
