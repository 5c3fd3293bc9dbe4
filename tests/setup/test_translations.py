"""Every message people read is translatable, and our catalogs translate all of it.

The source check walks the code with `ast`: the message of a `ServiceError`, of the
exceptions whose text reaches people (`ValueError` from the parsers, `ProviderError`, a
form's `ValidationError`) and the sentences among a `ServiceError`'s `fields` go through
gettext, never as a bare literal or f-string. The catalog checks read our .po files: every
msgid has German and none is fuzzy, the compiled .mo says the same, and every msgid the
Python code names is in a catalog.
"""

import ast
import gettext
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import bestellwerk

SOURCE = Path(bestellwerk.__file__).parent
CATALOGS = sorted(SOURCE.glob("*/locale/de/LC_MESSAGES/django.po"))

GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext"}
# The exceptions whose message reaches people, and the position of that message.
MESSAGE_ARGUMENT = {"ServiceError": 1, "ValueError": 0, "ProviderError": 0, "ValidationError": 0}
# Modules where one of them never reaches people, and why.
NOT_FOR_PEOPLE = {
    # Amounts and order numbers a provider reported: the webhook answers "invalid payload".
    "payments/providers/base.py": "ValueError",
    "payments/providers/stripe.py": "ValueError",
    # The demo shop is loaded on the command line, which speaks English like Django's own.
    "demo/seed.py": "ServiceError",
}


def _is_gettext_call(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in GETTEXT_CALLS
    )


def _is_untranslated_text(node: ast.AST) -> bool:
    """A literal, an f-string, or text built from one with +, % or .format()."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _is_untranslated_text(node.left) or _is_untranslated_text(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _is_untranslated_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr == "format" and _is_untranslated_text(node.func.value)
    return False


def _is_sentence(node: ast.AST) -> bool:
    """Untranslated words for people; a single word ("empty", "negative") is a token."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and bool(re.search(r"\s", node.value))
    return _is_untranslated_text(node)


class _Assignments:
    """What a function assigns to its names and to their items (`errors[key] = ...`), to
    follow a message or a `fields` dict built before the `ServiceError`."""

    def __init__(self, function: ast.AST | None) -> None:
        self.values: dict[str, list[ast.AST]] = {}
        self.item_values: dict[str, list[ast.AST]] = {}
        for node in ast.walk(function) if function else ():
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        self.values.setdefault(target.id, []).append(node.value)
                    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        self.item_values.setdefault(target.value.id, []).append(node.value)

    def possible_values(self, node: ast.AST) -> list[ast.AST]:
        return self.values.get(node.id, []) if isinstance(node, ast.Name) else [node]


def _message_argument(call: ast.Call, position: int) -> ast.AST | None:
    for keyword in call.keywords:
        if keyword.arg == "message":
            return keyword.value
    return call.args[position] if len(call.args) > position else None


def _fields_sentences(call: ast.Call, assignments: _Assignments) -> list[ast.AST]:
    sentences: list[ast.AST] = []
    for keyword in call.keywords:
        if keyword.arg != "fields":
            continue
        for given in assignments.possible_values(keyword.value):
            if isinstance(given, ast.Dict | ast.DictComp):
                values = given.values if isinstance(given, ast.Dict) else [given.value]
                sentences += [value for value in values if _is_sentence(value)]
        if isinstance(keyword.value, ast.Name):
            items = assignments.item_values.get(keyword.value.id, [])
            sentences += [value for value in items if _is_sentence(value)]
    return sentences


