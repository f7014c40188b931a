"""The test lanes of `make test`, run one after another, each timed, with a summary at the end.

* ``main``: the whole suite on the dev venv's Python (``.venv``), under coverage of the library
  packages; the floor is ``fail_under`` in ``[tool.coverage.report]``.
* ``py3.X``: the unit lane (everything but real-model and reliability) on every other CPython
  that the classifiers in pyproject.toml declare, when one is found on the machine (PATH, then
  pyenv's versions); a version not found is reported as skipped.
* ``lowest``: the unit lane with the package's own dependencies (core and runtime extras) pinned
  at uv's ``--resolution lowest-direct`` resolution of extras ``all`` and ``dev``; the test tools
  install at their newest versions compatible with those pins.
* ``lowest-core``: the core's tests with only the ``test`` extra, likewise: the framework test
  tools require newer httpx/pydantic than the core declares, so this lane is the one that
  installs the core's own floors.

Each non-main lane has its own venv under ``.venv-lanes/``, rebuilt when pyproject.toml changes.
Usage: ``python .ci/lanes.py [LANE ...] [-- PYTEST_ARGS ...]`` (no lane names: all lanes).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LANES_DIR = ROOT / ".venv-lanes"
UNIT = "not real_model and not reliability"
# the other lanes check the packages on another Python or at their lowest dependencies; the
# end-to-end suites (notebooks, README, examples, Ray cluster, benchmark harness) exercise the
# same package code at a few minutes per lane, and run once, in the main lane
OTHER_LANES = f"{UNIT} and not end_to_end"
CORE_TESTS = ("tests/core", "tests/testing", "tests/packaging")
NO_TESTS = 5  # pytest's exit code when nothing was collected: a lane that tests nothing fails


@dataclass
class Lane:
    """One lane: where its Python comes from, what it installs, and what it runs."""

    name: str
    python: str | None  # None: not found on this machine, the lane is skipped
    extras: str = "all,dev"
    lowest: bool = False
    pytest_args: tuple[str, ...] = ("-m", OTHER_LANES)
    note: str = ""


@dataclass
class Result:
    """What a lane did, for the summary."""

    lane: Lane
    status: str
    install_s: float = 0.0
    test_s: float = 0.0
    details: list[str] = field(default_factory=list)


def supported_versions() -> list[str]:
    """The CPython versions the classifiers in pyproject.toml declare (e.g. ``3.12``)."""
    classifiers = tomllib.loads(PYPROJECT.read_text())["project"]["classifiers"]
    pattern = re.compile(r"Programming Language :: Python :: (3\.\d+)$")
    return [m.group(1) for c in classifiers if (m := pattern.match(c))]


def _version_key(path: Path) -> tuple[int, ...]:
    parts = re.findall(r"\d+", path.parents[1].name)
    return tuple(int(p) for p in parts)


def _candidates(version: str) -> list[str]:
    found = [exe] if (exe := shutil.which(f"python{version}")) else []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    installs = sorted(pyenv.glob(f"versions/{version}.*/bin/python{version}"), key=_version_key)
    return found + [str(p) for p in reversed(installs)]


def find_cpython(version: str) -> str | None:
    """A working CPython ``version`` interpreter, or None (a pyenv shim may exist but fail)."""
    probe = "import platform, sys; print(platform.python_implementation(), *sys.version_info[:2])"
    want = ["CPython", *version.split(".")]
    for exe in _candidates(version):
        try:
            done = subprocess.run(  # noqa: S603 - an interpreter found on this machine
                [exe, "-c", probe], capture_output=True, text=True, timeout=60, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            continue
        if done.returncode == 0 and done.stdout.split() == want:
            return exe
    return None


def all_lanes() -> list[Lane]:
    """The main lane, one unit lane per other supported version, and the two lowest lanes."""
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    lanes = [Lane("main", sys.executable, pytest_args=(), note=f"Python {here}, whole suite")]
    for version in supported_versions():
        if version != here:
            exe = find_cpython(version)
            lanes.append(Lane(f"py{version}", exe, note=exe or f"no CPython {version} found"))
    base = sys.executable
    lanes.append(Lane("lowest", base, lowest=True, note=f"Python {here}, extras all,dev"))
    lanes.append(
        Lane(
            "lowest-core",
            base,
            extras="test",
            lowest=True,
            pytest_args=("-m", OTHER_LANES, *CORE_TESTS),
            note=f"Python {here}, extra test",
        )
    )
    return lanes


def declared_names() -> list[str]:
    """The distributions the package itself depends on (core and the runtime extras)."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in ("langchain", "llama-index", "testing"):
        requirements += project["optional-dependencies"][extra]
    names = (re.match(r"[A-Za-z0-9_.-]+", r) for r in requirements)
    return [m.group(0) for m in names if m and m.group(0) != project["name"]]


def run(cmd: list[str], **env: str) -> int:
    """Run ``cmd`` from the project root with its output going to ours."""
    sys.stdout.flush()
    return subprocess.run(cmd, cwd=ROOT, env={**os.environ, **env}, check=False).returncode  # noqa: S603


