"""The README's Python snippets run as written, in order, in one namespace."""
import pathlib
import re

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def snippets():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_has_snippets():
    assert len(snippets()) >= 5


def test_readme_snippets_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # log dirs land in the temporary folder
    namespace = {}
    for i, code in enumerate(snippets()):
        try:
            exec(compile(code, f"README.md snippet {i}", "exec"), namespace)
        except Exception as error:  # re-raised with the snippet named
            raise AssertionError(f"README snippet {i} failed:\n{code}") from error
