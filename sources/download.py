"""Atomic, checksummed downloads of data files, and where akid keeps them."""
import contextlib
import hashlib
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request

from absl import logging
from tqdm import tqdm

_CHUNK = 1 << 20


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


def download(url, path, sha256=None, progress=True):
    """Downloads `url` to `path` atomically, checking its SHA-256 when given.

    The data goes to a temporary file in `path`'s folder, is fsync'ed and
    checked, then renamed onto `path`; on a checksum mismatch or any error
    (Ctrl+C included) the temporary file is removed and `path` never appears.

    Args:
      url: where to fetch the file from.
      path: where to put it; its folder is created when missing.
      sha256: the expected hex digest, or None to skip the check.
      progress: show a progress bar (only on a terminal).

    Returns:
      `path`.
    """
    path = os.fspath(path)
    name = os.path.basename(path)
    sha256 = _check_digest(name, sha256)
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
            raise ValueError(f"{name} downloaded from {url} failed its SHA-256 check: "
                             f"expected {sha256}, got {digest.hexdigest()}; it was not kept")
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp.name)
        raise
    return path


def ensure_files(url, work_dir, sha256, progress=True):
    """Makes sure every named file is in `work_dir` with the right SHA-256.

    A present file whose digest matches (or has none given) is used as is; a
    present file that fails the check is removed, reported and downloaded
    again; a missing one is downloaded from `url + file_name`.

    Args:
      url: the folder URL the files live under (a "/" is added when missing).
      work_dir: the local folder; created when missing.
      sha256: dict file name -> hex digest, or None for no check.
      progress: show progress bars while downloading (on a terminal).

    Returns:
      dict file name -> local path.
    """
    if not isinstance(sha256, dict):
        raise TypeError(f"sha256 must be a dict file name -> hex digest or None, "
                        f"got {type(sha256).__name__}")
    url = url if url.endswith("/") else url + "/"
    os.makedirs(work_dir, exist_ok=True)
    paths = {}
    for name, expected in sha256.items():
        expected = _check_digest(name, expected)
        path = os.path.join(work_dir, name)
        if os.path.isfile(path):
            actual = sha256_of(path) if expected else None
            if actual == expected:
                paths[name] = path
                continue
            os.remove(path)
            logging.warning("%s has SHA-256 %s, expected %s: removed it and downloading it "
                            "again", path, actual, expected)
        paths[name] = download(url + name, path, sha256=expected, progress=progress)
    return paths
