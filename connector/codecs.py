"""One codec per Webflow field type: ``decode`` (API value -> front matter) and ``encode`` (back).

Front-matter values are what a person edits: rich text as Markdown, an option by its
name, a reference as the path of the referenced item's file. Wire values are what the
API takes. ``None`` is ``null`` on both sides and clears a field. A value that does not
fit its type raises ``ValueProblem`` naming what was expected; the caller adds the
collection, item and field.
"""

from __future__ import annotations

import math
from decimal import Decimal
import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable, Mapping, Protocol

from .errors import DanglingReference, DeletedReference, ValueProblem
from .model import Field
from .yamlstyle import inline
from .richtext.editing import comment_problem, comments_dropped
from .richtext.keep_blocks import WebflowRichText, keep_webflow_blocks
from .richtext.to_html import to_html
from .richtext.to_markdown import to_markdown

HEX_ID = re.compile(r"^[0-9a-f]{24}\Z")
ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})\Z")
COLOR_RE = re.compile(r"^(?:#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|(?:rgba?|hsla?)\([^()]*\))\Z")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}\Z")
#: CSS Color Module Level 4 named colors: a word that is none of them (``bleu``) is no color
CSS_COLOR_NAMES = frozenset("""
aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue blueviolet brown
burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson cyan darkblue darkcyan
darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid
darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey darkturquoise darkviolet
deeppink deepskyblue dimgray dimgrey dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro
ghostwhite gold goldenrod gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow
lightgray lightgreen lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray
lightslategrey lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine
mediumblue mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise
mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive olivedrab
orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred papayawhip peachpuff peru
pink plum powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon sandybrown
seagreen seashell sienna silver skyblue slateblue slategray slategrey snow springgreen steelblue tan
teal thistle tomato turquoise violet wheat white whitesmoke yellow yellowgreen transparent
""".split())


def _is_color(text: str) -> bool:
    text = text.strip()
    return bool(COLOR_RE.match(text)) or text.lower() in CSS_COLOR_NAMES
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z")
COLOR_FUNCTION = re.compile(r"^(rgba?|hsla?)\((.*)\)\Z", re.IGNORECASE | re.DOTALL)
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
COMPONENT = re.compile(rf"^({NUMBER})(%|deg|grad|rad|turn)?\Z", re.IGNORECASE)
#: a hue in degrees, per unit
HUE_DEGREES = {"": 1.0, "deg": 1.0, "grad": 0.9, "rad": 180 / math.pi, "turn": 360.0}


def _color_out_of_range(text: str) -> str | None:
    """What is out of range in an rgb()/rgba()/hsl()/hsla() color (rgb(300,0,0)), else None.
    Channels: 0-255 or 0%-100%; hue: 0-360 degrees; saturation, lightness: 0%-100%; alpha: 0-1 or
    0%-100%. Comma and space syntax (rgb(255 0 0 / 50%)) both."""
    m = COLOR_FUNCTION.match(text.strip())
    if not m:
        return None
    kind, inside = m.group(1).lower(), m.group(2).strip()
    main, _, alpha = inside.partition("/")
    parts = [p for p in re.split(r"\s*,\s*|\s+", main.strip()) if p]
    if alpha.strip():
        parts.append(alpha.strip())
    if len(parts) not in (3, 4):
        return f"{kind}() takes 3 values (and an alpha), found {len(parts)}"
    names = ("red", "green", "blue") if kind.startswith("rgb") else ("hue", "saturation", "lightness")
    for n, part in enumerate(parts):
        c = COMPONENT.match(part)
        if not c:
            return f"{part!s} is not a number"
        number, unit = float(c.group(1)), (c.group(2) or "").lower()
        name = names[n] if n < 3 else "alpha"
        if name == "alpha":
            top, unit_ok = (100.0 if unit == "%" else 1.0), unit in ("", "%")
        elif name == "hue":
            number, top, unit_ok = number * HUE_DEGREES.get(unit, 1.0), 360.0, unit != "%"
        elif kind.startswith("rgb"):
            top, unit_ok = (100.0 if unit == "%" else 255.0), unit in ("", "%")
        else:
            top, unit_ok = 100.0, unit in ("%", "")
        if not unit_ok:
            return f"{name} {part} has a unit it cannot take"
        if not 0 <= number <= top:
            shown = f"{top:g}%" if unit == "%" or (name in ("saturation", "lightness")) else f"{top:g}"
            return f"{name} {part} is out of range (0 to {shown})"
    return None


