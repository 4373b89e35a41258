"""Train the digits classifiers deterministically and export them to ONNX, fp32 and int8.

Run from this directory with the Python that has scikit-learn, skl2onnx and onnxruntime:
`python train.py ../../dataset/digits-sklearn/digits-split.json`. The split, the seeds and the
hyper-parameters are fixed, so the same package versions give the same models; the shipped
`.onnx` files are what it wrote (their sha256 are in this entry's meta).
"""

import gzip
import hashlib
import json
import os
import sys
import warnings

import numpy as np
import sklearn
from onnxruntime.quantization import QuantType, quantize_dynamic
from skl2onnx import to_onnx
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

MODELS = {"mlp256": 256, "mlp32": 32}  # hidden units: the larger one is more accurate, and slower


def load(split_file):
    """Return (train X, train y, test X, test y) of the split the file describes."""
    with open(split_file) as handle:
        split = json.load(handle)
    path = os.path.join(os.path.dirname(sklearn.__file__), "..", split["source"])
    with gzip.open(path, "rt") as handle:
        data = np.loadtxt(handle, delimiter=",")
    x = (data[:, :-1] / split["pixel_scale"]).astype(np.float32)
    y = data[:, -1].astype(np.int64)
    order = np.random.RandomState(split["split_seed"]).permutation(len(y))
    test = order[: int(len(y) * split["test_fraction"])]
    train = order[len(test):]
    return x[train], y[train], x[test], y[test]


def main():
    x, y, tx, ty = load(sys.argv[1])
    digests = {}
    for name, hidden in MODELS.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = MLPClassifier(hidden_layer_sizes=(hidden,), max_iter=60, batch_size=64,
                                  alpha=1e-3, random_state=0).fit(x, y)
        print(f"{name}: accuracy {np.mean(model.predict(tx) == ty):.4f} on {len(ty)} test samples")
        onx = to_onnx(model, x[:1], options={id(model): {"zipmap": False}}, target_opset=17)
        fp32, int8 = f"{name}-fp32.onnx", f"{name}-int8.onnx"
        with open(fp32, "wb") as handle:
            handle.write(onx.SerializeToString())
        quantize_dynamic(fp32, int8, weight_type=QuantType.QInt8)
        for file in (fp32, int8):
            with open(file, "rb") as handle:
                digests[file] = hashlib.sha256(handle.read()).hexdigest()
    print(json.dumps(digests, indent=2))


if __name__ == "__main__":
    main()
