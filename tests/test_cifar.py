"""CIFAR-10/100 sources: tiny tarballs in the real format, served over local HTTP."""
import hashlib
import io
import os
import pickle
import tarfile

import numpy as np
import pytest
from local_server import LocalServer

from akid.sources import Cifar10FeedSource, Cifar100FeedSource
from akid.sources.cifar import (CIFAR10_FILE, CIFAR10_SHA256, CIFAR100_SHA256,
                               CIFAR_URL)
from akid.sources.download import ChecksumError

PER_BATCH, NUM_TEST = 4, 3


def pickled(batch):
    """A protocol-2 pickle naming numpy 1's module, as the real (Python 2) files do."""
    return pickle.dumps(batch, protocol=2).replace(b"numpy._core.multiarray",
                                                   b"numpy.core.multiarray")


def write_tarball(path, members):
    with tarfile.open(path, "w:gz") as tar:
        for name, batch in members.items():
            data = pickled(batch) if isinstance(batch, dict) else batch
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def cifar_rows(rng, n):
    """(N, 3072) uint8 rows (R, G, B planes, row-major) and the (N, 32, 32, 3) images they hold."""
    images = rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)
    return images.transpose(0, 3, 1, 2).reshape(n, 3072), images


@pytest.fixture
def served(tmp_path):
    folder = tmp_path / "served"
    folder.mkdir()
    server = LocalServer(folder)
    yield folder, server
    server.close()


def make_cifar10(folder):
    rng = np.random.default_rng(0)
    members, train_images, train_labels = {}, [], []
    for i in range(1, 6):
        rows, imgs = cifar_rows(rng, PER_BATCH)
        labels = rng.integers(0, 10, PER_BATCH).tolist()
        members[f"cifar-10-batches-py/data_batch_{i}"] = {
            b"batch_label": f"training batch {i} of 5".encode(), b"labels": labels,
            b"data": rows, b"filenames": [b"x.png"] * PER_BATCH}
        train_images.append(imgs)
        train_labels += labels
    rows, test_images = cifar_rows(rng, NUM_TEST)
    test_labels = rng.integers(0, 10, NUM_TEST).tolist()
    members["cifar-10-batches-py/test_batch"] = {b"labels": test_labels, b"data": rows}
    members["cifar-10-batches-py/batches.meta"] = {b"label_names": [b"airplane"] * 10}
    members["cifar-10-batches-py/readme.html"] = b"<html></html>"
    path = folder / "cifar-10-python.tar.gz"
    write_tarball(path, members)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, (np.concatenate(train_images), np.array(train_labels),
                    test_images, np.array(test_labels))


def test_cifar10_downloads_checks_and_reads_the_tarball(served, tmp_path):
    folder, server = served
    digest, (x, y, xt, yt) = make_cifar10(folder)
    work_dir = tmp_path / "data"
    source = Cifar10FeedSource(url=server.url, work_dir=work_dir, sha256=digest, num_val=5,
                               scale=False)
    assert server.requests == ["/cifar-10-python.tar.gz"]
    assert (work_dir / "cifar-10-python.tar.gz").is_file()
    assert (source.num_train, source.num_val, source.num_test) == (15, 5, 3)
    assert source.shape == (32, 32, 3) and source.num_classes == 10
    tx, ty = source.arrays("train")
    vx, vy = source.arrays("val")
    assert tx.dtype == np.uint8 and ty.dtype == np.int32
    np.testing.assert_array_equal(tx, x[:15])
    np.testing.assert_array_equal(vx, x[15:])
    np.testing.assert_array_equal(np.concatenate([ty, vy]), y)
    np.testing.assert_array_equal(source.arrays("test")[0], xt)
    np.testing.assert_array_equal(source.arrays("test")[1], yt)

    # Present and valid: no second download. Scaled and limited as asked.
    scaled = Cifar10FeedSource(url=server.url, work_dir=work_dir, sha256=digest, num_val=5,
                               num_train=10)
    assert len(server.requests) == 1
    assert scaled.num_train == 10 and scaled.arrays("train")[0].dtype == np.float32
    np.testing.assert_allclose(scaled.arrays("train")[0], x[:10] / np.float32(255))


