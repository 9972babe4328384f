"""One msgid language: English msgids in code and templates, the Korean in the ``ko``
catalogue, and ``make messages`` leaves nothing to translate.

The catalogues are read with a small parser (no polib): entries are blank-line separated
blocks of ``#`` comments and ``msgctxt``/``msgid``/``msgid_plural``/``msgstr[n]`` strings.
"""

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

HANGUL = re.compile("[\uac00-\ud7a3]")

# What ``make messages`` passes makemessages (Makefile), and what a copy of the project
# needs to run it: the code, the templates and the catalogues, nothing generated.
MAKEMESSAGES_IGNORE = [".venv", "staticfiles", "tests"]
NOT_COPIED = {
    ".venv",
    ".git",
    "staticfiles",
    "static",
    "tests",
    "node_modules",
    "var",
    "backups",
    "__pycache__",
    ".hypothesis",
    ".pytest_cache",
    ".ruff_cache",
    "benchmarks",
}
COPIED_SUFFIXES = {".py", ".html", ".txt", ".po"}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def catalogue(path: Path) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` ones left out), header excluded."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, key = Entry(), None
        live = False
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif found := re.match(
                r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(".*")$', line
            ):
                name, index, text = found.groups()
                live = True
                key = (name, int(index or 0))
                if name == "msgstr":
                    entry.msgstr[key[1]] = _unquote(text)
                else:
                    setattr(entry, name, _unquote(text))
            elif line.startswith('"') and key:
                name, index = key
                if name == "msgstr":
                    entry.msgstr[index] += _unquote(line)
                else:
                    setattr(entry, name, getattr(entry, name) + _unquote(line))
        if live and entry.msgid:
            entries.append(entry)
    return entries


def catalogue_paths(root: Path) -> dict[str, Path]:
    return {
        path.parent.parent.name: path
        for path in sorted((root / "locale").glob("*/LC_MESSAGES/django.po"))
    }


def not_english(msgid: str) -> bool:
    """A Korean msgid, or a bilingual "한국어 / English" one. An English msgid may name a
    Korean term as printed ("current total cost (백만원)", "column 재원: …")."""
    if not HANGUL.search(msgid):
        return False
    return len(HANGUL.findall(msgid)) >= len(re.findall("[A-Za-z]", msgid)) or " / " in msgid


def _untranslated(entries: list[Entry]) -> list[str]:
    return [e.msgid for e in entries if not e.translated or "fuzzy" in e.flags]


def test_korean_is_the_catalogue_and_the_default():
    assert settings.LANGUAGE_CODE == "ko"
    assert "ko" in catalogue_paths(settings.BASE_DIR)


def test_every_msgid_is_english():
    found = {
        language: [
            text
            for entry in catalogue(path)
            for text in (entry.msgid, entry.msgid_plural or "")
            if not_english(text)
        ]
        for language, path in catalogue_paths(settings.BASE_DIR).items()
    }
    assert found == {language: [] for language in found}


def test_every_catalogue_is_translated_and_compiled():
    """What the pages read is the .mo: it holds every translation of the .po, no more."""
    for language, path in catalogue_paths(settings.BASE_DIR).items():
        entries = catalogue(path)
        assert _untranslated(entries) == [], language
        with open(path.with_suffix(".mo"), "rb") as compiled:
            held = dict(gettext.GNUTranslations(compiled)._catalog)
        held.pop("", None)  # the header
        expected = {}
        for entry in entries:
            key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
            if entry.msgid_plural is None:
                expected[key] = entry.msgstr[0]
            else:
                expected.update({(key, n): text for n, text in entry.msgstr.items()})
        assert held == expected, f"{language}: run make messages (compilemessages)"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext is not installed")
def test_make_messages_leaves_nothing_untranslated(tmp_path):
    """makemessages over a copy of the project, as ``make messages`` runs it: no msgid of
    the code is missing from a catalogue, none is left fuzzy or untranslated."""
    root = Path(settings.BASE_DIR)
    copy = tmp_path / "project"

    def ignored(directory, names):
        return {
            name
            for name in names
            if name in NOT_COPIED
            or ((Path(directory) / name).is_file() and Path(name).suffix not in COPIED_SUFFIXES)
        }

    shutil.copytree(root, copy, ignore=ignored)
    languages = sorted(catalogue_paths(root))
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            *(f"-l{language}" for language in languages),
            "--no-obsolete",
            *(f"--ignore={name}" for name in MAKEMESSAGES_IGNORE),
        ],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    for language in languages:
        made = catalogue(copy / "locale" / language / "LC_MESSAGES" / "django.po")
        committed = catalogue(catalogue_paths(root)[language])
        assert _untranslated(made) == [], language
        assert {(e.msgctxt, e.msgid) for e in made} == {(e.msgctxt, e.msgid) for e in committed}
