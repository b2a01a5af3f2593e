"""Data sources: in-memory splits of examples, and the files they come from."""
from akid.sources.cifar import Cifar10FeedSource, Cifar100FeedSource
from akid.sources.cifar_tf import Cifar10TFSource, Cifar100TFSource
from akid.sources.download import data_path, download, ensure_files, sha256_of
from akid.sources.idx import read_idx, write_idx
from akid.sources.imagenet import ImagenetTFSource
from akid.sources.mnist import MNISTFeedSource
from akid.sources.mnist_subset import MNISTSubsetSource
from akid.sources.rotated_mnist import RotatedMNISTFeedSource
from akid.sources.source import ArraySource, Source

__all__ = [
    "Source", "ArraySource", "MNISTFeedSource", "MNISTSubsetSource", "RotatedMNISTFeedSource",
    "Cifar10FeedSource", "Cifar100FeedSource", "Cifar10TFSource", "Cifar100TFSource",
    "ImagenetTFSource",
    "download", "ensure_files", "data_path", "sha256_of", "read_idx", "write_idx",
]
