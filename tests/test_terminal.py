"""Issue 17 part B: help that teaches, shell completion, the leading-minus hint, and
``eval - --jobs N``."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import pytest
from cli_runner import GRADCLI, run_cli

from gradcli.cli.main import expression_first, minus_mistake

COMMANDS = ["eval", "run", "repl", "jacobian", "hessian", "check", "graph", "diff", "plot",
            "ops", "help"]


def test_top_level_help_lists_whole_summaries_examples_and_the_readme() -> None:
    from typer.main import get_command

    from gradcli.cli.app import app, summary

    group = get_command(app)
    proc = run_cli(["--help"])
    assert proc.returncode == 0
    text = " ".join(proc.stdout.split())  # a summary may wrap in its column, never be cut
    for name in COMMANDS:
        assert summary(group.get_command(None, name)).endswith(".")  # type: ignore[attr-defined]
        assert summary(group.get_command(None, name)) in text, name  # type: ignore[attr-defined]
    assert "..." not in proc.stdout.split("Commands:")[1].split("Examples:")[0]
    assert '  gradcli eval "2*dot(x,x)" --let x="arange(4.0)"\n' in proc.stdout
    assert "README.md" in proc.stdout and "gradcli help COMMAND" in text


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "help"])
def test_help_command_prints_the_commands_help(command: str) -> None:
    proc = run_cli(["help", command])
    assert proc.returncode == 0
    assert proc.stdout == run_cli([command, "--help"]).stdout
    assert proc.stdout.startswith(f"Usage: gradcli {command} ")


def test_help_alone_and_an_unknown_command() -> None:
    assert run_cli(["help"]).stdout == run_cli(["--help"]).stdout
    proc = run_cli(["help", "evl"])
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == ("error[usage]: no such command 'evl'\n"
                           "  = hint: did you mean 'gradcli help eval'?\n")
    assert "the commands are eval, run," in run_cli(["help", "zzzz"]).stderr


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "help"])
def test_examples_are_printed_as_written_at_any_width(command: str) -> None:
    """Every example line of the source is a line of --help, however narrow the terminal."""
    from typer.main import get_command

    from gradcli.cli.app import app

    epilog = get_command(app).get_command(None, command).epilog  # type: ignore[attr-defined]
    examples = [line.strip() for line in epilog.splitlines() if line.startswith("  ")]
    assert examples
    for columns in ("40", "80", "200"):
        lines = [line.strip() for line in
                 run_cli([command, "--help"], env={"COLUMNS": columns}).stdout.splitlines()]
        for example in examples:
            assert example in lines, (columns, example)


@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "help"])
def test_usage_lines_and_metavars_say_what_to_type(command: str) -> None:
    text = run_cli([command, "--help"], env={"COLUMNS": "200"}).stdout
    usage = text.splitlines()[0]
    assert "{" not in usage and "}" not in usage
    assert not re.search(r"<(str|int|float|int range|float range)>", text), text
    assert "18446744073709551615" not in text and "9223372036854775808" not in text
    if "--let" in text:
        assert "-l, --let NAME=VALUE" in text
    if "--seed" in text:
        assert "--seed N " in text
    if "--wrt" in text:
        assert "-w, --wrt NAME" in text


def test_specific_metavars() -> None:
    assert "Usage: gradcli eval [OPTIONS] EXPR\n" in run_cli(["eval", "--help"]).stdout
    assert "-s, --shape NAME=DIMS" in run_cli(["diff", "--help"]).stdout
    assert "-o, --output FILE" in run_cli(["graph", "--help"]).stdout
    assert "--precision N" in run_cli(["eval", "--help"]).stdout
    assert "-j, --jobs N" in run_cli(["eval", "--help"]).stdout


def test_seed_range_is_still_checked() -> None:
    proc = run_cli(["eval", "1", "--seed", str(2**64)])
    assert proc.returncode == 2
    assert proc.stderr.startswith("error[usage]: Invalid value for '--seed': 18446744073709551616 "
                                  "does not fit in 64 bits")
    assert run_cli(["eval", "1", "--seed", "x"]).returncode == 2
    assert run_cli(["eval", "1", "--seed", str(-2**63), "--format", "json"]).returncode == 0


# -- shell completion --------------------------------------------------------------------------

def _complete(shell: str, **variables: str) -> str:
    """What gradcli answers the completion script of ``shell`` (its protocol's variables)."""
    env = {**os.environ, "_GRADCLI_COMPLETE": f"complete_{shell}", **variables}
    return subprocess.run(GRADCLI, env=env, capture_output=True, text=True, check=True).stdout


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completes_commands_options_and_choices() -> None:
    """The script --show-completion prints, sourced in bash, run as bash runs it on <TAB>."""
    script = subprocess.run([*GRADCLI, "--show-completion", "bash"], capture_output=True, text=True,
                            check=True, env={**os.environ,
                                             "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert "complete -o default -F _gradcli_completion gradcli" in script.stdout
    program = " ".join(GRADCLI)

    def tab(*words: str) -> list[str]:
        line = (f'{script.stdout}\nCOMP_WORDS=({" ".join(repr(w) for w in words)}); '
                f"COMP_CWORD={len(words) - 1}; _gradcli_completion {program}; "
                'printf "%s\\n" "${COMPREPLY[@]}"')
        return subprocess.run(["bash", "-c", line], capture_output=True, text=True,
                              check=True).stdout.split()

    assert tab("gradcli", "ev") == ["eval"]
    assert tab("gradcli", "eval", "--format", "") == ["table", "json", "plain"]
    assert "--let" in tab("gradcli", "eval", "--l")
    assert tab("gradcli", "diff", "--format", "l") == ["latex"]
    assert tab("gradcli", "help", "d") == ["diff"]


@pytest.mark.slow
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_for_each_shell(shell: str) -> None:
    proc = subprocess.run([*GRADCLI, "--show-completion", shell], capture_output=True, text=True,
                          env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert proc.returncode == 0
    assert f"_GRADCLI_COMPLETE=complete_{shell}" in proc.stdout
    assert "--install-completion" in run_cli(["--help"]).stdout


@pytest.mark.slow
def test_zsh_and_fish_completion_protocols_answer() -> None:
    assert _complete("zsh", _TYPER_COMPLETE_ARGS="gradcli eval --format ") == (
        "_arguments '*: :((\"table\"\n\"json\"\n\"plain\"))'\n")
    assert _complete("fish", _TYPER_COMPLETE_ARGS="gradcli ev",
                     _TYPER_COMPLETE_FISH_ACTION="get-args").startswith("eval\tEvaluate EXPR")
    assert _complete("bash", COMP_WORDS="gradcli ev", COMP_CWORD="1") == "eval\n"


# -- an expression that begins with '-' --------------------------------------------------------

def test_dashes_then_expression_then_options() -> None:
    proc = run_cli(["eval", "--", "-x", "--let", "x=1.0", "--format", "plain"])
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "tensor(-1., grad_fn=<NegBackward0>)\nx.grad = tensor(-1.)\n"
    assert expression_first(["eval", "--", "-x", "--let", "x=1"]) == [
        "eval", "--let", "x=1", "--", "-x"]
    assert expression_first(["eval", "--let", "x=1", "--", "-x"]) == [
        "eval", "--let", "x=1", "--", "-x"]
    assert expression_first(["plot", "--", "-x", "x", "--x", "x=0:1"]) == [
        "plot", "--x", "x=0:1", "--", "-x", "x"]


@pytest.mark.parametrize(("args", "first"), [
    (["eval", "-w", "--let", "w=1.0"], "the option -w takes a value, not the option --let"),
    (["check", "-l", "--let", "l=1.0"], "the option -l takes a value, not the option --let"),
    (["eval", "--let", "w=1.0", "-w"], "Option '-w' requires an argument.")])
def test_an_expression_taken_for_an_option_gets_the_hint(args: list[str], first: str) -> None:
    proc = run_cli(args)
    assert proc.returncode == 2 and proc.stdout == ""
    option = first.split("'")[1] if first.startswith("Option") else first.split()[2]
    assert proc.stderr == (
        f"error[usage]: {first}\n  = hint: an expression that begins with '-' goes after '--' "
        f"or in parentheses: gradcli {args[0]} -- {option} ..., or gradcli {args[0]} "
        f"'({option})' ...; or give {option} its value\n")


def test_minus_mistake_only_where_an_option_takes_an_option() -> None:
    assert minus_mistake(["eval", "-w", "--let", "w=1"]) == ("-w", "--let")
    assert minus_mistake(["eval", "x", "-w", "x", "--let", "x=1"]) is None
    assert minus_mistake(["eval", "--", "-w", "--let"]) is None
    assert minus_mistake(["eval", "--full", "--let", "x=1"]) is None
    assert run_cli(["eval", "-x**2", "--let", "x=1.0", "--format", "json"]).returncode == 0


# -- eval - --jobs N ---------------------------------------------------------------------------

LINES = "".join(line + "\n" for line in [
    "2*x", "sum(randn(3)*x)", "bad((", "sum(x**2)", "", "# c", "sum(print(x)*x)", "x[9]",
    "manual_seed(3)", "sum(rand(3))", "sum(x)", "  sum(x*x)  ", "nope(x)"] * 23)


@pytest.mark.parametrize("fmt", ["json", "plain", "table"])
@pytest.mark.parametrize("jobs", ["2", "0"])
def test_jobs_write_the_same_bytes_in_the_same_order(fmt: str, jobs: str) -> None:
    """Results, errors (with their line numbers), print() and the random numbers after --seed
    (drawn in the lines' order) are what one process gives, on stdout and on stderr."""
    args = ["eval", "-", "--let", "x=arange(3.0)", "--seed", "0", "--format", fmt]
    one = run_cli(args, LINES)
    many = run_cli([*args, "--jobs", jobs], LINES)
    assert one.returncode == many.returncode == 1
    assert many.stdout == one.stdout and many.stderr == one.stderr
    assert one.stdout.count("\n") > 100


def test_jobs_with_no_failure_exit_0_and_order_holds_over_many_chunks() -> None:
    lines = "".join(f"x*{i}\n" for i in range(3000))
    proc = run_cli(["eval", "-", "--let", "x=2.0", "--format", "json", "--jobs", "2"], lines)
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["value"] for line in proc.stdout.splitlines()] == [
        2.0 * i for i in range(3000)]


def test_jobs_is_for_a_stream() -> None:
    proc = run_cli(["eval", "1", "--jobs", "2"])
    assert proc.returncode == 2 and "--jobs" in proc.stderr
    assert run_cli(["eval", "-", "--jobs", "-1"], "1\n").returncode == 2


def test_chunks_give_every_worker_a_part_and_keep_line_numbers() -> None:
    from gradcli.interpreter.parallel import CHUNK_LINES, _chunks

    chunks = list(_chunks([["a"] * 10, ["b"] * (3 * CHUNK_LINES)], 2))
    assert chunks[:2] == [(0, ["a"] * 5), (5, ["a"] * 5)]
    assert [before for before, _ in chunks[2:]] == [10, 10 + CHUNK_LINES, 10 + 2 * CHUNK_LINES]
    assert sum(len(lines) for _, lines in chunks) == 10 + 3 * CHUNK_LINES


@pytest.mark.slow
def test_jobs_in_a_process_with_a_pipe() -> None:
    proc = subprocess.run([*GRADCLI, "eval", "-", "--let", "x=arange(3.0)", "--seed", "0",
                           "--format", "json", "--jobs", "2"], input=LINES, capture_output=True,
                          text=True)
    one = subprocess.run([*GRADCLI, "eval", "-", "--let", "x=arange(3.0)", "--seed", "0",
                          "--format", "json"], input=LINES, capture_output=True, text=True)
    assert (proc.returncode, proc.stdout, proc.stderr) == (one.returncode, one.stdout, one.stderr)


def test_jobs_survive_a_worker_that_dies(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker killed mid-chunk (the OOM killer, a crash): the parent evaluates what it had."""
    from gradcli.interpreter import parallel

    parent, real = os.getpid(), parallel.evaluate_parsed
    died = os.pipe()

    def evaluate_parsed(evaluator, number, line, parsed, answer, refuse):  # type: ignore[no-untyped-def]
        if os.getpid() != parent and line == "x*7":
            os.write(died[1], b"x")
            os._exit(9)
        return real(evaluator, number, line, parsed, answer, refuse)

    monkeypatch.setattr(parallel, "evaluate_parsed", evaluate_parsed)
    lines = "".join(f"x*{i}\n" for i in range(600))
    args = ["eval", "-", "--let", "x=2.0", "--format", "json"]
    many = run_cli([*args, "--jobs", "2"], lines)
    assert (many.returncode, many.stderr) == (0, "")
    assert many.stdout == run_cli(args, lines).stdout
    assert os.read(died[0], 1) == b"x"  # a worker did die
    os.close(died[0])
    os.close(died[1])


def test_the_one_letter_options_are_all_known_to_expression_first() -> None:
    """main._SHORT must name every one-letter option, or ``ops -c X`` / ``eval -j 2 -`` read
    the option as an expression."""
    from typer.main import get_command

    from gradcli.cli.app import app
    from gradcli.cli.main import _SHORT

    group = get_command(app)
    letters = {opt[1] for name in group.list_commands(None)  # type: ignore[attr-defined]
               for param in group.get_command(None, name).params  # type: ignore[attr-defined]
               for opt in param.opts if re.fullmatch(r"-[A-Za-z]", opt)}
    assert letters | {"h"} == set(_SHORT)
    assert run_cli(["ops", "-c", "reduction", "--format", "json"]).returncode == 0
    proc = run_cli(["eval", "-j", "2", "-", "--format", "json"], "1+1\n")
    assert (proc.returncode, json.loads(proc.stdout)["value"]) == (0, 2)
