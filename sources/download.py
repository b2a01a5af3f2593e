"""Atomic, checksummed downloads of data files, and where akid keeps them."""
import contextlib
import hashlib
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Mapping

from absl import logging
from tqdm import tqdm

_CHUNK = 1 << 20
OFFICIAL = "official"  # a source's default `sha256=`: check every file against its official digest


class ChecksumError(ValueError):
    """A file's SHA-256 is not the expected one; `files` maps each path to (expected, actual).

    A ValueError, so existing handlers still catch it; its own class so that a
    caller can tell "these bytes differ" from a bad argument, and read the digests.
    """

    def __init__(self, message, files):
        super().__init__(message)
        self.files = files


def data_path(*parts):
    """Returns `$AKID_DATA_PATH` (default `~/.akid/data`) joined with `parts`."""
    root = os.environ.get("AKID_DATA_PATH") or os.path.join("~", ".akid", "data")
    return os.path.join(os.path.expanduser(root), *parts)


def sha256_of(path):
    """Returns the SHA-256 hex digest of the file at `path`, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_digest(name, sha256):
    if sha256 is not None and not (isinstance(sha256, str)
                                   and re.fullmatch(r"[0-9a-fA-F]{64}", sha256)):
        raise ValueError(f"the SHA-256 of {name} must be 64 hex digits or None, got {sha256!r}")
    return sha256.lower() if sha256 else None


def expected_digests(owner, official, sha256):
    """{file name: hex digest or None (trusted)} from a source's `sha256=` argument.

    Args:
      owner: who asks, for error messages (e.g. "MNISTFeedSource 'mnist'").
      official: {file name: official digest}, every file the source reads.
      sha256: `OFFICIAL` ("official", the default): check every file against
        `official`; None: trust every file as it is; a mapping: the digests of
        the files it names (None trusts that file), the others keep their
        official digest; a hex string: the digest of a one-file source's file.
    """
    if isinstance(sha256, str) and sha256 == OFFICIAL:
        return dict(official)
    if sha256 is None:
        return dict.fromkeys(official)
    if isinstance(sha256, str) and len(official) == 1:
        sha256 = {next(iter(official)): sha256}
    if not isinstance(sha256, Mapping) or set(sha256) - set(official):
        one = "a hex digest, " if len(official) == 1 else ""
        raise ValueError(f"{owner}: sha256 must be {OFFICIAL!r} (the default), {one}None "
                         f"(trust the files as they are), or a mapping of some of "
                         f"{', '.join(official)} to a hex digest or None, got {sha256!r}")
    return {name: _check_digest(name, sha256.get(name, digest))
            for name, digest in official.items()}


def download(url, path, sha256=None, progress=True, overwrite=False):
    """Downloads `url` to `path` atomically, checking its SHA-256 when given.

    The data goes to a temporary file `.<name>.*.part` in `path`'s folder, is
    fsync'ed and checked, then renamed onto `path` (os.replace); on a checksum
    mismatch or any error (Ctrl+C included) only that temporary file is
    removed and `path` never appears. An existing `path` is not overwritten
    unless asked.

    Args:
      url: where to fetch the file from.
      path: where to put it; its folder is created when missing.
      sha256: the expected hex digest, or None to skip the check.
      progress: show a progress bar (only on a terminal).
      overwrite: replace a file already at `path` (with a checked download only).

    Returns:
      `path`.

    Raises:
      FileExistsError: `path` exists and `overwrite` is False.
      ChecksumError: the download's digest is not `sha256`; nothing was kept.
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    sha256 = _check_digest(name, sha256)
    if not overwrite and os.path.lexists(path):
        raise FileExistsError(f"{path} already exists and download() does not overwrite it; "
                              f"move it away, or pass overwrite=True to replace it")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    logging.info("Downloading %s to %s", url, path)
    tmp = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{name}.", suffix=".part",
                                      delete=False)
    try:
        digest = hashlib.sha256()
        with tmp:
            try:
                response = urllib.request.urlopen(url)
            except urllib.error.URLError as e:
                raise OSError(f"could not download {name} from {url}: "
                              f"{getattr(e, 'reason', e)}") from e
            with response:
                total = response.headers.get("Content-Length")
                show = progress and getattr(sys.stderr, "isatty", lambda: False)()
                with tqdm(total=int(total) if total else None, unit="B", unit_scale=True,
                          unit_divisor=1024, desc=name, disable=not show) as bar:
                    for chunk in iter(lambda: response.read(_CHUNK), b""):
                        tmp.write(chunk)
                        digest.update(chunk)
                        bar.update(len(chunk))
            tmp.flush()
            os.fsync(tmp.fileno())
        if sha256 is not None and digest.hexdigest() != sha256:
            raise ChecksumError(f"{name} downloaded from {url} failed its SHA-256 check: "
                                f"expected {sha256}, got {digest.hexdigest()}; it was not kept",
                                {path: (sha256, digest.hexdigest())})
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp.name)
        raise
    return path


