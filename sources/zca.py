"""The CIFAR preprocessing of the maxout paper: global contrast normalization, then ZCA whitening.

akid's `use_zca=True` sources read `work_dir/pylearn2_gcn_whitened/train.npy`
and `test.npy`, which pylearn2's `make_cifar10_gcn_whitened.py` wrote. pylearn2
is gone, so when those files are missing akid makes them the same way (GCN
with scale 55, ZCA with filter bias 0.1, fitted on the training images) and
keeps them there for the next run; files already there are read as they are.
"""
import os
import tempfile

import numpy as np
from absl import logging

ZCA_FOLDER = "pylearn2_gcn_whitened"
GCN_SCALE = 55.0
FILTER_BIAS = 0.1


def global_contrast_normalize(x, scale=GCN_SCALE, min_divisor=1e-8):
    """Each row minus its mean, divided by its L2 norm / `scale` (pylearn2's default GCN)."""
    x = x - x.mean(axis=1, keepdims=True)
    norms = np.sqrt((x ** 2).sum(axis=1, keepdims=True)) / scale
    norms[norms < min_divisor] = 1.0
    return x / norms


def fit_zca(x, filter_bias=FILTER_BIAS):
    """The ZCA whitening fitted on rows `x`, as a function of rows: (rows - mean) @ P with
    P = (C + filter_bias I)^(-1/2), C the covariance of `x` (pylearn2's ZCA).

    With fewer rows than columns, C is found from the rows' Gram matrix, and P
    is applied without forming it: 1 / sqrt(filter_bias) outside the rows' span.
    """
    mean = x.mean(axis=0)
    centered = x - mean
    n, d = centered.shape
    if n >= d:
        eigs, basis = np.linalg.eigh(centered.T @ centered / n)
    else:
        eigs, vectors = np.linalg.eigh(centered @ centered.T / n)
        keep = eigs > 1e-10 * max(eigs.max(), 1e-30)
        eigs = eigs[keep]
        basis = centered.T @ vectors[:, keep] / np.sqrt(n * eigs)
    outside = 1.0 / np.sqrt(filter_bias)
    gain = 1.0 / np.sqrt(np.maximum(eigs, 0) + filter_bias) - outside

    def whiten(rows):
        rows = rows - mean
        return ((rows @ basis) * gain) @ basis.T + rows * outside

    return whiten


def _to_rows(images):
    """(N, H, W, C) images as (N, C * H * W) float64 rows, in CIFAR's channel-major order."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1).astype(np.float64)


def _to_images(rows, like):
    n, h, w, c = like.shape
    return np.ascontiguousarray(rows.reshape(n, c, h, w).transpose(0, 2, 3, 1), np.float32)


def _save(path, array):
    """Writes `array` to `path` atomically (a temporary file renamed onto it)."""
    with tempfile.NamedTemporaryFile(dir=os.path.dirname(path), suffix=".npy.part",
                                     delete=False) as tmp:
        np.save(tmp, array)
    os.replace(tmp.name, path)


def gcn_whitened(owner, work_dir, train_images, test_images):
    """The GCN + ZCA whitened float32 (N, H, W, C) train and test images.

    Read from `work_dir/pylearn2_gcn_whitened/{train,test}.npy` ((N, C * H * W)
    rows, as pylearn2 wrote them) when both are there, else computed from the
    images and written there. A file whose row count is not the image count
    is an error that names it.

    Args:
      owner: who asks, for error messages.
      work_dir: the source's folder.
      train_images, test_images: (N, H, W, C) images, 0..255.
    """
    folder = os.path.join(work_dir, ZCA_FOLDER)
    paths = {split: os.path.join(folder, f"{split}.npy") for split in ("train", "test")}
    images = {"train": train_images, "test": test_images}
    if all(os.path.isfile(p) for p in paths.values()):
        rows = {split: np.load(p) for split, p in paths.items()}
        for split, array in rows.items():
            if array.ndim != 2 or array.shape != (len(images[split]), images[split][0].size):
                raise ValueError(f"{owner}: {paths[split]} holds an array of shape "
                                 f"{array.shape}, not the ({len(images[split])}, "
                                 f"{images[split][0].size}) rows of the {split} images; move "
                                 f"it away to have it made afresh")
    else:
        logging.info("%s: writing GCN + ZCA whitened images to %s", owner, folder)
        rows = {split: global_contrast_normalize(_to_rows(x)) for split, x in images.items()}
        whiten = fit_zca(rows["train"])
        rows = {split: whiten(r).astype(np.float32) for split, r in rows.items()}
        os.makedirs(folder, exist_ok=True)
        for split, path in paths.items():
            _save(path, rows[split])
    return tuple(_to_images(rows[split], images[split]) for split in ("train", "test"))
