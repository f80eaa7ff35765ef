"""Input hygiene: the one rule for text and JSON that enter the server, checked before anything reads them.

Contract (README, "Input hygiene"):
- Tab, line feed and carriage return are text. Every other C0 control (U+0000-U+001F: NUL, ESC, form feed, ...)
  is a control character. A lone surrogate (U+D800-U+DFFF; JSON's `"\\ud800"` decodes to one) cannot be encoded
  at all, so no tokenizer, Kiwi or database can take it.
- A lone surrogate in any string, object key or value, is 422 `invalid_unicode` naming the field.
- A field is either free text (what a person typed or pasted: a chat message, an utterance, a skill's input) or
  exact (ids, names, stop sequences, persona documents, cards, records). Free text is normalised: CR LF and a lone
  CR become LF, and every other control character is removed (`normalise_text`); an exact field with a control
  character is 422 `control_character` naming the field. Which fields are free text is the caller's table
  (`api.hygiene`), so everything not named there is exact.
- Nesting: an object or an array is one level (`{"a": [1]}` has depth 2, a scalar 0). A tree deeper than
  `limits.max_json_depth` is 422 `json_too_deep`. `check_tree` walks iteratively, so no depth reaches Python's
  recursion; a JSON text too deep for the parser itself (`RecursionError`) is refused the same way by its caller.
- `check_tree` changes free-text strings in place and reports whether it changed any; it never changes a key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from assistant.errors import InvalidInput

Path = tuple[str, ...]
IsFreeText = Callable[[Path], bool]

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SUSPECT = re.compile("[\x00-\x08\x0b-\x1f\ud800-\udfff]")  # anything above, or a CR to normalise
_NEWLINES = re.compile("\r\n?")
# In JSON text, a control character can only arrive escaped (raw ones are invalid JSON): as `\\u00XX` or the short
# escapes `\\b`, `\\f`, `\\r`; a surrogate escaped (`\\uD8XX`-`\\uDFXX`) or as the bytes of one encoded like UTF-8
# (ED A0-BF xx), which `json.loads` decodes with "surrogatepass". Without one of these, no string needs a look.
_ESCAPED_SUSPECT = re.compile(rb"\\(?:u00[01][0-9a-fA-F]|u[dD][89a-fA-F][0-9a-fA-F]{2}|[bfr])|\xed[\xa0-\xbf]")
_UNPRINTABLE = re.compile("[\x00-\x1f\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """Free text as it is kept: CR LF and CR become LF, other control characters are removed."""
    return _CONTROL.sub("", _NEWLINES.sub("\n", text)) if _SUSPECT.search(text) else text


def check_text(text: str, param: str, *, free_text: bool) -> str:
    """One string under the rule: returned (normalised when free text), or 422 naming `param`."""
    if not _SUSPECT.search(text):
        return text
    if (surrogate := _SURROGATE.search(text)) is not None:
        raise InvalidInput(f"{param}: a lone surrogate (U+{ord(surrogate.group()):04X}) at character "
                           f"{surrogate.start()} is not Unicode text", param=param, code="invalid_unicode")
    if free_text:
        return normalise_text(text)
    if (control := _CONTROL.search(text)) is not None:
        raise InvalidInput(f"{param}: control character U+{ord(control.group()):04X} at character "
                           f"{control.start()} (only tab, line feed and carriage return are allowed here)",
                           param=param, code="control_character")
    return text


def may_need_text_checks(raw: bytes) -> bool:
    """False when no string of this JSON text can hold a control character or a surrogate (a fast pre-check)."""
    return _ESCAPED_SUSPECT.search(raw) is not None


def too_deep(max_depth: int, param: str | None = None) -> InvalidInput:
    return InvalidInput(f"JSON is nested deeper than {max_depth} levels (limits.max_json_depth)", param=param,
                        code="json_too_deep")


def check_tree(value: Any, *, max_depth: int, is_free_text: IsFreeText | None = None, texts: bool = True,
               prefix: Path = ()) -> bool:
    """Check a decoded JSON tree against the rule (see the module contract); True when a string was normalised.

    `texts=False` checks only the depth (the caller knows no string needs a look: `may_need_text_checks`).
    """
    if not texts:
        _check_depth(value, max_depth)
        return False
    changed = False
    stack: list[tuple[Any, Path, int]] = [(value, prefix, 1)]
    while stack:
        node, path, depth = stack.pop()
        if depth > max_depth:
            raise too_deep(max_depth, dotted(path) or None)
        items: Sequence[tuple[Any, Any]]
        if isinstance(node, dict):
            items = list(node.items())
            if texts:
                for key, _ in items:
                    check_text(key, dotted((*path, key)), free_text=False)
        else:
            items = list(enumerate(node))
        for key, child in items:
            if isinstance(child, dict | list):
                stack.append((child, (*path, str(key)), depth + 1))
            elif texts and isinstance(child, str):
                child_path = (*path, str(key))
                checked = check_text(child, dotted(child_path),
                                     free_text=is_free_text is not None and is_free_text(child_path))
                if checked is not child:
                    node[key] = checked
                    changed = True
    return changed


def _check_depth(value: Any, max_depth: int) -> None:
    """Only the depth, level by level and without paths: several times faster on megabytes of reviews."""
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > max_depth:
            raise too_deep(max_depth)
        below: list[Any] = []
        for node in level:
            below.extend(c for c in (node.values() if isinstance(node, dict) else node) if isinstance(c, dict | list))
        level = below


def check_value(value: Any, *, max_depth: int, is_free_text: IsFreeText | None = None, param: str = "") -> Any:
    """`check_tree` for any JSON value, a bare string included; returns the value as it is kept."""
    if isinstance(value, str):
        return check_text(value, param or "body", free_text=is_free_text is not None and is_free_text(()))
    if isinstance(value, dict | list):
        check_tree(value, max_depth=max_depth, is_free_text=is_free_text, prefix=tuple(p for p in [param] if p))
    return value


def dotted(path: Path) -> str:
    """A field path as the validation errors name it: `messages.0.content`; a key's control characters and
    surrogates written as escapes (`\\u0007`, `\\udc80`), so the path itself can be sent back."""
    return _UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", ".".join(path))


def field_matcher(patterns: Sequence[str]) -> IsFreeText:
    """Match a field path against dotted patterns: `*` is one segment, a trailing `**` any number (none too)."""
    compiled = [tuple(p.split(".")) for p in patterns]

    def matches(path: Path) -> bool:
        return any(_match(pattern, path) for pattern in compiled)

    return matches


def _match(pattern: tuple[str, ...], path: Path) -> bool:
    if pattern and pattern[-1] == "**":
        head = pattern[:-1]
        return len(path) >= len(head) and _match(head, path[:len(head)])
    return len(pattern) == len(path) and all(p in ("*", s) for p, s in zip(pattern, path, strict=True))