class References(Protocol):
    """How references find their files: an item id to a path and back."""

    def path_for(self, collection_id: str, item_id: str) -> str | None: ...

    def id_for(self, collection_id: str, path: str) -> str | None: ...


class NoReferences:
    def path_for(self, collection_id: str, item_id: str) -> str | None:
        return None

    def id_for(self, collection_id: str, path: str) -> str | None:
        return None


def problem(template: str, value: Any) -> ValueProblem:
    """A problem about ``value``, shown where ``template`` says ``{found}``: as YAML writes it
    (``true``, ``2024-01-05``), never Python's repr; the caller may show it as typed instead
    (``ValueProblem.shown_as``)."""
    text = inline(value)
    shown = text if len(text) < 60 else text[:57] + "..."
    return ValueProblem(template.replace("{found}", shown), found=value, template=template)


def _expect(ok: bool, what: str, value: Any) -> None:
    if not ok:
        raise problem(f"expected {what}, found {{found}}", value)


@dataclass(frozen=True)
class Codec:
    """The identity codec: for plain strings and for types wfsync does not know."""

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        return value

    def encode_against(self, value: Any, field: Field, refs: References, current: Any) -> Any:
        """``encode``, knowing the value Webflow has now as the file holds it (None: unknown)."""
        return self.encode(value, field, refs)


@dataclass(frozen=True)
class TextCodec(Codec):
    """PlainText, Email, Phone, Link, VideoLink: strings both ways, checked on the way out."""

    check: Callable[[str], bool] | None = None
    what: str = "text"
    # a value of the right form that must still not go out: the message template ({found}), else None
    refuse: Callable[[str], str | None] | None = None

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), self.what, value)
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), f"{self.what} (quote it in YAML if it looks like a number or a date)", value)
        _expect(self.check is None or self.check(value), self.what, value)
        refused = self.refuse(value) if self.refuse is not None else None
        if refused:
            raise problem(refused, value)
        return value


@dataclass(frozen=True)
class RichTextCodec(Codec):
    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), "HTML rich text", value)
        return to_markdown(value)

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        return self.encode_against(value, field, refs, None)

    def encode_against(self, value: Any, field: Field, refs: References, current: Any) -> Any:
        """What Webflow has now decides how Turndown's and CommonMark's readings part
        (``richtext.editing``); without it, the value is read as typed (a new item). Given
        Webflow's HTML too (``WebflowRichText``), each block that reads as Webflow's goes back
        as Webflow has it (``richtext.keep_blocks``)."""
        if value is None:
            return None
        _expect(isinstance(value, str), "Markdown text", value)
        markdown = current.markdown if isinstance(current, WebflowRichText) else current
        html = to_html(value, markdown if isinstance(markdown, str) else "")
        for comment in comments_dropped(html):
            raise ValueProblem(comment_problem(comment))
        return keep_webflow_blocks(html, current.html, value) if isinstance(current, WebflowRichText) else html


@dataclass(frozen=True)
class FileCodec(Codec):
    """Image and File: ``{url, alt}`` in the file; Webflow's ``fileId`` stays on its side."""

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, Mapping) and isinstance(value.get("url"), str), "a file object with a url", value)
        return {"url": value["url"], "alt": value.get("alt")}

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, Mapping) and isinstance(value.get("url"), str)
                and str(value["url"]).startswith(("http://", "https://")), "{url: https://..., alt: text or null}", value)
        extra = set(value) - {"url", "alt"}
        _expect(not extra, "only url and alt", value)
        alt = value.get("alt")
        _expect(alt is None or isinstance(alt, str), "alt as text or null", alt)
        return {"url": value["url"], "alt": alt}


@dataclass(frozen=True)
class MultiImageCodec(Codec):
    one: FileCodec = FileCodec()

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, list), "a list of images", value)
        return [self.one.decode(v, field, refs) for v in value]

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, list), "a list of {url, alt}", value)
        return [self.one.encode(v, field, refs) for v in value]


