"""The advice as JSON, written from pieces kept per catalogue: the same bytes as ``words.document(...)``'s
``model_dump_json``, without putting every criterion into words again for every tender.

Why this is fast: most of an advice does not depend on the tender, and the rest depends on a few facts. What a
criterion says in the advice (its title, wording, legal basis, reason records and their sentences) is fixed by
the plan (catalogue and date), its verdict (applies or not or undetermined, which predicates decided it, what
overrides it) and the values of the facts those predicates read. So:

- an item is kept whole, as text, for the values of those facts, once they have come twice (many combinations
  of facts come only once); before that it is made of pieces: its frame (everything but its reason records,
  kept per verdict) and its reason records (each kept for the value of its fact);
- a number (an estimated value, a labour share, a duration) is nearly always new, so an item or reason record
  that shows one is kept as a template: written once with a marker in the number's place, and the number and its
  wording in each language put in for each tender. A template is checked against the text written in full the
  first time, and not used if it does not give the same bytes;
- the criteria are looked up in runs (those whose conditions first read the same fact, in the plan's order),
  not one by one: a run's items are kept together, by the run's verdicts and the values of the facts its items
  show, once each of them is kept whole. The items of most runs come again together, and a run is one look-up
  where its criteria were three each; a run not kept is made one criterion at a time;
- the derived facts, questions and eForms values are kept the same way; only the tender itself is written for
  every advice.

Every piece is written by pydantic from the models in ``advice.model`` as ``words`` makes them, at the place it
takes in the document (its indentation), and an advice is its pieces joined once, in pydantic's layout (two
spaces an indent and ``": "``, or the compact form). What is kept is bounded by the memory it takes
(``KEEP_BYTES``); past it, everything is dropped and made again.

The tests hold this writer to ``words.document(...).model_dump_json(...)`` byte for byte, on generated tenders
in both languages, each language alone and four indents, with what is kept dropped midway, and with catalogue
text that contains the marker (``tests/test_evaluate.py``).
"""

from __future__ import annotations

import itertools
import operator
import re
import sys
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from pydantic_core import to_json

from inclusief_inkopen.advice import words
from inclusief_inkopen.advice.model import ADVICE_FORMAT
from inclusief_inkopen.advice.reasons import format_value
from inclusief_inkopen.base.text import Lang
from inclusief_inkopen.rules.catalogue import Catalogue
from inclusief_inkopen.rules.decide import Decision, Decisions

Langs = tuple[Lang, ...]

# The memory the kept text may take per catalogue (as ``sys.getsizeof`` counts it: a text with a euro sign takes two
# bytes a character); past it everything kept is dropped and made again as needed.
KEEP_BYTES = 64 * 1024 * 1024


def _size(piece: Any) -> int:
    if piece.__class__ is str or piece.__class__ is bytes:
        return sys.getsizeof(piece)
    if piece.__class__ is tuple:
        return sum(map(_size, piece))
    if piece.__class__ is _Template:
        return sum(map(sys.getsizeof, piece.parts)) + sys.getsizeof(piece.pairs) + sum(map(sys.getsizeof, piece.pairs))
    return 0


_NUMBERS = itertools.count()
# Per verdict of a criterion: the facts its items show, their set's number, and its items by the number of the
# facts' values (the item's JSON, a template, or _SEEN).
# A slot also holds what picks the numbers of its facts' values out of a tender's (``_picker``).
_Slot = tuple[tuple[str, ...], int, dict[int, Any], Callable[[dict[str, Any]], Any]]


def _no_values(numbers: dict[str, Any]) -> tuple[()]:
    return ()


def _picker(fields: tuple[str, ...]) -> Callable[[dict[str, Any]], Any]:
    """What picks the numbers of these facts' values out of a tender's: one call in C (a ``tuple(map(...))``
    made a map and a tuple for every set of facts, some 27 an advice). It gives the number itself for one fact,
    a tuple for more, the same shape for a set of facts every time."""
    return operator.itemgetter(*fields) if fields else _no_values