def test_a_users_own_tarball_is_never_touched_and_a_bad_download_not_kept(served, tmp_path):
    folder, server = served
    digest, (_, _, _, yt) = make_cifar10(folder)
    work_dir = tmp_path / "mine"
    work_dir.mkdir()
    mine = (folder / CIFAR10_FILE).read_bytes()
    (work_dir / CIFAR10_FILE).write_bytes(mine)  # the user's copy, not the official bytes
    with pytest.raises(ChecksumError, match=rf"(?s){CIFAR10_FILE}: SHA-256 {digest}, expected "
                                            rf"{CIFAR10_SHA256[CIFAR10_FILE]}.*"
                                            r"sha256=\{'cifar-10-python.tar.gz': None\}.*"
                                            r"sha256=None.*move them out"):
        Cifar10FeedSource(url=server.url, work_dir=work_dir, num_val=5)
    assert server.requests == [] and os.listdir(work_dir) == [CIFAR10_FILE]
    assert (work_dir / CIFAR10_FILE).read_bytes() == mine
    for sha256 in (None, {CIFAR10_FILE: None}, digest):  # the ways on
        source = Cifar10FeedSource(url=server.url, work_dir=work_dir, num_val=5, sha256=sha256)
        np.testing.assert_array_equal(source.arrays("test")[1], yt)
    assert server.requests == []

    other = tmp_path / "other"
    with pytest.raises(ChecksumError, match="failed its SHA-256 check"):
        Cifar10FeedSource(url=server.url, work_dir=other, sha256="0" * 64, num_val=5)
    assert not os.listdir(other)  # nothing kept, not even a partial file


def test_cifar100_fine_and_coarse_labels(served, tmp_path):
    folder, server = served
    rng = np.random.default_rng(1)
    rows, x = cifar_rows(rng, 12)
    test_rows, xt = cifar_rows(rng, NUM_TEST)
    fine, coarse = rng.integers(0, 100, 12), rng.integers(0, 20, 12)
    members = {
        "cifar-100-python/train": {b"data": rows, b"fine_labels": fine.tolist(),
                                   b"coarse_labels": coarse.tolist()},
        "cifar-100-python/test": {b"data": test_rows, b"fine_labels": [1, 2, 3],
                                  b"coarse_labels": [4, 5, 6]},
        "cifar-100-python/meta": {b"fine_label_names": [b"apple"] * 100},
    }
    write_tarball(folder / "cifar-100-python.tar.gz", members)
    digests = {"cifar-100-python.tar.gz": None}  # no check
    sources = {mode: Cifar100FeedSource(url=server.url, work_dir=tmp_path / "data", num_val=2,
                                        sha256=digests, label_mode=mode, scale=False)
               for mode in ("fine", "coarse")}
    assert len(server.requests) == 1
    assert sources["fine"].num_classes == 100 and sources["coarse"].num_classes == 20
    np.testing.assert_array_equal(sources["fine"].arrays("train")[1], fine[:10])
    np.testing.assert_array_equal(sources["coarse"].arrays("val")[1], coarse[10:])
    np.testing.assert_array_equal(sources["coarse"].arrays("test")[1], [4, 5, 6])
    np.testing.assert_array_equal(sources["fine"].arrays("train")[0], x[:10])
    np.testing.assert_array_equal(sources["fine"].arrays("test")[0], xt)
    with pytest.raises(ValueError, match=r"unknown label_mode 'medium'; .*'fine', 'coarse'"):
        Cifar100FeedSource(work_dir=tmp_path / "data", label_mode="medium")


def test_pickles_may_only_hold_arrays(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("true",))

    members = {f"cifar-10-batches-py/{m}": {b"data": Evil(), b"labels": []}
               for m in ["test_batch"] + [f"data_batch_{i}" for i in range(1, 6)]}
    write_tarball(tmp_path / "cifar-10-python.tar.gz", members)
    with pytest.raises(pickle.UnpicklingError, match="may only hold numpy arrays.*system"):
        Cifar10FeedSource(work_dir=tmp_path, sha256={"cifar-10-python.tar.gz": None})


def test_a_tarball_without_the_batches_and_bad_arguments(tmp_path):
    write_tarball(tmp_path / "cifar-10-python.tar.gz", {"something/else": b"x"})
    with pytest.raises(ValueError, match="lacks cifar-10-batches-py/data_batch_1"):
        Cifar10FeedSource(work_dir=tmp_path, sha256={"cifar-10-python.tar.gz": None})
    with pytest.raises(ValueError, match=r"sha256 must be 'official' \(the default\), a hex "
                                         r"digest, None .*some of cifar-10-python.tar.gz"):
        Cifar10FeedSource(work_dir=tmp_path, sha256={"train.gz": None})


def test_official_url_and_digests():
    assert CIFAR_URL == "https://www.cs.toronto.edu/~kriz/"
    for digests in (CIFAR10_SHA256, CIFAR100_SHA256):
        (digest,) = digests.values()
        assert len(digest) == 64 and int(digest, 16) >= 0
