import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_settings(module: str, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
        "settings.DATABASES['default']['NAME'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_settings("config.settings.production")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_has_debug_off_even_when_asked():
    result = run_settings(
        "config.settings.production", DJANGO_SECRET_KEY="x" * 50, DJANGO_DEBUG="true"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False ")


def test_without_database_url_the_app_uses_a_sqlite_file_in_the_project():
    result = run_settings("config.settings.dev")
    assert result.returncode == 0, result.stderr
    debug, engine, name = result.stdout.split()
    assert debug == "True"
    assert engine == "django.db.backends.sqlite3"
    assert Path(name) == ROOT / "db.sqlite3"


def test_database_url_selects_postgresql():
    result = run_settings(
        "config.settings.dev", DATABASE_URL="postgres://someone@db.example:5432/rehabit"
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql rehabit" in result.stdout


def test_production_settings_pass_the_deployment_checklist():
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="a-long-random-production-secret-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="rehab.example.org",
    )
    result = subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