class Kept:
    """Text kept per catalogue, bounded by the memory it takes: JSON pieces by key, and per date, languages and
    indent a table of each criterion's items."""

    __slots__ = ("criteria", "fieldsets", "interned", "limit", "pieces", "used", "values")

    def __init__(self, limit: int = KEEP_BYTES) -> None:
        self.pieces: dict[Any, Any] = {}
        # (date, languages, indent) -> per criterion: its verdict (``_verdict``) -> (the facts its reason
        # records read, {the values of those facts: its item's JSON, a template, or _SEEN})
        self.criteria: dict[Any, list[dict[Any, _Slot]]] = {}
        # A number for each set of facts that items show, for each value of a fact, and for each set of values
        # (as the tuple of their numbers): a criterion's items are found by the number of its facts' values,
        # made once per tender and set of facts (an integer is the cheapest key to look up 72 times an advice).
        # A fact's value is numbered once an advice, not once for every set of facts it is in (a list of CPV
        # codes is in many, and a tuple's hash is not kept). Numbers are never given twice, so one made before
        # everything was dropped finds nothing afterwards.
        self.fieldsets: dict[tuple[str, ...], int] = {}
        # by the value's class (500000 and 500000.0 are equal in Python, not in JSON), then by the value
        self.values: dict[type, dict[Any, int]] = {}
        self.interned: dict[tuple[Any, ...], int] = {}
        self.used = 0
        self.limit = limit

    def fieldset(self, fields: tuple[str, ...]) -> int:
        found = self.fieldsets.get(fields)
        if found is None:
            found = self.fieldsets[fields] = next(_NUMBERS)
        return found

    def intern(self, values: tuple[Any, ...]) -> int:
        found = self.interned.get(values)
        if found is None:
            found = self.interned[values] = next(_NUMBERS)
            self.used += 100  # about what a key and its number take
        return found

    def value(self, cls: type, value: Any) -> int:
        known = self.values.get(cls)
        if known is None:
            known = self.values[cls] = {}
        found = known.get(value)
        if found is None:
            found = known[value] = next(_NUMBERS)
            self.used += 100
        return found

    def slot(self, fields: tuple[str, ...]) -> _Slot:
        """A new slot for items that show these facts: nothing kept in it yet."""
        return (fields, self.fieldset(fields), {}, _picker(fields))

    def table(self, head: Any, size: int) -> list[dict[Any, _Slot]]:
        found = self.criteria.get(head)
        if found is None:
            found = self.criteria[head] = [{} for _ in range(size)]
        return found

    def count(self, piece: Any) -> bool:
        """Count a piece about to be kept. Past the limit everything kept is dropped first, and False says so: the
        table the piece was going to is gone."""
        return self.count_bytes(_size(piece))

    def count_bytes(self, size: int) -> bool:
        """``count`` for what takes ``size`` bytes (a run of items only points at items kept already)."""
        if self.used + size <= self.limit:
            self.used += size
            return True
        self.pieces.clear()
        self.criteria.clear()
        self.fieldsets.clear()
        self.values.clear()
        self.interned.clear()
        self.used = size
        return False

    def put(self, key: Any, piece: Any) -> Any:
        self.count(piece)
        self.pieces[key] = piece
        return piece


def _kept(catalogue: Catalogue) -> Kept:
    kept = catalogue.json_pieces
    if kept is None:
        kept = catalogue.json_pieces = Kept()
    return kept  # type: ignore[no-any-return]


class _Layout:
    """pydantic's JSON layout at one indent: where a value starts decides how its lines are indented."""

    __slots__ = ("colon", "comma", "heads", "indent", "pads")

    def __init__(self, indent: int | None) -> None:
        self.indent = indent
        self.colon = ": " if indent is not None else ":"
        self.comma = ",\n" if indent is not None else ","
        self.pads = [" " * ((indent or 0) * depth) for depth in range(8)]
        self.heads: dict[tuple[str, str, bool], Any] = {}

    def head(self, key: str, opening: str, binary: bool) -> Any:
        """The start of one of the document's members, ``"key": `` and what opens its value, as text or UTF-8:
        the same for every advice in this layout, so made once."""
        found = self.heads.get((key, opening, binary))
        if found is None:
            found = self.member(key, opening, 1)
            found = self.heads[(key, opening, binary)] = found.encode() if binary else found
        return found

    def value(self, value: Any, depth: int) -> str:
        """A value written where a member at ``depth`` holds it (the document's members are at depth 1)."""
        text = (
            value.model_dump_json(indent=self.indent)
            if isinstance(value, BaseModel)
            else to_json(value, indent=self.indent).decode()
        )
        if self.indent is None:
            return text
        return text.replace("\n", "\n" + self.pads[depth])

    def member(self, key: str, text: str, depth: int) -> str:
        """``"key": value`` as a member at ``depth``, its value written for that depth already."""
        pad = self.pads[depth] if self.indent is not None else ""
        return f"{pad}{to_json(key).decode()}{self.colon}{text}"

    def members(self, texts: list[str], depth: int) -> str:
        if not texts:
            return "{}"
        if self.indent is None:
            return "{" + ",".join(texts) + "}"
        return "{\n" + ",\n".join(texts) + "\n" + self.pads[depth - 1] + "}"


_LAYOUTS: dict[int | None, _Layout] = {}


def _layout(indent: int | None) -> _Layout:
    found = _LAYOUTS.get(indent)
    if found is None:
        if indent is not None and indent < 0:
            raise ValueError(f"indent must be None or at least 0, not {indent}")
        found = _LAYOUTS[indent] = _Layout(indent)
    return found


