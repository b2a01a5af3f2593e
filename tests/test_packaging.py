"""`import akid` works from anywhere: through the editable install, and with a clone's
parent folder on PYTHONPATH (the repository root *is* the akid package)."""
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def run_python(code, cwd, pythonpath=None):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.strip().splitlines()


def test_the_editable_install_imports_from_any_folder(tmp_path):
    brain, conv, init_file = run_python(
        "import akid; print(akid.Brain); print(akid.ConvolutionLayer); print(akid.__file__)",
        cwd=tmp_path)
    assert brain == "<class 'akid.brains.brain.Brain'>"
    assert conv == "<class 'akid.blocks.layers.convolution.ConvolutionLayer'>"
    assert Path(init_file).resolve() == REPO_ROOT / "__init__.py"


def test_a_folder_holding_the_clone_on_pythonpath_works(tmp_path):
    folder = tmp_path / "clones"
    folder.mkdir()
    (folder / "akid").symlink_to(REPO_ROOT, target_is_directory=True)
    work = tmp_path / "work"
    work.mkdir()
    lenet, init_file, conv_file = run_python(
        "import akid, akid.blocks.layers.convolution as c; "
        "print(akid.LeNet); print(akid.__file__); print(c.__file__)", cwd=work,
        pythonpath=folder)
    # Found through PYTHONPATH (the symlink), not through the editable install.
    assert lenet == "<class 'akid.brains.lenet.LeNet'>"
    assert init_file == str(folder / "akid" / "__init__.py")
    assert conv_file == str(folder / "akid" / "blocks" / "layers" / "convolution.py")
