"""The house's layers (docs/architecture.md) hold, and import-linter's contract would catch an
app importing from one above it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ["config", "devdata", "api", "console", "notifications", "insights", "monitoring"]
PACKAGES += ["messaging", "outcomes"]
PACKAGES += ["patients", "prescriptions", "exercises", "clinics", "webhooks", "push", "outbox"]
PACKAGES += ["lib"]


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def house_copy(tmp_path) -> Path:
    """The apps' Python files and the contract, copied where they can be changed."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_apps_keep_to_their_layers():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward_import"),
    [
        ("clinics/selectors.py", "from patients.models import PatientStatus"),
        ("patients/services.py", "from insights import alerts"),
        ("lib/web.py", "import clinics.models"),
        ("push/services.py", "from clinics.models import User"),
        ("webhooks/services.py", "from clinics import audit"),
        ("outbox/channels.py", "from push.models import PushSubscription"),
        ("insights/views.py", "from console.selectors import staff_for_clinic"),
    ],
)
def test_an_import_from_a_higher_layer_breaks_the_contract(house_copy, module, upward_import):
    path = house_copy / module
    path.write_text(path.read_text() + f"\n{upward_import}\n")
    result = lint_imports(house_copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "0 kept, 1 broken" in result.stdout
