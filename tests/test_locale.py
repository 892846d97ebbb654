"""The Spanish and French catalogs: complete, none fuzzy, compiled from the committed .po (the
.mo files are committed, so a fresh clone runs without gettext), and holding every message the
code and templates have. The last two need gettext's tools, which CI installs."""

import gettext
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
# The folders makemessages leaves out: tests and the benchmark are not shown to anyone.
# "locale": the catalogs themselves, which the walk would otherwise adopt as a place to write.
MAKEMESSAGES_IGNORE = ["tests", "bench", "static", "staticfiles", "node_modules", "locale"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext's tools are not installed"
)


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file, obsolete ones left out: msgctxt, msgid, msgid_plural, the
    msgstr forms and the flags."""
    entries, entry, field = [], None, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, field = None, None
            continue
        if line.startswith("#~"):
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = eval(line)  # a C-style quoted string, as Python reads it
            if isinstance(field, int):
                entry["msgstr"][field] += value
            else:
                entry[field] += value
        else:
            keyword, _space, rest = line.partition(" ")
            value = eval(rest)
            if keyword.startswith("msgstr"):
                field = int(keyword[7:-1]) if "[" in keyword else 0
                entry["msgstr"][field] = value
            else:
                field = keyword
                entry[field] = value
    return [entry for entry in entries if entry.get("msgid")]


def mo_catalog(path: Path) -> dict:
    with path.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = po_entries(po)
    assert len(entries) > 2500
    assert [e["msgid"] for e in entries if "fuzzy" in e["flags"]] == []
    assert [e["msgid"] for e in entries if not all(e["msgstr"].values())] == []
    # The compiled catalog, which is what Django reads, holds each of them.
    compiled = mo_catalog(po.with_suffix(".mo"))
    keys = {key if isinstance(key, str) else key[0] for key in compiled}
    ids = {(f"{e['msgctxt']}\x04" if "msgctxt" in e else "") + e["msgid"] for e in entries}
    assert ids - keys == set()
    assert all(value for value in compiled.values())


@needs_gettext
@pytest.mark.parametrize("language", TRANSLATED)
def test_the_compiled_catalog_is_the_committed_po(language, tmp_path):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", fresh, po], check=True)
    assert mo_catalog(po.with_suffix(".mo")) == mo_catalog(fresh)


@needs_gettext
def test_makemessages_would_add_nothing(tmp_path, settings, monkeypatch):
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    settings.LOCALE_PATHS = [copy]
    # Run from the project's folder, makemessages adopts its "locale" as a place to write too;
    # it must write only to the copy.
    isdir = os.path.isdir
    monkeypatch.setattr(os.path, "isdir", lambda path: path != "locale" and isdir(path))
    call_command(
        "makemessages",
        locale=TRANSLATED,
        ignore_patterns=MAKEMESSAGES_IGNORE,
        no_obsolete=True,
        verbosity=0,
    )
    for language in TRANSLATED:

        def ids(path):
            return {(e.get("msgctxt"), e["msgid"]) for e in po_entries(path)}

        committed = ids(LOCALE / language / "LC_MESSAGES" / "django.po")
        extracted = ids(copy / language / "LC_MESSAGES" / "django.po")
        assert extracted - committed == set(), f"{language}: run makemessages and translate"
        assert committed - extracted == set(), f"{language}: messages no longer used"
