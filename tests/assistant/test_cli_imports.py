"""`assistant --help` and `assistant <sub> --help` stay cheap: no ML or database package is imported to list commands.

Checked in a fresh interpreter, so modules that other tests imported can neither hide nor fake an eager import.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
HEAVY = ["torch", "transformers", "kiwipiepy", "sklearn", "faiss", "sentence_transformers", "langchain_core",
         "sqlalchemy", "alembic"]
COMMANDS = ["", "serve", "chat", "db", "index", "index build", "select", "rewrite", "persona", "persona validate",
            "skill", "keys", "mii", "encoder", "encoder train", "verifier", "verifier train"]
PROBE = """
import json, sys
from assistant.cli import app
for command in sys.argv[2:]:
    try:
        app([*command.split(), "--help"], standalone_mode=False)
    except SystemExit:
        pass
print(json.dumps([name for name in json.loads(sys.argv[1]) if name in sys.modules]))
"""


def test_help_of_every_command_imports_no_heavy_package() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(HEAVY), *COMMANDS], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Usage:") == len(COMMANDS)  # every help page was really rendered
    assert json.loads(done.stdout.splitlines()[-1]) == []
