"""The product packages type-check under the project's mypy settings (`[tool.mypy]` in pyproject.toml).

Run inside the suite, so the README's test command checks types too; it is one long item (about 40 s on one core),
so `conftest.py` starts it first and the other workers run the rest beside it."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_product_packages_type_check_under_the_project_settings() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy"], cwd=REPO_ROOT, capture_output=True, text=True,
                            timeout=1200, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
