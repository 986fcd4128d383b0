"""Text from notices and users, made safe for the formats we write it into.

Titles, justifications and notice fields are data. None of them may become structure in a file we write: a formula
in a spreadsheet, a heading, link or HTML in Markdown, a terminal escape sequence, or a new line in a YAML comment.

>>> spreadsheet_cell("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> markdown_text("**Ramen** <script>x</script> [klik](javascript:alert(1))")
'\\\\*\\\\*Ramen\\\\*\\\\* &lt;script&gt;x&lt;/script&gt; \\\\[klik\\\\]\\\\(javascript:alert\\\\(1\\\\)\\\\)'
>>> one_line("Titel\\x1b]0;pwned\\x07\\nend_users: []")
'Titel ]0;pwned end_users: []'
"""

from __future__ import annotations

import re

# Characters a spreadsheet program reads as the start of a formula (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# C0 and C1 control characters and DEL, except tab and newline; what a terminal or an XLSX part cannot take.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_AND_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#|!~])")


def spreadsheet_cell(value: str) -> str:
    """A text cell that no spreadsheet program runs as a formula: a leading ``'`` marks it as text."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def without_controls(value: str) -> str:
    """The text without control characters (tabs and line breaks kept)."""
    return _CONTROL.sub("", value)


def one_line(value: str) -> str:
    """The text on one line, without control characters: for a YAML comment or a row of terminal output."""
    return " ".join(_CONTROL_AND_BREAKS.sub(" ", value).split())


def markdown_text(value: str) -> str:
    """Text shown as text in Markdown: no heading, emphasis, link or HTML can come from it."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", " ".join(without_controls(escaped).split()))
