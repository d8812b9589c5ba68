"""``manage.py startplugin <name>``: a working plugin in plugins/<name>/.

It writes the plugin (config, model and migration, admin view, portal page, service
form, API, task, template, zh_Hans translations) and its tests, and registers it in the
``anju.plugins`` entry-point group of pyproject.toml. Then one install step
(``make install``, which ``make test`` and ``make run`` run for you) makes it live.
The core is not touched.
"""

import keyword
import re
from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from anju.plugins.config import RESERVED_SLUGS

SCAFFOLD = Path(__file__).resolve().parents[2] / "scaffold"
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,40}$")
ENTRY_POINT_TABLE = '[project.entry-points."anju.plugins"]'

# The scaffold's own strings and their Chinese, so a fresh plugin is translated at once.
TRANSLATIONS = {
    "Residents sign up; staff follow up.": "居民在线报名，工作人员跟进。",
    "name": "姓名",
    "phone": "电话",
    "note": "备注",
    "signed up": "报名时间",
    "sign-up": "报名",
    "sign-ups": "报名",
    "Sign up online, no account needed.": "在线报名，无需注册账号。",
    "Sign up": "我要报名",
    "Leave your name and phone number and we will call you.": "留下姓名和电话，我们会联系您。",
}


class Command(BaseCommand):
    help = "Create a new service plugin in plugins/<name>/ with its tests."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the plugin's app label, e.g. volunteers")
        parser.add_argument("--title", help="Chinese title, e.g. 志愿服务")
        parser.add_argument("--title-en", help="English title, e.g. Volunteers")
        parser.add_argument("--directory", help="where plugins live (default: plugins/)")
        parser.add_argument("--module", help="import path (default: plugins.<name>)")
        parser.add_argument("--tests-directory", help="default: tests/plugins/<name>/")
        parser.add_argument(
            "--no-register",
            action="store_true",
            help="do not add the entry point to pyproject.toml",
        )

    def handle(self, *args, name, **options):
        if not NAME_RE.match(name) or keyword.iskeyword(name):
            raise CommandError(
                f"{name!r} is not a valid plugin name: use lower-case letters, digits and "
                "underscores, starting with a letter."
            )
        slug = name.replace("_", "-")
        if slug in RESERVED_SLUGS:
            raise CommandError(f"{name!r} is reserved by the platform; choose another name.")
        from django.apps import apps

        if any(config.label == name for config in apps.get_app_configs()):
            raise CommandError(f"An app labelled {name!r} is already installed.")
        root = Path(settings.BASE_DIR)
        target = Path(options["directory"] or root / "plugins") / name
        tests_target = Path(options["tests_directory"] or root / "tests" / "plugins" / name)
        if target.exists():
            raise CommandError(f"{target} already exists.")
        title_en = options["title_en"] or name.replace("_", " ").title()
        tokens = {
            "@@label@@": name,
            "@@Class@@": "".join(part.title() for part in name.split("_")),
            "@@slug@@": slug,
            "@@module@@": options["module"] or f"plugins.{name}",
            "@@title@@": options["title"] or title_en,
            "@@title_en@@": title_en,
            "@@REF@@": re.sub(r"[^A-Z]", "", name.upper())[:2] or "P",
        }
        self._copy(SCAFFOLD / "plugin", target, tokens)
        self._copy(SCAFFOLD / "tests", tests_target, tokens)
        for folder in (tests_target, tests_target.parent):
            (folder / "__init__.py").touch()
        self._catalogue(target, tokens)
        if not options["no_register"]:
            self._register(root / "pyproject.toml", name, tokens["@@module@@"], tokens["@@Class@@"])
        self.stdout.write(self.style.SUCCESS(f"Created {target} and {tests_target}."))
        self.stdout.write("Next: make install  (make test / make run do it for you)")

    def _copy(self, source: Path, target: Path, tokens: dict[str, str]) -> None:
        for path in sorted(source.rglob("*")):
            if "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            # Python files are stored as .py-tpl (Django's convention for app templates)
            # so that linters and the import graph never read them as code.
            relative = str(path.relative_to(source)).removesuffix("-tpl")
            for token, value in tokens.items():
                relative = relative.replace(token, value)
            destination = target / relative
            if path.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            for token, value in tokens.items():
                text = text.replace(token, value)
            destination.write_text(text, encoding="utf-8")

    def _catalogue(self, target: Path, tokens: dict[str, str]) -> None:
        po = polib.POFile()
        po.metadata = {
            "Content-Type": "text/plain; charset=UTF-8",
            "Language": "zh_Hans",
            "Plural-Forms": "nplurals=1; plural=0;",
        }
        for msgid, msgstr in {tokens["@@title_en@@"]: tokens["@@title@@"], **TRANSLATIONS}.items():
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        folder = target / "locale" / "zh_Hans" / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        po.save(str(folder / "django.po"))
        po.save_as_mofile(str(folder / "django.mo"))

    def _register(self, pyproject: Path, name: str, module: str, cls: str) -> None:
        text = pyproject.read_text(encoding="utf-8")
        if ENTRY_POINT_TABLE not in text:
            raise CommandError(f"{pyproject} has no {ENTRY_POINT_TABLE} table.")
        line = f'{name} = "{module}.apps:{cls}Config"'
        if line in text:
            return
        text = text.replace(ENTRY_POINT_TABLE, f"{ENTRY_POINT_TABLE}\n{line}", 1)
        pyproject.write_text(text, encoding="utf-8")
        self.stdout.write(f"Registered in {pyproject.name}: {line}")