# A number in a reason record (an estimated value, a labour share, a duration) is nearly always new, so an item
# that shows one is kept as a template: written once with a marker in the number's place, the marker found again
# in the JSON, and the number and its sentences (in each language) put in for each tender. A template is checked
# against the item written in full the first time; one that does not give the same bytes is not used.
_MARK = re.compile("\ue000([0-9]+)\ue001")


def _mark(i: int) -> str:
    return f"\ue000{i}\ue001"


def _is_number(value: Any) -> bool:
    return value.__class__ is int or value.__class__ is float


def _checked(marked: str, fields: list[str], facts: dict[str, Any], text: str) -> Any:
    """The template of ``marked`` (``text`` written with markers for these facts' numbers), or ``_UNUSABLE`` when
    filling it in with the facts does not give ``text`` byte for byte."""
    template = _Template(marked, fields)
    return template if "".join(template.fill(facts, {})) == text else _UNUSABLE


class _Template:
    """A piece of JSON with holes for numbers: each hole is the number itself or its wording in one language."""

    __slots__ = ("binary", "holes", "pairs", "parts")

    def __init__(self, text: str, fields: list[str]) -> None:
        self.binary = False
        self.parts: list[Any] = []
        # (field, "json" or a language)
        self.holes: list[tuple[str, str]] = []
        at = 0
        for match in _MARK.finditer(text):
            start, end = match.span()
            field = fields[int(match.group(1))]
            if text[start - 1] == '"' and text[end] == '"' and _key_before(text, start - 1) == "actual":
                self.parts.append(text[at : start - 1])
                self.holes.append((field, "json"))
                at = end + 1
            else:
                self.parts.append(text[at:start])
                self.holes.append((field, _string_key(text, start)))
                at = end
        self.parts.append(text[at:])
        self.pairs = tuple(zip(self.holes, self.parts[1:], strict=True))  # each hole and the text after it

    def encoded(self) -> _Template:
        """The same template with UTF-8 parts, filled in with UTF-8."""
        other = _Template.__new__(_Template)
        other.binary = True
        other.holes = self.holes
        other.parts = [part.encode() for part in self.parts]
        other.pairs = tuple(zip(other.holes, other.parts[1:], strict=True))
        return other

    def fill(self, facts: dict[str, Any], said: dict[tuple[str, str], Any]) -> list[Any]:
        """The piece with the facts' numbers in it, as a list of strings (joined with the rest of the advice in
        one go); ``said`` keeps each number as written, for the next hole that shows it (one tender's value is in
        several reason records)."""
        out: list[Any] = []
        self.into(out, facts, said)
        return out

    def into(self, section: list[Any], facts: dict[str, Any], said: dict[tuple[str, str], Any]) -> None:
        """``fill`` appended to ``section``: no list of its own to copy in."""
        append = section.append
        append(self.parts[0])
        for hole, part in self.pairs:
            text = said.get(hole)
            if text is None:
                text = said[hole] = self.shown(hole, facts)
            append(text)
            append(part)

    def shown(self, hole: tuple[str, str], facts: dict[str, Any]) -> Any:
        """A number as this hole shows it: as JSON, or in words in one language inside a JSON string."""
        field, role = hole
        value = facts[field]
        # Counts, months and shares come again and again (the number of lots, a 24-month contract, 35 % labour);
        # amounts hardly ever, so what is kept is bounded by a count and dropped whole when it is full.
        key = (hole, value.__class__, value, self.binary)
        found = _SHOWN.get(key)
        if found is None:
            if len(_SHOWN) >= _SHOWN_MAX:
                _SHOWN.clear()
            found = _SHOWN[key] = self.written(field, role, value)
        return found

    def written(self, field: str, role: str, value: Any) -> Any:
        if role == "json":
            text = to_json(value).decode()
        else:
            text = format_value(field, value, role)  # type: ignore[arg-type]
            if '"' in text or "\\" in text or not text.isprintable():  # as it is written inside a JSON string
                text = to_json(text).decode()[1:-1]
        return text.encode() if self.binary else text


# Numbers as a hole shows them, by hole, class, value and text or UTF-8: they depend on nothing else.
_SHOWN: dict[tuple[Any, ...], Any] = {}
_SHOWN_MAX = 4096


def _key_before(text: str, quote: int) -> str:
    """The member name before the value that opens at ``quote``: ``"name": "…`` or ``"name":"…``."""
    colon = text.rindex(":", 0, quote)
    opening = text.rindex('"', 0, colon - 1)
    return text[opening + 1 : colon - 1]


def _string_key(text: str, at: int) -> str:
    """The member name of the string that ``at`` is inside: its language, in a text."""
    quote = at
    while True:  # back to the string's opening quote: one not escaped (sentences hold no raw quotes)
        quote = text.rindex('"', 0, quote)
        if text[quote - 1] != "\\":
            break
    return _key_before(text, quote)


