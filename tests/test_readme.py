"""The README stays true: every console example runs and prints what the README shows."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from cli_runner import run_cli

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
    """Run a documented command, stdout and stderr merged: gradcli in this process
    (tests/cli_runner.py), any other stage of a pipeline (echo, printf, jq) in the shell."""
    stages = _stages(cmd)
    found = [i for i, stage in enumerate(stages) if stage[0] == "gradcli"]
    if not found:  # cat FILE
        return _merged(*_shell(cmd, ""))
    (at,) = found
    args = stages[at][1:]
    stdin = _shell(shlex.join(_words(stages, 0, at)), "") if at else ("", "")
    if "<" in args:
        where = args.index("<")
        stdin = ((ROOT / args[where + 1]).read_text(), "")
        args = args[:where] + args[where + 2:]
    proc = run_cli(args, stdin[0], cwd=ROOT, env={"COLUMNS": "80", "NO_COLOR": "1"})
    out, err = proc.stdout, stdin[1] + proc.stderr
    if at + 1 < len(stages):
        out, after = _shell(shlex.join(_words(stages, at + 1, len(stages))), out)
        err += after
    return _merged(out, err)


def _merged(out: str, err: str) -> str:
    text = out + err
    return "\n".join(line.rstrip() for line in text.rstrip("\n").split("\n"))


def _stages(cmd: str) -> list[list[str]]:
    """The commands of a pipeline, as the shell splits their words."""
    lexer = shlex.shlex(cmd, posix=True, punctuation_chars="|<")
    lexer.whitespace_split = True
    stages: list[list[str]] = [[]]
    for word in lexer:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    return stages


def _words(stages: list[list[str]], start: int, end: int) -> list[str]:
    words: list[str] = []
    for stage in stages[start:end]:
        words += (["|"] if words else []) + stage
    return words


def _shell(line: str, stdin: str) -> tuple[str, str]:
    """stdout and stderr of a pipeline of other programs (the quoted '|' back to a pipe)."""
    line = line.replace(" '|' ", " | ")
    proc = subprocess.run(["bash", "-c", line], input=stdin, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    return proc.stdout, proc.stderr


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


def test_the_readme_generator_leaves_the_readme_as_it_is() -> None:
    """``python tools/update_readme.py`` is how the list is made: run on the README, it must
    change nothing (else run it and commit)."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "tools" / "update_readme.py"
    spec = importlib.util.spec_from_file_location("update_readme", path)
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.updated(README) == README
    stale = README.replace("| `tensor(", "| `tensorr(", 1)
    assert stale != README and tool.updated(stale) == README


def test_first_commands_install_and_test() -> None:
    lines = README.splitlines()
    marker = lines.index("<!-- test-command -->")
    assert "pip install" in lines[marker + 1] and "pytest" in lines[marker + 1]
    assert 'gradcli eval "2*dot(x,x)" --let x="arange(4.0)"' in README.split("<!--", 1)[0]
