"""A missing optional dependency names the extra that installs it (issue #26).

Each case runs in a fresh interpreter in which the dependency is hidden (`tests.fresh`), so the
test does not depend on what this environment holds.
"""

from __future__ import annotations

import io
import re
import sys
import tomllib
from pathlib import Path

import pytest

from friendli_core._extras import EXTRAS, MissingExtraError, installed, require
from friendli_core.batch._progress import NO_BAR, PlainProgress, make_progress
from friendli_core.scale import FriendliStage
from friendli_core.testing import LocalServer
from friendli_core.testing.__main__ import main as cli_main
from tests.fresh import run_hiding

ROOT = Path(__file__).resolve().parents[2]


def pip_install(extra: str) -> str:
    return f'pip install "friendli-integrations[{extra}]"'


@pytest.mark.parametrize(
    ("package", "hidden", "extra"),
    [
        ("langchain_friendli", "langchain_core", "langchain"),
        ("llama_index_friendli", "llama_index", "llama-index"),
    ],
)
def test_importing_an_adapter_without_its_framework_names_the_extra(
    package: str, hidden: str, extra: str
) -> None:
    done = run_hiding((hidden,), f"import {package}")
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("friendli_core._extras.MissingExtraError:"), last
    assert pip_install(extra) in last


TESTING = ("starlette", "uvicorn", "jsonschema")


def test_the_testing_package_and_plugin_import_without_the_extra_and_name_it_on_start() -> None:
    code = (
        "import friendli_core.testing.pytest_plugin\n"
        "from friendli_core.testing import LocalServer\n"
        "try:\n    LocalServer().start()\n"
        "except ModuleNotFoundError as e:\n    print(type(e).__name__ + ': ' + str(e))\n"
    )
    done = run_hiding(TESTING, code)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("MissingExtraError: the local server needs 'starlette'")
    assert pip_install("testing") in done.stdout


def test_the_local_server_cli_names_the_extra_without_a_traceback() -> None:
    code = "import sys; from friendli_core.testing.__main__ import main; sys.exit(main(['--port', '0']))"
    done = run_hiding(TESTING, code)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("friendli-local-server: the local server needs")
    assert pip_install("testing") in done.stderr


def test_friendli_stage_names_the_scale_extra() -> None:
    code = (
        "from friendli_core.scale import FriendliStage\n"
        "try:\n    FriendliStage(object())\n"
        "except ModuleNotFoundError as e:\n    print(e)\n"
    )
    done = run_hiding(("ray",), code)
    assert done.returncode == 0, done.stderr
    assert "FriendliStage (a Ray Data stage) needs 'ray'" in done.stdout
    assert pip_install("scale") in done.stdout


PROGRESS = """
import io
from friendli_core.batch._progress import PlainProgress, make_progress
class Terminal(io.StringIO):
    def isatty(self):
        return True
terminal = Terminal()
assert isinstance(make_progress(10, 0, stream=terminal), PlainProgress)
print(terminal.getvalue().strip())
try:
    make_progress(10, 0, stream=terminal, bar=True)
except ImportError as e:
    print(e)
"""


def test_the_batch_progress_bar_names_the_batch_extra() -> None:
    done = run_hiding(("tqdm",), PROGRESS)
    assert done.returncode == 0, done.stderr
    said, refused = done.stdout.strip().splitlines()
    assert said.startswith("friendli-batch: progress as plain lines; for a progress bar")
    assert said.endswith(pip_install("batch"))
    assert refused.startswith("the progress bar needs 'tqdm'")
    assert pip_install("batch") in refused


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_every_extra_named_exists_and_installs_the_module() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    for module, extra in EXTRAS.items():
        assert extra in extras, extra
        # each of these distributions is named as its module (`.` and `_` as `-`)
        distribution = module.replace(".", "-").replace("_", "-")
        assert distribution in {_name(r) for r in extras[extra]}, (module, extra)


class _Hide:
    """A meta-path finder that reports some top-level packages as not installed."""

    def __init__(self, *names: str) -> None:
        self.names = names

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.split(".", maxsplit=1)[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


def hide(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Hide `names` in this process for one test (also when they are imported already)."""
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            monkeypatch.delitem(sys.modules, module)
    monkeypatch.setattr(sys, "meta_path", [_Hide(*names), *sys.meta_path])


def test_require_and_installed_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    assert installed("json")
    hide(monkeypatch, "tqdm", "llama_index")
    assert not installed("tqdm")
    assert not installed("llama_index.core")
    with pytest.raises(MissingExtraError) as caught:
        require("the feature", "json", "tqdm")
    assert caught.value.name == "tqdm"
    assert str(caught.value) == (
        "the feature needs 'tqdm', which is not installed. Install the 'batch' extra: "
        + pip_install("batch")
    )


def test_the_local_server_and_its_cli_in_this_process(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    hide(monkeypatch, *TESTING)
    with pytest.raises(MissingExtraError, match=r"friendli-integrations\[testing\]"):
        LocalServer().start()
    assert cli_main(["--port", "0"]) == 2
    assert pip_install("testing") in capsys.readouterr().err


def test_the_stage_and_the_progress_bar_in_this_process(monkeypatch: pytest.MonkeyPatch) -> None:
    hide(monkeypatch, "ray", "tqdm")
    with pytest.raises(MissingExtraError, match=r"friendli-integrations\[scale\]"):
        FriendliStage(object())

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    assert isinstance(make_progress(3, 0, stream=terminal), PlainProgress)
    assert terminal.getvalue() == NO_BAR + "\n"
