"""The ``nianbao`` group loads a subcommand's module when the command runs (worker/cli/__init__.py)."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

import worker.cli
from worker.cli import _MODULES, main

CLI = Path(worker.cli.__file__).parent


def test_every_command_is_found_in_the_module_that_defines_it() -> None:
    modules = sorted(p.stem for p in CLI.glob("*.py") if "\nCOMMANDS" in p.read_text(encoding="utf-8"))
    assert sorted(set(_MODULES.values())) == modules
    for module in modules:
        defined = {c.name for c in importlib.import_module(f"worker.cli.{module}").COMMANDS}
        assert defined == {name for name, owner in _MODULES.items() if owner == module}, module


def test_help_lists_every_command_and_an_unknown_one_is_refused() -> None:
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"])
    assert listed.exit_code == 0
    for name in _MODULES:
        assert f"\n  {name} " in listed.output, name
    unknown = runner.invoke(main, ["no-such-command"])
    assert unknown.exit_code == 2 and "No such command" in unknown.output


def test_a_command_loads_only_its_own_module() -> None:
    code = (
        "import sys\n"
        "from worker.cli import main\n"
        "try:\n"
        "    main(['import', '--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('worker.web', 'worker.exports', 'worker.cli.'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "['worker.cli.import_cmd']"
