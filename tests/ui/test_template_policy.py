"""Our pages keep the Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) without
relaxing it: no inline script, no inline style, no event handler attribute, no hx-on, no
javascript: URL in any template, nor in the markup our Python code builds (format_html).
The browser would refuse each of them; this names the file and line first."""

import io
import re
import tokenize
from pathlib import Path

import bestellwerk

SOURCE_DIR = Path(bestellwerk.__file__).parent
# Django's template syntax, blanked (its line breaks kept, for the line numbers), so that a
# tag such as {% if %} between two attributes neither hides nor fakes one.
TEMPLATE_SYNTAX = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)
HTML_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
# What the policy refuses, each found inside an HTML tag.
REFUSED_IN_TAGS = {
    "inline <script> (load a static file; a JSON data block is type=application/json)": re.compile(
        r"^<script\b(?![^>]*\ssrc=)(?![^>]*\stype=[\"']application/json[\"'])", re.IGNORECASE
    ),
    "<style> block (use a class in the app's static CSS)": re.compile(r"^<style\b", re.IGNORECASE),
    "style attribute (use a class in the app's static CSS)": re.compile(
        r"\sstyle\s*=", re.IGNORECASE
    ),
    "hx-on attribute (an inline handler: listen in a static script)": re.compile(
        r"\s(?:data-)?hx-on\b", re.IGNORECASE
    ),
    "on* event handler attribute (listen in a static script)": re.compile(
        r"\son[a-z]+\s*=", re.IGNORECASE
    ),
    "javascript: URL": re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE),
    # htmx evaluates these as code, which the policy refuses (allowEval is off too).
    "htmx trigger filter [...] (check in a static script, e.g. on htmx:confirm)": re.compile(
        r"\shx-trigger\s*=\s*[\"'][^\"']*\[", re.IGNORECASE
    ),
    "htmx evaluated values (hx-vars, hx-vals with js:)": re.compile(
        r"\shx-vars\s*=|\shx-vals\s*=\s*[\"']\s*(?:js|javascript):", re.IGNORECASE
    ),
}


def refusals(text: str) -> list[tuple[int, str, str]]:
    """(line, what, tag) for each thing in `text`'s HTML tags that the policy refuses."""
    blanked = TEMPLATE_SYNTAX.sub(lambda match: "\n" * match.group().count("\n"), text)
    found = []
    for tag in HTML_TAG.finditer(blanked):
        line = blanked.count("\n", 0, tag.start()) + 1
        for what, pattern in REFUSED_IN_TAGS.items():
            if pattern.search(tag.group()):
                found.append((line, what, " ".join(tag.group().split())[:120]))
    return found


def string_literals(module: str) -> str:
    """A Python module's string literals at their lines, everything else blank: the markup
    that code builds, without the comments and code around it."""
    lines = ["" for _line in module.splitlines()]
    for token in tokenize.generate_tokens(io.StringIO(module).readline):
        if token.type == tokenize.STRING:
            lines[token.start[0] - 1] += " " + token.string.replace("\n", " ")
    return "\n".join(lines)


def markup_sources() -> dict[Path, str]:
    """Every template, and the string literals of every Python module; not the migrations,
    whose default e-mail templates are e-mails' HTML (styled inline, as e-mails are), shown
    only in the admin's sandboxed preview."""
    templates = {
        path: path.read_text(encoding="utf-8") for path in SOURCE_DIR.glob("**/templates/**/*.html")
    }
    modules = {
        path: string_literals(path.read_text(encoding="utf-8"))
        for path in SOURCE_DIR.glob("**/*.py")
        if "migrations" not in path.parts
    }
    return templates | modules


def test_no_template_or_markup_needs_the_policy_relaxed():
    sources = markup_sources()
    assert len([p for p in sources if p.suffix == ".html"]) >= 20, "templates not found"
    problems = [
        f"{path.relative_to(SOURCE_DIR)}:{line}: {what}: {tag}"
        for path, text in sorted(sources.items())
        for line, what, tag in refusals(text)
    ]
    assert not problems, "\n".join(problems)


def test_the_check_finds_each_kind_of_inline_code():
    template = "\n".join(
        [
            "<script>alert(1)</script>",
            "<style>p { color: red }</style>",
            '<p style="color: red">',
            '<button onclick="go()">',
            '<div{% if x %} hx-on:click="go()"{% endif %}>',
            '<a href="javascript:go()">',
            '<input hx-trigger="input changed delay:400ms[this.checkValidity()]">',
            "<input hx-vals='js:{n: 1}' hx-trigger=\"change\">",
            '<script src="/static/app.js"></script>',
            '<script type="application/json" id="data">{}</script>',
            '{% with section="cart" %}<form action="/x" data-section="cart">{% endwith %}',
        ]
    )
    assert [(line, what.split(" (")[0]) for line, what, _tag in refusals(template)] == [
        (1, "inline <script>"),
        (2, "<style> block"),
        (3, "style attribute"),
        (4, "on* event handler attribute"),
        (5, "hx-on attribute"),
        (6, "javascript: URL"),
        (7, "htmx trigger filter [...]"),
        (8, "htmx evaluated values"),
    ]