def _fields(d: Decisions, index: int, mask: int) -> tuple[str, ...]:
    """The facts read by the predicates that decided criterion ``index`` (its reason records)."""
    leaves = d._plan.program.leaves[index]
    return tuple(dict.fromkeys(node.field for j, node in enumerate(leaves) if mask >> j & 1))


def _verdict(truth: Any, mask: int, overridden_by: str | None) -> Any:
    """A criterion's verdict as a key: applies or not or undetermined, which predicates decided it, and what
    overrides it. An integer where nothing overrides it (nearly always), as that is the cheapest key there is."""
    if overridden_by is not None:
        return (truth, mask, overridden_by)
    return mask << 2 | (truth is True) | (truth is None) << 1


_UNUSABLE = object()  # a template or frame that did not give the same bytes: such items are written in full
_SEEN = object()  # an item met once: kept whole when it comes again


class _Run:
    """The items of a run of criteria by the section they go in, with what the questions and the eForms values
    need of them; kept as it is, or as a tuple of its items where none applies and none is a template."""

    __slots__ = (
        "not_applying",
        "open",
        "overridden",
        "pending",
        "suggestions",
        "templates",
        "undetermined",
        "with_eforms",
    )

    def __init__(self) -> None:
        self.suggestions: Any = []
        self.not_applying: Any = []
        self.overridden: Any = []
        self.undetermined: Any = []
        self.open: Any = []
        self.with_eforms: Any = []
        self.pending = False
        self.templates = False

    def add(
        self,
        sections: tuple[list[Any], list[Any], list[Any], list[Any]],
        facts: dict[str, Any],
        said: dict[tuple[str, str], Any],
    ) -> None:
        """The run's items into the advice's sections (suggestions, not applying, overridden, undetermined):
        templates filled in, lists of strings (templates filled in before) as they are."""
        # The four sections by hand, not by a ``zip``: it is called for about six runs an advice.
        if self.suggestions:
            _into(self.suggestions, sections[0], facts, said)
        if self.not_applying:
            _into(self.not_applying, sections[1], facts, said)
        if self.overridden:
            _into(self.overridden, sections[2], facts, said)
        if self.undetermined:
            _into(self.undetermined, sections[3], facts, said)

    def frozen(self) -> Any:
        if not (self.templates or self.suggestions or self.overridden or self.undetermined):
            return tuple(self.not_applying)
        for name in ("suggestions", "not_applying", "overridden", "undetermined", "open", "with_eforms"):
            setattr(self, name, tuple(getattr(self, name)))
        return self


def _into(pieces: Any, section: list[Any], facts: dict[str, Any], said: dict[tuple[str, str], Any]) -> None:
    for piece in pieces:
        if piece.__class__ is _Template:
            piece.into(section, facts, said)
        elif piece.__class__ is list:
            section += piece
        else:
            section.append(piece)


def _run_size(entry: Any) -> int:
    """The memory a kept run takes beside its items, which are kept already and only pointed at: its tuples, and
    about what its place in the table takes."""
    size = sys.getsizeof(entry) + 100
    if entry.__class__ is _Run:
        size += sum(sys.getsizeof(getattr(entry, name)) for name in _Run.__slots__)
    return size


