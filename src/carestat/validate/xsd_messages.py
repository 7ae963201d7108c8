"""libxml2's schema messages in plain English for a data officer.

libxml2 words a schema problem for XML specialists ("Element 'X': This element is not expected.
Expected is ( Y )."). Each known form is matched here and said again in terms of the census's
elements; anything else keeps libxml2's words after the element's name. Values are quoted only
where seeing them helps and they cannot identify a child: never for identifiers or a child's
dates of birth and death.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

# Values never repeated in a message: they identify a child.
PERSONAL = frozenset({"LAchildID", "UPN", "FormerUPN", "PersonBirthDate", "ExpectedPersonBirthDate",
                      "PersonDeathDate"})
TYPES = {
    "xs:date": "a date written YYYY-MM-DD (for example 2024-03-31)",
    "xs:dateTime": "a date and time written YYYY-MM-DDThh:mm:ss (for example 2024-05-01T09:00:00)",
    "xs:gYear": "a year of four digits (for example 2024)",
    "xs:positiveInteger": "a whole number of 1 or more",
    "xs:nonNegativeInteger": "a whole number of 0 or more",
    "xs:integer": "a whole number",
    "xs:boolean": "true, false, 1 or 0",
}
# The held schemas' patterns, by element: libxml2 names only the last of several patterns.
FORMS = {
    "UPN": "a letter, then 11 digits, then a digit or a letter (13 characters)",
    "FormerUPN": "a letter, then 11 digits, then a digit or a letter (13 characters)",
    "LEA": "the LA's three-digit code",
    "SerialNo": "three or more digits",
}
_MAX_VALUE = 40  # characters of a value quoted in a message
_MAX_CODES = 8  # allowed codes listed in a message


@dataclass(frozen=True)
class Plain:
    """A problem in plain English, and the elements it is about (for the ``fields`` column)."""

    text: str
    fields: tuple[str, ...]


def _tag(name: str) -> str:
    return f"<{name.rsplit('}', 1)[-1]}>"


def _names(listed: str) -> list[str]:
    return [n.strip() for n in listed.split(",") if n.strip()]


def _either(names: list[str]) -> str:
    tags = [_tag(n) for n in names]
    if len(tags) == 1:
        return tags[0]
    return "one of " + ", ".join(tags[:-1]) + " or " + tags[-1]


def _value(element: str, value: str) -> str:
    if element in PERSONAL:
        return ""
    shown = value if len(value) <= _MAX_VALUE else value[:_MAX_VALUE] + "..."
    return f" ('{shown}')"


def _unexpected(el: str, expected: str | None, parent: str | None, known: Collection[str]) -> Plain:
    inside = f" inside {_tag(parent)}" if parent else ""
    if el.rsplit("}", 1)[-1] not in known:
        what = f"{_tag(el)} is not an element of the year's CIN census schema"
        if expected:
            return Plain(f"{what}; the schema expects {_either(_names(expected))} at this point", (el,))
        return Plain(f"{what}; nothing more is expected{inside}", (el,))
    if expected:  # libxml2 cannot tell a missing element from one out of place: say both
        names = _names(expected)
        which = _tag(names[0]) if len(names) == 1 else "one of them"
        return Plain(f"{_tag(el)} is not allowed here: the schema expects {_either(names)} at this point (so "
                     f"{which} is missing, or {_tag(el)} is out of order or repeated)", (el,))
    return Plain(f"{_tag(el)} is not allowed here: nothing more is expected{inside} (is {_tag(el)} repeated or "
                 "in the wrong place?)", (el,))


def _bad_value(el: str, value: str, kind: str | None) -> Plain:
    wanted = TYPES.get(kind or "", FORMS.get(el, f"a value of the form the schema sets for {_tag(el)}"))
    if not value.strip():
        return Plain(f"{_tag(el)} is empty; it must be {wanted}", (el,))
    return Plain(f"{_tag(el)}{_value(el, value)} must be {wanted}", (el,))


def _not_a_code(el: str, value: str, codes: str) -> Plain:
    allowed = re.findall(r"'([^']*)'", codes)
    listed = f" (it allows {', '.join(allowed)})" if 0 < len(allowed) <= _MAX_CODES else ""
    if not value.strip():
        return Plain(f"{_tag(el)} is empty; it must hold one of the schema's codes{listed}", (el,))
    return Plain(f"{_tag(el)}{_value(el, value)} is not one of the schema's codes for it{listed}", (el,))


def _not_in_form(el: str, value: str) -> Plain:
    form = FORMS.get(el, "the form the schema sets")
    return Plain(f"{_tag(el)}{_value(el, value)} is not in the required form: {form}", (el,))


def _root(el: str) -> Plain:
    if el.startswith("{"):
        space = el[1:].split("}", 1)[0]
        return Plain(f"The file's elements are in the XML namespace '{space}'; the DfE's schema has none "
                     "(the file must start <Message>, without xmlns)", (el,))
    return Plain(f"The file's top element is {_tag(el)}; a CIN census file's top element is <Message>", (el,))


# (pattern on libxml2's message, builder from the match's groups and the context)
_Context = tuple[str | None, Collection[str], str | None]  # parent, known element names, stray text place
_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str], _Context], Plain]]] = [
    (re.compile(r"Element '(?P<el>[^']+)': This element is not expected\.(?: Expected is (?:one of )?"
                r"\( (?P<exp>.*) \)\.)?"),
     lambda m, c: _unexpected(m["el"], m["exp"], c[0], c[1])),
    (re.compile(r"Element '(?P<el>[^']+)': Missing child element\(s\)\. Expected is (?:one of )?\( (?P<exp>.*) \)\."),
     lambda m, c: Plain(f"{_tag(m['el'])} must contain {_either(_names(m['exp']))}, which is missing",
                        tuple(_names(m["exp"])))),
    (re.compile(r"Element '(?P<el>[^']+)': '(?P<val>.*)' is not a valid value of the (?:local )?atomic type"
                r"(?: '(?P<type>[^']+)')?\."),
     lambda m, c: _bad_value(m["el"], m["val"], m["type"])),
    (re.compile(r"Element '(?P<el>[^']+)': \[facet 'enumeration'\] The value '(?P<val>.*)' is not an element "
                r"of the set \{(?P<set>.*)\}\."),
     lambda m, c: _not_a_code(m["el"], m["val"], m["set"])),
    (re.compile(r"Element '(?P<el>[^']+)': \[facet 'pattern'\] The value '(?P<val>.*)' is not accepted by "
                r"the pattern '.*'\."),
     lambda m, c: _not_in_form(m["el"], m["val"])),
    (re.compile(r"Element '(?P<el>[^']+)': \[facet '(?:minLength|length)'\] The value (?:'.*' )?has a length "
                r"of '0'.*"),
     lambda m, c: Plain(f"{_tag(m['el'])} is empty; it must hold a value", (m["el"],))),
    (re.compile(r"Element '(?P<el>[^']+)': Character content other than whitespace is not allowed.*"),
     lambda m, c: Plain(f"{_tag(m['el'])} holds text outside its elements{f' ({c[2]})' if c[2] else ''}; "
                        "only elements may appear directly inside it", (m["el"],))),
    (re.compile(r"Element '(?P<el>[^']+)': Element content is not allowed, because the (?:content type|type "
                r"definition) is (?:a )?simple.*"),
     lambda m, c: Plain(f"{_tag(m['el'])} must hold a value only, not other elements", (m["el"],))),
    (re.compile(r"Element '(?P<el>[^']+)', attribute '(?P<att>[^']+)': The attribute '[^']+' is not allowed\."),
     lambda m, c: Plain(f"{_tag(m['el'])} has an attribute {m['att']}, which the schema does not allow",
                        (m["el"],))),
    (re.compile(r"Element '(?P<el>[^']+)': No matching global declaration available for the validation root\."),
     lambda m, c: _root(m["el"])),
]
_ANY = re.compile(r"Element '(?P<el>[^']+)'(?:, attribute '[^']+')?: (?P<rest>.*)", re.DOTALL)


def plain(message: str, *, parent: str | None = None, known: Collection[str] = (),
          stray: str | None = None) -> Plain:
    """``message`` (libxml2's, about one element) in plain English. ``parent`` is the element's
    parent's name, ``known`` every element name the schema declares (to tell an unknown element from
    one out of place), ``stray`` where stray text sits (for text between elements)."""
    message = message.strip()
    context = (parent, known, stray)
    for pattern, build in _FORMS:
        match = pattern.fullmatch(message)
        if match:
            return build(match, context)
    match = _ANY.fullmatch(message)
    if match:
        return Plain(f"{_tag(match['el'])}: {match['rest']}", (match["el"],))
    return Plain(message, ())
