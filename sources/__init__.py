"""Data sources: in-memory splits of examples, and the files they come from."""
from akid.sources.cifar import Cifar10FeedSource, Cifar100FeedSource
from akid.sources.download import data_path, download, ensure_files, sha256_of
from akid.sources.idx import read_idx, write_idx
from akid.sources.mnist import MNISTFeedSource
from akid.sources.mnist_subset import MNISTSubsetSource
from akid.sources.source import ArraySource, Source

__all__ = [
    "Source", "ArraySource", "MNISTFeedSource", "MNISTSubsetSource",
    "Cifar10FeedSource", "Cifar100FeedSource",
    "download", "ensure_files", "data_path", "sha256_of", "read_idx", "write_idx",
]