class _Writer:
    """One advice in one layout, as a list of strings joined once: the pieces it needs, from the catalogue's
    kept text or written now."""

    def __init__(self, d: Decisions, langs: Langs, indent: int | None, binary: bool = False) -> None:
        self.d = d
        self.langs = langs
        self.layout = layout = _layout(indent)
        self.kept = _kept(d.catalogue)
        # What the advice is made of (frames, reason records) is kept as text; what goes into it as it is
        # (items, sections), as text or as UTF-8, whichever is asked for.
        self.binary = binary
        self.text_head = (d.on, langs, indent)
        self.head = (d.on, langs, indent, binary)
        self.table = self.kept.table(self.head, len(d.truths))
        self.cut = self.runs()
        # The value of each fact a condition reads numbered, by its class and value: a list as a tuple (its items
        # are strings, by the profile's model); a number by its class alone, as the items that show it are
        # templates; a fact the decisions lack as unknown (None), as the words show it. Sets of facts are found by
        # these numbers. The facts no condition reads (a third: the title, the authority, ...) are not numbered.
        numbers: dict[str, Any] = {}
        kept = self.kept
        by_class = kept.values
        facts = d.facts
        for name in self.cut[3]:
            value = facts.get(name)
            cls = value.__class__
            if cls is list:
                value = tuple(value)
            elif cls is int or cls is float:
                value = None
            known = by_class.get(cls)
            try:
                number = None if known is None else known.get(value)
                if number is None:
                    number = kept.value(cls, value)
            except TypeError:  # a value that does not hash by what it is: so does no set of facts that holds it
                number = (cls, value)
            numbers[name] = number
        self.fact_numbers = numbers
        self.text_sep = layout.comma if indent is not None else ","
        self.sep: Any = self.text_sep.encode() if binary else self.text_sep
        # Each number as written, per hole, for text templates and for UTF-8 ones.
        self.said: dict[tuple[str, str], Any] = {}
        self.said_out: dict[tuple[str, str], Any] = {} if binary else self.said
        self.keys: dict[int, int] = {}

    def item(self, index: int, truth: Any, mask: int, overridden_by: str | None) -> str | list[str]:
        """A criterion's item in its list, after the separator that comes before every item but the first: a
        string, or a list of strings where a template was filled in.

        The first time its facts come, it is made of pieces (its frame and its reason records); the second time,
        it is kept whole: as text, or as a template where it shows a number. Many combinations of facts come only
        once, and are not kept whole."""
        verdict = _verdict(truth, mask, overridden_by)
        slot = self.slot(index, verdict, mask)
        fields, _, texts, _ = slot
        key = self.key(slot)
        if key < 0:  # a fact that does not hash by its value: made afresh, not kept
            return self.out(self.compose(index, truth, mask, overridden_by, keep=False))
        found = texts.get(key)
        if found is None:
            text = self.compose(index, truth, mask, overridden_by)
            self.keep(texts, key, _SEEN)
            return self.out(text)
        if found is _SEEN:
            text = self.compose(index, truth, mask, overridden_by)
            self.keep(texts, key, self.out(self.whole(index, truth, mask, overridden_by, fields, text)))
            return self.out(text)
        if found.__class__ is _Template:
            return found.fill(self.d.facts, self.said_out)  # type: ignore[no-any-return]
        if found is _UNUSABLE:
            return self.out(self.compose(index, truth, mask, overridden_by))
        return found  # type: ignore[no-any-return]

    def out(self, piece: Any) -> Any:
        """A piece as it goes into the advice: text, or UTF-8 (a template with UTF-8 parts)."""
        if not self.binary:
            return piece
        if piece.__class__ is str:
            return piece.encode()
        if piece.__class__ is _Template:
            return piece.encoded()
        return piece

    def slot(self, index: int, verdict: Any, mask: int) -> _Slot:
        slot = self.table[index].get(verdict)
        if slot is None:
            slot = self.table[index][verdict] = self.kept.slot(_fields(self.d, index, mask))
        return slot

    def key(self, slot: _Slot) -> int:
        """The number of this tender's values of the slot's facts, once per advice and set of facts."""
        found = self.keys.get(slot[1])
        if found is None:
            found = self.keys[slot[1]] = self.number(slot)
        return found

    def number(self, slot: _Slot) -> int:
        """The number of this tender's values of the slot's facts; -1 when one does not hash by its value."""
        try:
            return self.kept.intern(slot[3](self.fact_numbers))
        except TypeError:
            return -1

    def keep(self, texts: dict[int, Any], key: int, piece: Any) -> None:
        if self.kept.count(piece):
            texts[key] = piece
        else:  # everything kept was dropped: this advice goes on with a new table
            self.table = self.kept.table(self.head, len(self.d.truths))

    def whole(
        self, index: int, truth: Any, mask: int, overridden_by: str | None, fields: tuple[str, ...], text: str
    ) -> Any:
        """The item to keep whole: its text, or a template with the numbers it shows left out (checked against
        the text; ``_UNUSABLE`` if it does not give the same bytes)."""
        d = self.d
        numbers = [name for name in fields if _is_number(d.facts.get(name))]
        if not numbers:
            return text
        facts = dict(d.facts)
        for i, name in enumerate(numbers):
            facts[name] = _mark(i)
        marked = Decisions(
            d.profile, d.catalogue, d._plan, facts, d.derived, d.truths, d._predicates, d.records, d._overridden
        )
        return _checked(self.text_sep + self.write(marked, index, truth, mask, overridden_by), numbers, d.facts, text)

    def compose(self, index: int, truth: Any, mask: int, overridden_by: str | None, keep: bool = True) -> str:
        """An item made of its frame (everything but its reason records, kept per verdict) and its reason
        records (each kept for the value of its fact, a number as a template)."""
        d = self.d
        layout = self.layout
        leaves = d._plan.program.leaves[index]
        nodes = [(j, node) for j, node in enumerate(leaves) if mask >> j & 1]
        missing = tuple(sorted({node.field for _, node in nodes if d.facts.get(node.field) is None}))
        frame_key = ("frame", *self.text_head, index, truth, mask, overridden_by, missing)
        frame = self.kept.pieces.get(frame_key) if keep else None
        if frame is None:
            frame = self.frame(index, truth, mask, overridden_by)
            if keep:
                self.kept.put(frame_key, frame)  # type: ignore[arg-type]
        if frame is _UNUSABLE:
            return self.text_sep + self.write(d, index, truth, mask, overridden_by)
        before, after = frame
        reasons = [self.reason(index, j, node, keep) for j, node in nodes]
        if not reasons:
            return f"{before}[]{after}"
        if layout.indent is None:
            return before + "[" + ",".join(reasons) + "]" + after
        return before + "[\n" + ",\n".join(reasons) + "\n" + layout.pads[3] + "]" + after

    def frame(self, index: int, truth: Any, mask: int, overridden_by: str | None) -> Any:
        """The item with its reason records left out, as the text before and after them; ``_UNUSABLE`` where
        the records' place cannot be found once (then the item is written whole)."""
        model = self.model(self.d, index, truth, mask, overridden_by).model_copy(update={"reasons": []})
        text = self.text_sep + self.render(model)
        place = self.layout.member("reasons", "", 3)
        if text.count(place + "[]") != 1:
            return _UNUSABLE
        at = text.index(place + "[]") + len(place)
        return (text[:at], text[at + 2 :])

    def reason(self, index: int, j: int, node: Any, keep: bool) -> str:
        """One reason record at its place in an item, kept for the value of its fact (with the value's class) and
        whether it held (a number is kept by its class alone)."""
        d = self.d
        value = d.facts.get(node.field)
        holds = None if value is None else d._predicates[d._plan.program.nodes[id(node)]]
        key = ("reason", *self.text_head, index, j, holds, self.fact_numbers.get(node.field))
        found: Any = self.kept.pieces.get(key) if keep else None
        if found is None:
            record = d.reason(node)
            text = self.reason_text(record)
            found = text
            if _is_number(value):
                found = _checked(self.reason_text(record._replace(actual=_mark(0))), [node.field], d.facts, text)
            if keep:
                self.kept.put(key, found)
            if found.__class__ is str or found is _UNUSABLE:
                return text
        if found.__class__ is str:
            return found  # type: ignore[no-any-return]
        if found is _UNUSABLE:
            return self.reason_text(d.reason(node))
        return "".join(found.fill(d.facts, self.said))

    def reason_text(self, record: Any) -> str:
        text = self.layout.value(words.reason_out(record, self.d.catalogue, self.langs), 4)
        return text if self.layout.indent is None else self.layout.pads[4] + text

    def model(self, d: Decisions, index: int, truth: Any, mask: int, overridden_by: str | None) -> BaseModel:
        decision = Decision(d._plan.criteria[index].criterion, truth, mask, d, index, overridden_by)
        if truth is True and overridden_by is None:
            return words.suggestion(decision, d, self.langs)
        if truth is None:
            return words.undetermined(decision, d, self.langs)
        return words.not_applicable(decision, d, self.langs)

    def render(self, model: BaseModel) -> str:
        """An item's model as text where items go in a list."""
        text = self.layout.value(model, 2)
        return text if self.layout.indent is None else self.layout.pads[2] + text

    def write(self, d: Decisions, index: int, truth: Any, mask: int, overridden_by: str | None) -> str:
        return self.render(self.model(d, index, truth, mask, overridden_by))

    def piece(self, key: Any, make: Callable[[], str]) -> Any:
        """A piece kept by ``key`` (which says text or UTF-8), made by ``make`` the first time."""
        found = self.kept.pieces.get(key)
        if found is None:
            found = self.kept.put(key, self.out(make()))
        return found

    def document(self) -> Any:
        d = self.d
        layout = self.layout
        truths = d.truths
        records = d.records
        runs, overridable, places, _ = self.cut
        # The criteria that others override in this advice, by their place.
        over: dict[int, str] = {}
        for criterion_id, by in d._overridden.items():
            i = places.get(criterion_id)
            if i is not None and truths[i] is True:
                over[i] = by
        suggestions: list[Any] = []
        not_applying: list[Any] = []
        overridden_items: list[Any] = []
        open_items: list[Any] = []
        # What the questions and the eForms values depend on: the undetermined criteria with the facts they miss,
        # the suggestions that carry eForms values, and whether an accessibility value waits for an answer.
        open_: list[tuple[int, int, tuple[str, ...]]] = []
        with_eforms: list[int] = []
        pending = False
        keys = self.keys
        interned = self.kept.interned
        numbers = self.fact_numbers
        table = self.kept.table(("runs", *self.head), len(runs))
        sections = (suggestions, not_applying, overridden_items, open_items)
        # A run of criteria is looked up whole: by its verdicts (the slices of the truths and reason records, and
        # what overrides its criteria), then by the values of the facts their reason records read.
        for r, (start, end, part) in enumerate(runs):
            # one flat tuple (a run's length is fixed, so its truths, then its records): one hash, not three
            verdicts: Any = truths[part] + records[part]
            if over and overridable[r]:
                verdicts += tuple(map(over.get, range(start, end)))
            slot = table[r].get(verdicts)
            entry = None
            if slot is not None:
                key = keys.get(slot[1])
                # ``key`` written out: calling it (and ``Kept.intern``) for each set of facts measured about 7 % more
                # instructions an advice (callgrind, 3,000 to warm, 400 new), as nearly all are numbered already.
                if key is None:  # the first run of this tender to show these facts
                    try:
                        values = slot[3](numbers)
                        key = interned.get(values)
                        if key is None:
                            key = self.kept.intern(values)
                    except TypeError:
                        key = -1
                    keys[slot[1]] = key
                entry = slot[2].get(key)
            if entry is None:
                entry = self.run(table, r, start, end, over, verdicts, slot)
            if entry.__class__ is tuple:  # only items that do not apply, kept whole (nearly always)
                not_applying += entry
                continue
            if entry.templates:
                entry.add(sections, d.facts, self.said_out)
            else:
                suggestions += entry.suggestions
                not_applying += entry.not_applying
                overridden_items += entry.overridden
                open_items += entry.undetermined
            if entry.open:
                open_ += entry.open
                pending = pending or entry.pending
            with_eforms += entry.with_eforms
        # What is asked depends on the open items and, under another regime than the classical, on what the buyer
        # said about social services (reasons.asked_field).
        profile = d.profile
        asking = (profile.regime, profile.social_services is None) if profile.regime != "classical" else ()
        questions = self.piece(("questions", *self.head, tuple(open_), *asking), lambda: self.questions(open_))
        eforms = self.piece(
            ("eforms", d.on, layout.indent, self.binary, tuple(with_eforms), pending),
            lambda: self.eforms(with_eforms, pending),
        )
        # One list of strings, joined once: an advice is some 100 kB of text, and every join in between copies it.
        enc = self.out
        out = [
            self.piece(("opening", layout.indent, self.binary), self.opening),
            self.sep,
            enc(layout.member("on", to_json(d.on).decode(), 1)),
            self.sep,
            enc(layout.member("tender", layout.value(d.profile, 1), 1)),
            self.sep,
            layout.head("derived", "", self.binary),
            self.derived(),
        ]
        for name, items in (
            ("suggestions", suggestions),
            ("not_applicable", not_applying + overridden_items),
            ("undetermined", open_items),
        ):
            out.append(self.sep)
            if not items:
                out.append(layout.head(name, "[]", self.binary))
                continue
            items[0] = items[0][len(self.sep) :]
            out.append(layout.head(name, "[" if layout.indent is None else "[\n", self.binary))
            out += items
            out.append(enc("]" if layout.indent is None else "\n" + layout.pads[1] + "]"))
        out += [
            self.sep,
            layout.head("questions", "", self.binary),
            questions,
            self.sep,
            layout.head("eforms", "", self.binary),
            eforms,
        ]
        empty = b"" if self.binary else ""
        if layout.indent is None:
            return empty.join([enc("{"), *out, enc("}")])
        return empty.join([enc("{\n"), *out, enc("\n}")])

    def runs(self) -> tuple[tuple[tuple[int, int, slice], ...], tuple[bool, ...], dict[str, int], tuple[str, ...]]:
        """Per date: the plan cut into runs of criteria whose conditions first read the same fact (they tend to
        be decided alike, so a run's items come again together), whether another criterion can override one of
        a run's criteria, each criterion's place by its id, and the facts the conditions read."""
        key = ("runs", self.d.on)
        found = self.kept.pieces.get(key)
        if found is None:
            plan = self.d._plan
            firsts = [leaves[0].field if leaves else None for leaves in plan.program.leaves]
            starts = [i for i in range(len(firsts)) if i == 0 or firsts[i] != firsts[i - 1]]
            # each run as its first and past-the-last place, and as a slice made once (not one an advice)
            runs = tuple((a, b, slice(a, b)) for a, b in zip(starts, [*starts[1:], len(firsts)], strict=True))
            targets = {other for _, criterion in plan.overriders for other in criterion.overrides}
            ids = [c.criterion.id for c in plan.criteria]
            overridable = tuple(any(ids[i] in targets for i in range(a, b)) for a, b, _ in runs)
            read = tuple(sorted({node.field for leaves in plan.program.leaves for node in leaves}))
            found = self.kept.put(key, (runs, overridable, {c: i for i, c in enumerate(ids)}, read))
        return found  # type: ignore[no-any-return]

    def run(
        self,
        table: list[dict[Any, _Slot]],
        r: int,
        start: int,
        end: int,
        over: dict[int, str],
        verdicts: Any,
        slot: _Slot | None,
    ) -> Any:
        """A run's items one criterion at a time, and what to keep of them for the next tender like it: kept only
        once each of its items is kept whole (so a run of facts that comes once keeps nothing more)."""
        d = self.d
        kind = bytes if self.binary else str
        facts = d.facts
        criteria = d._plan.criteria
        made = _Run()
        whole = True
        for index in range(start, end):
            truth = d.truths[index]
            mask = d.records[index]
            by = over.get(index)
            verdict = _verdict(truth, mask, by)
            kept_slot = self.table[index].get(verdict)
            found = None
            if kept_slot is not None:
                found = kept_slot[2].get(self.key(kept_slot))
            if found.__class__ is not kind and found.__class__ is not _Template:  # not kept whole for these facts
                whole = False
                text = self.item(index, truth, mask, by)
                made.templates = True  # a list of strings, or a string: both go in as they are (``_Run.add``)
            else:
                text = found
                made.templates = made.templates or found.__class__ is _Template
            if truth is False:
                made.not_applying.append(text)
            elif truth is None:
                made.undetermined.append(text)
                fields = _fields(d, index, mask)
                made.open.append((index, mask, tuple(f for f in fields if facts.get(f) is None)))
                e = criteria[index].criterion.eforms
                made.pending = made.pending or bool(e and e.accessibility)
            elif by is not None:
                made.overridden.append(text)
            else:
                made.suggestions.append(text)
                if criteria[index].criterion.eforms is not None:
                    made.with_eforms.append(index)
        if not whole:
            return made
        if slot is None:
            fields = tuple(dict.fromkeys(f for index in range(start, end) for f in _fields(d, index, d.records[index])))
            slot = self.kept.slot(fields)
            if not self.kept.count(slot):
                return made
            table[r][verdicts] = slot
        key = self.key(slot)
        if key < 0:
            return made
        kept = made.frozen()
        if self.kept.count_bytes(_run_size(kept)):
            slot[2][key] = kept
        return kept

    def opening(self) -> str:
        """What every advice on this catalogue starts with: the format, the engine and the catalogue."""
        layout = self.layout
        return layout.comma.join(
            [
                layout.member("format", to_json(ADVICE_FORMAT).decode(), 1),
                layout.member("engine", layout.value(words.ENGINE, 1), 1),
                layout.member("catalogue", layout.value(words.catalogue_ref(self.d.catalogue), 1), 1),
            ]
        )

    def questions(self, open_: list[tuple[int, int, tuple[str, ...]]]) -> str:
        d = self.d
        made = [
            words.undetermined(Decision(d._plan.criteria[i].criterion, None, mask, d, i, None), d, self.langs)
            for i, mask, _ in open_
        ]
        return self.layout.value(words.questions(made, self.langs, d.profile), 1)

    def eforms(self, with_eforms: list[int], pending: bool) -> str:
        criteria = self.d._plan.criteria
        return self.layout.value(words.eforms([criteria[i].criterion for i in with_eforms], pending), 1)

    def derived(self) -> Any:
        """The derived facts: kept for their values (the parameter's name stands for its value, the one in force
        on the date), as a template where the threshold comparison shows the tender's value."""
        d = self.d
        value = d.profile.estimated_value_eur
        cpv = d.profile.cpv
        key = (
            "derived",
            *self.head,
            tuple((name, f.value.__class__, f.value, f.inputs, f.parameter) for name, f in d.derived.items()),
            value.__class__,
            None if cpv is None else tuple(cpv),
        )
        try:
            found: Any = self.kept.pieces.get(key)
        except TypeError:  # a derived value that does not hash by what it is: written afresh, not kept
            return self.out(self.derived_text(value))
        if found is None:
            text = self.derived_text(value)
            found = text
            if _is_number(value):
                found = _checked(self.derived_text(_mark(0)), ["estimated_value_eur"], d.facts, text)
            self.kept.put(key, self.out(found))
            return self.out(text)
        if found.__class__ is _Template:
            return (b"" if found.binary else "").join(found.fill(d.facts, self.said_out))
        if found is _UNUSABLE:
            return self.out(self.derived_text(value))
        return found

    def derived_text(self, shown: Any) -> str:
        d = self.d
        layout = self.layout
        out: dict[str, str] = {}
        for name, fact in d.derived.items():
            made = words.derived_out(
                name, fact, d.catalogue, shown if name == "above_eu_threshold" else None, self.langs
            )
            out[name] = layout.member(name, layout.value(made, 2), 2)
        groups = self.groups()
        if groups:
            out["product_groups"] = groups
        if not out:
            return "{}"
        return layout.members([text for _, text in sorted(out.items())], 2)

    def groups(self) -> str:
        made = words.product_groups_out(self.d, self.langs)
        if made is None:
            return ""
        return self.layout.member("product_groups", self.layout.value(made, 2), 2)


def advice_json(d: Decisions, langs: Langs, indent: int | None = 2) -> str:
    """The advice for these decisions as JSON, in the languages asked for: the text ``words.document(d, langs)
    .model_dump_json(indent=indent)`` gives."""
    return _Writer(d, langs, indent).document()  # type: ignore[no-any-return]


def advice_json_bytes(d: Decisions, langs: Langs, indent: int | None = 2) -> bytes:
    """The same as UTF-8, made from pieces kept as UTF-8: what a web response sends, without encoding 100 kB of
    text for every request."""
    return _Writer(d, langs, indent, binary=True).document()  # type: ignore[no-any-return]
