"""A missing optional dependency names the extra that installs it (issue #26).

Each case runs in a fresh interpreter in which the dependency is hidden (`tests.fresh`), so the
test does not depend on what this environment holds.
"""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from friendli_core._extras import EXTRAS
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
    providers = packages_distributions()
    for module, extra in EXTRAS.items():
        assert extra in extras, extra
        wanted = {_name(r) for r in extras[extra]}
        distributions = {
            d.lower().replace("_", "-") for d in providers.get(module.split(".")[0], [])
        }
        if module == "llama_index.core":  # a namespace package: several distributions share it
            distributions &= {"llama-index-core"}
        assert distributions & wanted, (module, extra, distributions, wanted)
