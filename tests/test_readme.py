"""The README's Python snippets run as written, in order, in one namespace."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def snippets():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_snippets():
    assert len(snippets()) >= 5


def test_readme_snippets_run_and_show_what_they_say(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # log dirs land in the temporary folder
    namespace = {}
    for i, code in enumerate(snippets()):
        try:
            exec(compile(code, f"README.md snippet {i}", "exec"), namespace)
        except Exception as error:  # re-raised with the snippet named
            raise AssertionError(f"README snippet {i} failed:\n{code}") from error
    assert namespace["y"].shape == (8, 28, 28, 32)
    assert namespace["logits"].shape == (16, 10)
    edges = namespace["net"].graph()["edges"]
    assert ("unit1/b/bn", "unit1/merge") in edges and ("stem/activation", "unit1/merge") in edges
    assert tuple(namespace["images"].shape) == (128, 32, 32, 3)
    assert namespace["images"].dtype.name == "float32"
    assert namespace["evals"]["accuracy"] > 0.9  # LeNet after the Kid snippet's 2 epochs
    assert namespace["test_evals"] == pytest.approx(namespace["evals"])  # the same weights
    assert namespace["hidden"]["ip1"].shape == (500, 512)
    assert namespace["scores"].shape == (500, 10)
    assert (namespace["scores"].argmax(1) == namespace["y_test"]).mean() == pytest.approx(
        namespace["test_evals"]["accuracy"])
    assert all(path.endswith(".png") for path in namespace["observer"].figures)
    assert namespace["two_evals"]["accuracy_1"] > 0.9 and namespace["two_evals"]["accuracy_2"] > 0.9
    assert set(namespace["two_evals"]) >= {"loss/loss_1", "loss/loss_2"}
    assert namespace["head_1"].shape == namespace["head_2"].shape == (8, 2)
    served, own = namespace["predicted"].numpy(), namespace["same"].numpy()
    assert served.shape == own.shape == (len(namespace["digits"]), 10)
    assert abs(served - own).max() < 1e-6