def url_folder(url):
    """The folder part of `url`: akid's sources took the URL of the file itself
    (`.../cifar-10-binary.tar.gz`), today's take its folder; a URL that ends in
    an archive's name loses that name. None stays None (no download)."""
    if url is None:
        return None
    return url.rsplit("/", 1)[0] + "/" if _ARCHIVE.search(url) else url


_ARCHIVE = re.compile(r"/[^/]+\.(gz|tgz|zip|tar|bz2|xz|bin|amat)$")


def ensure_files(url, work_dir, sha256, progress=True):
    """Makes sure every named file is in `work_dir`, downloading the missing ones.

    A present file is never changed: used as is when its digest matches (or
    none is given); when it does not, nothing is downloaded and a
    ChecksumError names every such file with both digests and the ways on. A
    missing file is downloaded from `url + file_name` (atomically, checked).

    Args:
      url: the folder URL the files live under (a "/" is added when missing);
        None: download nothing (akid's `url=None`), a missing file is an error.
      work_dir: the local folder; created when missing.
      sha256: dict file name -> hex digest, or -> None to use that file unchecked.
      progress: show progress bars while downloading (on a terminal).

    Returns:
      dict file name -> local path.
    """
    if not isinstance(sha256, Mapping):
        raise TypeError(f"ensure_files: sha256 must be a dict {{file name: hex digest or "
                        f"None}}, got {type(sha256).__name__}")
    os.makedirs(work_dir, exist_ok=True)
    expected = {name: _check_digest(name, digest) for name, digest in sha256.items()}
    paths = {name: os.path.join(work_dir, name) for name in expected}
    present = [name for name, path in paths.items() if os.path.isfile(path)]
    actual = {name: sha256_of(paths[name]) for name in present if expected[name]}
    bad = {paths[name]: (expected[name], digest) for name, digest in actual.items()
           if digest != expected[name]}
    if bad:
        names = [os.path.basename(path) for path in bad]
        raise ChecksumError(
            f"akid left these files in {work_dir} as they are: their SHA-256 is not the "
            f"expected one\n"
            + "".join(f"  {path}: SHA-256 {got}, expected {want}\n"
                      for path, (want, got) in bad.items())
            + f"To use them as they are, pass sha256={dict.fromkeys(names)!r} (or "
              f"sha256=None to trust every file); to download them afresh, move them out "
              f"of {work_dir}.", bad)
    missing = [name for name in expected if name not in present]
    if missing and url is None:
        raise FileNotFoundError(f"{', '.join(missing)} not in {work_dir}, and url=None says "
                                f"not to download; put the file(s) there or give the url")
    url = url if url is None or url.endswith("/") else url + "/"
    for name in missing:
        download(url + name, paths[name], sha256=expected[name], progress=progress)
    return paths