def untranslated_messages(source: str, *, exempt: str = "") -> list[str]:
    """`line: text` of each message people read that bypasses gettext."""
    tree = ast.parse(source)
    functions = [
        node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    found = []
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        name = getattr(call.func, "id", getattr(call.func, "attr", ""))
        if name not in MESSAGE_ARGUMENT or name == exempt:
            continue
        enclosing = [f for f in functions if f.lineno <= call.lineno <= (f.end_lineno or 0)]
        assignments = _Assignments(max(enclosing, key=lambda f: f.lineno, default=None))
        message = _message_argument(call, MESSAGE_ARGUMENT[name])
        texts = assignments.possible_values(message) if message is not None else []
        problems = [text for text in texts if _is_untranslated_text(text)]
        if name == "ServiceError":
            problems += _fields_sentences(call, assignments)
        found += [f"{text.lineno}: {ast.unparse(text)[:80]}" for text in problems]
    return found


def _app_modules() -> list[Path]:
    """The apps' Python modules (settings.py names languages Django itself translates)."""
    return sorted(
        path
        for path in SOURCE.glob("*/**/*.py")
        if "migrations" not in path.relative_to(SOURCE).parts
    )


def test_every_message_people_read_goes_through_gettext():
    found = []
    for path in _app_modules():
        module = path.relative_to(SOURCE).as_posix()
        exempt = NOT_FOR_PEOPLE.get(module, "")
        found += [
            f"{module}:{problem}"
            for problem in untranslated_messages(path.read_text(), exempt=exempt)
        ]
    assert not found, "Wrap these in gettext, with %(name)s placeholders:\n" + "\n".join(found)


@pytest.mark.parametrize(
    "source",
    [
        'raise ServiceError("not_found", "No such order.")',
        'raise ServiceError("not_found", f"Order {number} does not exist.")',
        'raise ServiceError("unknown_sku", "Unknown SKU: " + ", ".join(skus))',
        'raise ServiceError("not_found", "Order %s does not exist." % number)',
        'raise ServiceError("not_found", "Order {} does not exist.".format(number))',
        'raise ServiceError(code="not_found", message="No such order.")',
        'raise ValueError(f"{value} is not an amount")',
        'raise forms.ValidationError("Choose a user.")',
        'raise ServiceError("invalid_tag", _("At most 50 tags."), fields={"tags": "too many"})',
        "def build(lines):\n"
        '    message = f"An order has at most {MAX_LINES} lines."\n'
        '    raise ServiceError("too_many_lines", message)',
        "def build(lines):\n"
        "    errors = {}\n"
        '    errors["lines.0.quantity"] = f"a whole number from 1 to {MAX_QUANTITY}"\n'
        '    raise ServiceError("invalid_lines", _("Some lines are invalid."), fields=errors)',
    ],
)
def test_the_source_check_finds_messages_that_bypass_gettext(source):
    assert untranslated_messages(source)


@pytest.mark.parametrize(
    "source",
    [
        'raise ServiceError("not_found", _("Order %(number)s does not exist.") % {"number": n})',
        'raise ServiceError("unknown_carrier", UNKNOWN_CODE_MESSAGES[field] % {"code": code})',
        'raise ServiceError("invalid_amount", str(exc), fields={"price": "negative"})',
        'raise ServiceError("invalid_field", _("Read-only."), fields={f: "read-only" for f in x})',
        'raise ValueError(_("19, 7 or 0"))',
        'logger.warning("Order %s does not exist.", number)',
        "def build(lines):\n"
        "    errors = {}\n"
        '    errors["lines.0.quantity"] = _("a whole number from 1 to %(max)d") % {"max": 9}\n'
        '    raise ServiceError("invalid_lines", _("Some lines are invalid."), fields=errors)',
    ],
)
def test_the_source_check_lets_translated_messages_pass(source):
    assert untranslated_messages(source) == []


@dataclass(frozen=True)
class CatalogEntry:
    context: str | None
    msgid: str
    plural: str | None
    translations: tuple[str, ...]
    fuzzy: bool


def read_catalog(path: Path) -> list[CatalogEntry]:
    """The entries of a .po file as makemessages writes them (one blank line between
    entries), the header (msgid "") first; obsolete entries (#~) are left out."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        parts: dict[str, str] = {}
        flags: set[str] = set()
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith('"'):
                parts[key] += ast.literal_eval(line)
            elif not line.startswith("#"):
                key, _, text = line.partition(" ")
                parts[key] = ast.literal_eval(text)
        if "msgid" in parts:
            entries.append(
                CatalogEntry(
                    context=parts.get("msgctxt"),
                    msgid=parts["msgid"],
                    plural=parts.get("msgid_plural"),
                    translations=tuple(v for k, v in parts.items() if k.startswith("msgstr")),
                    fuzzy="fuzzy" in flags,
                )
            )
    return entries


def _catalog_id(path: Path) -> str:
    return path.relative_to(SOURCE).parts[0]


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_every_msgid_of_our_catalogs_has_german(path):
    header, *entries = read_catalog(path)
    assert header.msgid == "" and not header.fuzzy, "a fuzzy header is left out by msgfmt"
    untranslated = [
        f"{entry.msgid[:70]!r}" + (" (fuzzy)" if entry.fuzzy else "")
        for entry in entries
        if entry.fuzzy or not all(entry.translations)
    ]
    assert not untranslated, "Translate in " + str(path) + ":\n" + "\n".join(untranslated)


@pytest.mark.parametrize("path", CATALOGS, ids=_catalog_id)
def test_the_compiled_catalog_says_what_its_po_file_says(path):
    with path.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    stale = []
    for entry in read_catalog(path)[1:]:
        if entry.plural:
            # German: the first form for one, the second for every other number.
            found = tuple(catalog.ngettext(entry.msgid, entry.plural, n) for n in (1, 2))
        elif entry.context:
            found = (catalog.pgettext(entry.context, entry.msgid),)
        else:
            found = (catalog.gettext(entry.msgid),)
        if found != entry.translations:
            stale.append(repr(entry.msgid[:70]))
    assert not stale, "Run compilemessages; the .mo differs on:\n" + "\n".join(stale)


def _literal_msgids(tree: ast.AST) -> list[tuple[int, str | None, str]]:
    """(line, context, msgid) of each gettext call on literal text."""
    found = []
    for node in ast.walk(tree):
        if not _is_gettext_call(node):
            continue
        arguments = list(node.args)
        context = arguments.pop(0).value if node.func.id == "pgettext" else None
        if arguments and isinstance(arguments[0], ast.Constant):
            found.append((node.lineno, context, arguments[0].value))
    return found


def test_every_msgid_of_the_code_has_german_in_a_catalog():
    translated = {
        (entry.context, entry.msgid)
        for path in CATALOGS
        for entry in read_catalog(path)
        if not entry.fuzzy and all(entry.translations)
    }
    missing = [
        f"{path.relative_to(SOURCE)}:{line}: {msgid[:70]!r}"
        for path in _app_modules()
        for line, context, msgid in _literal_msgids(ast.parse(path.read_text()))
        if (context, msgid) not in translated
    ]
    assert not missing, (
        "No German for these: makemessages in the app, translate, compilemessages:\n"
        + "\n".join(missing)
    )
