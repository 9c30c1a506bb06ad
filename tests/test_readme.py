"""The README stays true: every console example runs and prints what the README shows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _examples() -> list[tuple[str, str]]:
    out = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            cmd, _, expected = chunk.partition("\n")
            out.append((cmd, expected.rstrip("\n")))
    return out


EXAMPLES = _examples()


def run_shell(cmd: str) -> str:
    """Run a documented command with this interpreter's gradcli; stdout and stderr merged."""
    gradcli = f"{sys.executable} -m gradcli"
    shell = re.sub(r"(^|\| |\$\()gradcli ", lambda m: f"{m.group(1)}{gradcli} ", cmd)
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    env.pop("FORCE_COLOR", None)
    proc = subprocess.run(shell, shell=True, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    text = proc.stdout + proc.stderr
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


@pytest.mark.parametrize("cmd, expected", EXAMPLES, ids=[c[:60] for c, _ in EXAMPLES])
def test_readme_example(cmd: str, expected: str) -> None:
    if "| jq" in cmd and shutil.which("jq") is None:
        pytest.skip("jq is not installed")
    assert run_shell(cmd) == expected


def test_readme_has_examples_for_every_command() -> None:
    commands = {c.split()[1] for c, _ in EXAMPLES if c.startswith("gradcli ")}
    assert {"eval", "run", "ops"} <= commands


def test_function_list_is_the_op_table() -> None:
    from gradcli.render.ops_listing import render_markdown

    section = README.split("<!-- ops:start -->\n", 1)[1].split("<!-- ops:end -->", 1)[0]
    assert section == render_markdown()


def test_first_commands_install_and_test() -> None:
    lines = README.splitlines()
    marker = lines.index("<!-- test-command -->")
    assert "pip install" in lines[marker + 1] and "pytest" in lines[marker + 1]
    assert 'gradcli eval "2*dot(x,x)" --let x="arange(4.0)"' in README.split("<!--", 1)[0]