def uv() -> str:
    """The uv of the dev venv (installed by the Makefile next to its Python)."""
    return str(Path(sys.executable).parent / "uv")


def install(lane: Lane, python: str) -> tuple[Path, bool]:
    """Create (or reuse, when pyproject.toml is unchanged) the lane's venv; return its Python."""
    venv = LANES_DIR / lane.name
    stamp = venv / ".installed"
    key = hashlib.sha256(PYPROJECT.read_bytes() + repr(lane).encode()).hexdigest()
    lane_python = venv / "bin" / "python"
    if stamp.exists() and stamp.read_text() == key and lane_python.exists():
        return lane_python, True
    shutil.rmtree(venv, ignore_errors=True)
    if run([uv(), "venv", "-q", "--python", python, str(venv)]):
        return lane_python, False
    cmd = [uv(), "pip", "install", "-q", "--python", str(lane_python), "-e", f".[{lane.extras}]"]
    if lane.lowest:
        pins = lowest_pins(lane, lane_python, venv / "lowest.txt")
        if pins is None:
            return lane_python, False
        cmd += ["--constraint", str(pins)]
    if run(cmd):
        return lane_python, False
    stamp.write_text(key)
    return lane_python, True


def lowest_pins(lane: Lane, python: Path, out: Path) -> Path | None:
    """Pin the package's own dependencies at uv's lowest-direct resolution of the lane's extras.

    The tools (pytest, nbmake, ...) stay free: they install at the newest versions compatible
    with these pins, so a failure is the package's floor, not a test tool's.
    """
    extras = [arg for extra in lane.extras.split(",") for arg in ("--extra", extra)]
    compile_cmd = [uv(), "pip", "compile", "-q", "--resolution", "lowest-direct", "--python"]
    compile_cmd += [str(python), "--no-header", "--no-annotate", *extras, "pyproject.toml"]
    done = subprocess.run(  # noqa: S603 - our uv on our pyproject
        compile_cmd, cwd=ROOT, capture_output=True, text=True, check=False
    )
    if done.returncode:
        print(done.stderr, flush=True)
        return None
    ours = {_normalized(name) for name in declared_names()}
    pins = [line for line in done.stdout.splitlines() if _normalized(line.split("==")[0]) in ours]
    out.write_text("".join(f"{pin}\n" for pin in pins))
    return out


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_versions(python: Path) -> list[str]:
    """``name version`` of the package's direct dependencies installed in a lane's venv."""
    names = declared_names()
    code = (
        "import importlib.metadata as m, sys\n"
        "for n in sys.argv[1:]:\n"
        "    try: print(n, m.version(n))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    done = subprocess.run(  # noqa: S603 - the lane's own interpreter
        [str(python), "-c", code, *names], capture_output=True, text=True, check=True
    )
    return done.stdout.splitlines()


def run_lane(lane: Lane, pytest_extra: list[str]) -> Result:
    """Install and run one lane, timing both."""
    print(f"\n===== lane {lane.name}: {lane.note}", flush=True)
    if lane.python is None:
        return Result(lane, "skipped")
    start = time.monotonic()
    if lane.name == "main":
        python, ok = Path(lane.python), True
    else:
        python, ok = install(lane, lane.python)
    result = Result(lane, "install failed", install_s=time.monotonic() - start)
    if not ok:
        return result
    if lane.lowest:
        result.details = installed_versions(python)
        print("lowest versions installed:", ", ".join(result.details), flush=True)
    start = time.monotonic()
    runner = ["-m", "coverage", "run", "-m", "pytest"] if lane.name == "main" else ["-m", "pytest"]
    code = run([str(python), *runner, *lane.pytest_args, *pytest_extra])
    if code == 0 and lane.name == "main":
        code = run([str(python), "-m", "coverage", "report"])
        result.details = ["coverage floor met" if code == 0 else "coverage below the floor"]
    result.test_s = time.monotonic() - start
    result.status = {0: "passed", NO_TESTS: "failed (no tests collected)"}.get(code, "failed")
    return result


def summary(results: list[Result]) -> None:
    """One line per lane: result, install and test time, and what it installed."""
    print("\n===== lanes", flush=True)
    for r in results:
        times = f"install {r.install_s:5.0f} s, tests {r.test_s:5.0f} s"
        print(f"{r.lane.name:12} {r.status:28} {times}  {r.lane.note}")
        for line in r.details:
            print(f"{'':14}{line}")
    total = sum(r.install_s + r.test_s for r in results)
    print(f"total {total:.0f} s", flush=True)


def main(argv: list[str]) -> int:
    """Run the lanes named in ``argv`` (all when none), then print the summary."""
    split = argv.index("--") if "--" in argv else len(argv)
    names, pytest_extra = argv[:split], argv[split + 1 :]
    lanes = [lane for lane in all_lanes() if not names or lane.name in names]
    unknown = set(names) - {lane.name for lane in lanes}
    if unknown:
        print(f"unknown lanes: {sorted(unknown)}; known: {[x.name for x in all_lanes()]}")
        return 2
    results = [run_lane(lane, pytest_extra) for lane in lanes]
    summary(results)
    return 0 if all(r.status in ("passed", "skipped") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
