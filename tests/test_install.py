"""The installed package works from any directory, with its data files and console script."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _run(args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=300)


def test_import_from_outside_checkout(tmp_path):
    code = (
        "import textmine, pathlib; "
        "print(pathlib.Path(textmine.__file__).resolve()); "
        "print(' '.join(textmine.tokenize('私有化部署的审批流石沉大海')))"
    )
    result = _run([sys.executable, "-c", code], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    location, tokens = result.stdout.strip().splitlines()
    if os.environ.get("CI"):
        # CI installs with a plain `pip install .`: the import must come from site-packages
        assert Path(location).parent != REPO / "textmine", location
        assert "site-packages" in Path(location).parts, location
    assert tokens.split() == ["私有化部署", "的", "审批流", "石沉大海"]


def test_console_script_installed(tmp_path):
    exe = shutil.which("textmine", path=str(Path(sys.executable).parent)) or shutil.which("textmine")
    assert exe, "the textmine console script is not installed"
    result = _run([exe, "--version"], cwd=tmp_path)
    assert result.returncode == 0 and result.stdout.startswith("textmine ")
