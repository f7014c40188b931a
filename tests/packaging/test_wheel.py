"""The built wheel: what it contains, and what works when it is installed without any extra.

The wheel is built from this checkout with ``uv build`` (an isolated hatchling build, as a
release would) into a temporary directory, once per module.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("friendli_core", "langchain_friendli", "llama_index_friendli")
SPEC = "friendli_core/testing/_spec/openapi-components.json"


def _uv(*args: str, cwd: Path = ROOT) -> str:
    done = subprocess.run(  # noqa: S603 - uv from this interpreter's environment
        [sys.executable, "-m", "uv", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"uv {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _uv("build", "--wheel", "--quiet", "--out-dir", str(out), str(ROOT))
    (built,) = out.glob("*.whl")
    return built


def _source_files() -> set[str]:
    files = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                files.add(path.relative_to(ROOT).as_posix())
    return files


def test_wheel_holds_exactly_the_packages_with_licence_and_markers(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = {n.split("/", 1)[0] for n in names if ".dist-info/" in n}
        (info,) = dist_info
        licence = archive.read(f"{info}/licenses/LICENSE")
        metadata = Parser().parsestr(archive.read(f"{info}/METADATA").decode())
        entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert {n for n in names if not n.startswith(info)} == _source_files()
    assert {f"{p}/py.typed" for p in PACKAGES} <= names
    assert SPEC in names
    assert licence == (ROOT / "LICENSE").read_bytes()
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata.get_all("License-File") == ["LICENSE"]
    assert "friendli_local_server = friendli_core.testing.pytest_plugin" in entry_points
    assert "friendli-local-server = friendli_core.testing.__main__:main" in entry_points


# Run inside a venv holding only the wheel (no extra) and pytest.
WITHOUT_EXTRAS = """
import importlib.util, json, sys
from importlib import resources
import friendli_core.testing, friendli_core.testing.pytest_plugin
spec = resources.files("friendli_core.testing").joinpath("_spec/openapi-components.json")
schemas = json.loads(spec.read_text(encoding="utf-8"))["components"]["schemas"]
missing = [m for m in ("starlette", "uvicorn", "jsonschema") if importlib.util.find_spec(m) is None]
print(json.dumps({"schemas": len(schemas), "missing": missing}))
"""

PLUGIN_TEST = """
def test_plugin_fixtures_are_registered(request):
    names = request.config.pluginmanager.list_name_plugin()
    assert "friendli_local_server" in dict(names)
"""


def test_installed_wheel_without_extras_loads_the_plugin_and_spec(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    _uv("venv", "--quiet", "--python", sys.executable, str(venv))
    python = venv / "bin" / "python"
    _uv("pip", "install", "--quiet", "--python", str(python), str(wheel), "pytest")
    done = subprocess.run(  # noqa: S603 - the venv we just made
        [str(python), "-c", WITHOUT_EXTRAS],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    seen = json.loads(done.stdout)
    assert seen["schemas"] > 0
    assert seen["missing"] == ["starlette", "uvicorn", "jsonschema"]
    (tmp_path / "test_plugin.py").write_text(PLUGIN_TEST)
    run = subprocess.run(  # noqa: S603 - the venv we just made
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_plugin.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "1 passed" in run.stdout
