"""A reader for sconf, the config format of Mox (github.com/mjl-/sconf).

sconf looks like YAML but is simpler and stricter: indentation is tabs only, ``Key: value``
pairs, ``Key:`` followed by a deeper block, lists of ``- item`` lines (a lone ``-`` starts a
struct item), ``#`` comments on their own lines, values never quoted or escaped. Values are
returned as strings; the caller knows which ones are numbers or booleans.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InputError


class SMap(dict[str, "SValue"]):
    """A parsed sconf struct or map; ``lines`` gives each key's line, ``line`` the block's."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: dict[str, int] = {}


class SList(list["SValue"]):
    """A parsed sconf list; ``lines`` gives each item's line."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.lines: list[int] = []


SValue = str | SMap | SList | None


@dataclass(frozen=True, slots=True)
class _Line:
    indent: int
    text: str
    number: int


def parse_sconf(text: str, path: str) -> SMap:
    """Parse sconf ``text``; errors name ``path`` and the line."""
    lines: list[_Line] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        stripped = raw.lstrip("\t")
        if not stripped.strip() or stripped.startswith("#"):
            continue
        if stripped[0] == " ":
            raise InputError(
                "indented with spaces; sconf indents with tabs", path=path, line=number
            )
        lines.append(_Line(len(raw) - len(stripped), stripped.rstrip(" "), number))
    parser = _Parser(lines, path)
    if not lines:
        return SMap(1)
    if lines[0].indent != 0:
        raise InputError("the first line must not be indented", path=path, line=lines[0].number)
    result = parser.block(0)
    if not isinstance(result, SMap):
        raise InputError("expected 'Key: value' lines", path=path, line=lines[0].number)
    if parser.pos != len(lines):
        bad = lines[parser.pos]
        raise InputError("unexpected indentation", path=path, line=bad.number)
    return result


class _Parser:
    def __init__(self, lines: list[_Line], path: str) -> None:
        self.lines = lines
        self.path = path
        self.pos = 0

    def error(self, line: _Line, message: str) -> InputError:
        return InputError(message, path=self.path, line=line.number)

    def block(self, indent: int) -> SMap | SList:
        first = self.lines[self.pos]
        if first.text.startswith("-") and (len(first.text) == 1 or first.text[1] == " "):
            return self.list_block(indent)
        return self.map_block(indent)

    def nested(self, indent: int) -> SMap | SList | None:
        if self.pos < len(self.lines) and self.lines[self.pos].indent > indent:
            line = self.lines[self.pos]
            if line.indent != indent + 1:
                raise self.error(line, "indented more than one tab deeper than its parent")
            return self.block(indent + 1)
        return None

    def map_block(self, indent: int) -> SMap:
        result = SMap(self.lines[self.pos].number)
        while self.pos < len(self.lines) and self.lines[self.pos].indent == indent:
            line = self.lines[self.pos]
            if line.text.startswith("- ") or line.text == "-":
                raise self.error(line, "list item where 'Key: value' was expected")
            if line.text.endswith(":"):
                key, value = line.text[:-1], None
            elif ": " in line.text:
                key, value = line.text.split(": ", 1)
            else:
                raise self.error(line, "expected 'Key: value' or 'Key:'")
            if key in result:
                raise self.error(line, f"key {key!r} appears twice")
            self.pos += 1
            child = self.nested(indent)
            if value is not None and child is not None:
                raise self.error(line, f"key {key!r} has both a value and a nested block")
            result[key] = value if value is not None else child
            result.lines[key] = line.number
        return result

    def list_block(self, indent: int) -> SList:
        result = SList(self.lines[self.pos].number)
        while self.pos < len(self.lines) and self.lines[self.pos].indent == indent:
            line = self.lines[self.pos]
            if line.text == "-":
                self.pos += 1
                item: SValue = self.nested(indent)
                if item is None:
                    raise self.error(line, "a lone '-' must be followed by a deeper block")
            elif line.text.startswith("- "):
                item = line.text[2:]
                self.pos += 1
            else:
                raise self.error(line, "'Key: value' where a list item '- ...' was expected")
            result.append(item)
            result.lines.append(line.number)
        return result