@dataclass(frozen=True)
class NumberCodec(Codec):
    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool), "a number", value)
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value), "a number", value)
        rules = field.validations or {}
        if rules.get("format") == "integer":
            _expect(float(value).is_integer(), "a whole number", value)
            return int(value)
        if rules.get("allowNegative") is False:
            _expect(value >= 0, "a number that is not negative", value)
        precision = rules.get("precision")
        if isinstance(precision, int) and not isinstance(precision, bool) and precision >= 0:
            # as the number is written (12.555, not its binary neighbour): the decimals typed
            decimals = Decimal(repr(value)).as_tuple().exponent
            _expect(not isinstance(decimals, int) or -decimals <= precision,
                    f"a number with at most {precision} decimal place{'s' if precision != 1 else ''}", value)
        return value


@dataclass(frozen=True)
class DateTimeCodec(Codec):
    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), "an ISO 8601 date-time", value)
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        # YAML reads an unquoted date-time as a timestamp: accept it as one
        if isinstance(value, datetime):
            value = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
            return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
        if isinstance(value, date):
            return value.strftime("%Y-%m-%dT00:00:00.000Z")
        if isinstance(value, str) and DATE_RE.match(value):  # a quoted date, as the unquoted one
            _real_date(value)
            return value + "T00:00:00.000Z"
        _expect(isinstance(value, str) and bool(ISO_RE.match(value)), "an ISO 8601 date-time like 2024-03-26T02:51:06.637Z (or a date: 2024-03-26)", value)
        _real_date(value)
        return value


def _real_date(text: str) -> None:
    """A date-time written right that names no moment (2024-02-30, 25:00): Webflow refuses it."""
    parts = [int(n) for n in re.findall(r"\d+", text.split(".")[0] if "T" in text else text)[:6]]
    offset = re.search(r"([+-])(\d{2}):(\d{2})\Z", text) if "T" in text else None
    try:  # by parts: datetime.fromisoformat of Python 3.10 reads fewer forms than ISO_RE takes
        datetime(*parts)  # type: ignore[arg-type]
        if offset and (int(offset.group(2)) > 23 or int(offset.group(3)) > 59):
            raise ValueError("the time zone offset is out of range")
    except ValueError as exc:
        raise problem(f"{{found}} is not a real date or time ({exc}): check the day, month and hour",
                      text) from None


@dataclass(frozen=True)
class SwitchCodec(Codec):
    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, bool), "true or false", value)
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        return self.decode(value, field, refs)


@dataclass(frozen=True)
class OptionCodec(Codec):
    """The option's name in the file, its id on the wire."""

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        for option in (field.validations or {}).get("options", []):
            if option.get("id") == value:
                return option.get("name")
        raise ValueProblem(f"option id {value!r} is not in the field's options")

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        options = (field.validations or {}).get("options", [])
        for option in options:
            if option.get("name") == value:
                return option.get("id")
        names = ", ".join(str(o.get("name")) for o in options)
        raise problem(f"{{found}} is not an option of this field (options: {names})", value)


@dataclass(frozen=True)
class ReferenceCodec(Codec):
    """The path of the referenced item's file; an id that maps to no file stays an id."""

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), "an item id", value)
        found = refs.path_for(_target(field), value)
        if found:
            return found
        dangling = getattr(refs, "dangling", None)
        if dangling is not None and dangling(_target(field), value):
            # kept as the id Webflow holds (nothing else to name it by), and said
            raise DeletedReference(deleted_message([value]), value, (value,))
        unsynced = getattr(refs, "unsynced", None)
        if unsynced is not None and unsynced(_target(field), value):
            # its collection is stopped (a field changed in Webflow): no path to write it as yet
            raise DanglingReference(f"refers to item {value}, new in a collection this run does not sync (a field "
                                    "changed in Webflow): the file keeps its value until that collection syncs again")
        return value

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, str), "the path of a file, like cms/categories/sante-et-social.md", value)
        found = refs.id_for(_target(field), value)
        if found:
            return found
        if HEX_ID.match(value):
            dangling = getattr(refs, "dangling", None)
            if dangling is not None and dangling(_target(field), value):
                # never sent as a change: Webflow may refuse it, and it names nothing any more
                raise ValueProblem(f"{value} is the id of an item deleted in Webflow: remove it, or name the file "
                                   "of another item")
            return value
        deleted = getattr(refs, "deleted_path", None)
        if deleted is not None and deleted(_target(field), value):
            raise problem("{found} is the file of an item deleted in Webflow: change or remove the reference", value)
        raise problem("{found} is not the file of an item in the referenced collection", value)


@dataclass(frozen=True)
class MultiReferenceCodec(Codec):
    one: ReferenceCodec = ReferenceCodec()

    def decode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, list), "a list of item ids", value)
        out, dead = [], []
        for v in value:
            try:
                out.append(self.one.decode(v, field, refs))
            except DeletedReference:
                out.append(v)
                dead.append(v)
        if dead:
            raise DeletedReference(deleted_message(dead), out, tuple(dead))
        return out

    def encode(self, value: Any, field: Field, refs: References) -> Any:
        if value is None:
            return None
        _expect(isinstance(value, list), "a list of file paths", value)
        return [self.one.encode(v, field, refs) for v in value]


#: in the message of a reference to a deleted item (``refollow`` drops it once the item is re-created)
DELETED_MARK = "deleted in Webflow"


def deleted_message(ids: list[str] | tuple[str, ...], kept: bool = False) -> str:
    """``kept``: the file is written with the dead id (else it is left as it is, naming what it named)."""
    which = ", ".join(ids)
    keeps = ": the file keeps the id" if kept else ""
    return (f"refers to {'items' if len(ids) > 1 else 'item'} {which}, {DELETED_MARK}{keeps}; remove it, or name "
            "the file of another item")


def _target(field: Field) -> str:
    return str((field.validations or {}).get("collectionId", ""))


def _color_refused(text: str) -> str | None:
    wrong = _color_out_of_range(text)
    return f"{{found}} is no color: {wrong}" if wrong else None


#: schemes a browser runs or renders as a page of their own: never a link on a published site
DANGEROUS_SCHEMES = ("javascript", "data", "vbscript")


def _is_url(text: str) -> bool:
    """An absolute URL (``https:``, ``mailto:``, ``tel:``...), a path from the site's root
    (``/about``) or an anchor (``#top``): one word, no spaces. A path relative to the page
    (``about.html``) is not: the API's link fields refuse it, so it is refused before any write."""
    return bool(re.match(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|/|#)\S*\Z", text))


def _link_refused(text: str) -> str | None:
    # browsers drop spaces and control characters around and inside a scheme (java\tscript:)
    bare = re.sub(r"[\x00-\x20\x7f]", "", text).lower()
    scheme = next((s for s in DANGEROUS_SCHEMES if bare.startswith(s + ":")), None)
    if scheme is None:
        return None
    return (f"a {scheme}: link runs or shows code in the visitor's browser; Webflow pages must not carry it: "
            "use an http(s), mailto:, tel: or relative link")


CODECS: dict[str, Codec] = {
    "PlainText": TextCodec(),
    "RichText": RichTextCodec(),
    "Image": FileCodec(),
    "File": FileCodec(),
    "MultiImage": MultiImageCodec(),
    "VideoLink": TextCodec(check=lambda s: s.startswith(("http://", "https://")), what="a video URL"),
    # any URL, relative ones from the site's root too, but none a browser would run as code
    "Link": TextCodec(check=_is_url, refuse=_link_refused,
                      what="a URL (https://…, a path from the site's root such as /about, #anchor, mailto:, tel:)"),
    "Email": TextCodec(check=lambda s: bool(EMAIL_RE.match(s)), what="an e-mail address"),
    "Phone": TextCodec(what="a phone number"),
    "Number": NumberCodec(),
    "DateTime": DateTimeCodec(),
    "Switch": SwitchCodec(),
    # a CSS color whose numbers are in range (Webflow refuses rgb(300,0,0))
    "Color": TextCodec(check=_is_color, refuse=_color_refused,
                       what="a CSS color (#RGB, #RRGGBB, #RRGGBBAA, rgb(), rgba(), hsl(), hsla() or a name)"),
    "Option": OptionCodec(),
    "Reference": ReferenceCodec(),
    "MultiReference": MultiReferenceCodec(),
}
PASS_THROUGH = Codec()


def codec_for(field_type: str) -> Codec:
    """The codec of a field type; an unknown type (``ExtFileRef``, future ones) passes through."""
    return CODECS.get(field_type, PASS_THROUGH)


def canonical(value: Any) -> Any:
    """A comparable form of a front-matter value: 3.0 and 3 are one number, tuples are lists."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, datetime):
        return DateTimeCodec().encode(value, Field("", "", "DateTime", ""), NoReferences())
    return value
