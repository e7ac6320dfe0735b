"""The small YAML subset that config.yml and credentials.yml use: our own reader and writer.

Supported: `key: value` mappings nested by indentation (spaces only), block lists (`- item`, also of
mappings), flow `[a, b]` / `{a: 1}` of scalars, plain / 'single' / "double" quoted scalars, comments.
Anything else (anchors, tags, block scalars, tabs, duplicate keys) is a YamlError, so an unusual file
is reported as unparseable and left alone instead of being half-understood and rewritten.
"""
from __future__ import annotations

import re
from typing import Any

_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_.\-/]*")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", '"': '"', "\\": "\\", "/": "/", " ": " ", "b": "\b", "f": "\f"}


class YamlError(ValueError):
    """The text is not in the YAML subset this agent reads."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


# --- reading ----------------------------------------------------------------------------------------

def _strip_comment(text: str) -> str:
    quote, index = None, 0
    while index < len(text):
        char = text[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 1  # the escaped character cannot end the string
            elif char == quote:
                quote = None
        elif char in "'\"" and (index == 0 or text[index - 1] in " \t:[{,-"):
            quote = char
        elif char == "#" and (index == 0 or text[index - 1] in " \t"):
            return text[:index].rstrip()
        index += 1
    return text.rstrip()


def _lines(text: str) -> list[tuple[int, int, str]]:
    """(line number, indent, content) of every meaningful line."""
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if "\t" in raw[:len(raw) - len(raw.lstrip(" \t"))]:
            raise YamlError("tabs are not allowed for indentation", number)
        stripped = raw.lstrip(" ")
        content = _strip_comment(stripped)
        if not content or (content in ("---", "...") and len(raw) == len(stripped)):
            continue
        if content.startswith(("%", "!", "&", "*", "|", ">", "?")):
            raise YamlError(f"unsupported YAML construct {content[:1]!r}", number)
        out.append((number, len(raw) - len(stripped), content))
    return out


def _unquote(text: str, line: int) -> str:
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise YamlError("unterminated quoted string", line)
        return text[1:-1].replace("''", "'")
    if len(text) < 2 or text[-1] != '"':
        raise YamlError("unterminated quoted string", line)
    body, out, index = text[1:-1], [], 0
    while index < len(body):
        char = body[index]
        if char == '"':
            raise YamlError("unescaped quote inside a string", line)
        if char != "\\":
            out.append(char)
            index += 1
            continue
        code = body[index + 1:index + 2]
        if code == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[index + 2:index + 6]):
            out.append(chr(int(body[index + 2:index + 6], 16)))
            index += 6
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
            index += 2
        else:
            raise YamlError(f"unknown escape \\{code}", line)
    return "".join(out)


def _split_flow(body: str, line: int) -> list[str]:
    items, quote, depth, start = [], None, 0, 0
    for index, char in enumerate(body):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
        elif char == "," and depth == 0:
            items.append(body[start:index].strip())
            start = index + 1
    if quote or depth:
        raise YamlError("unbalanced flow collection", line)
    last = body[start:].strip()
    if last:
        items.append(last)
    elif items:
        raise YamlError("empty item in a flow collection", line)
    return items


def scalar(text: str, line: int = 0, *, raw: bool = False) -> Any:
    """Decode one scalar (or a flow collection of scalars); `raw` keeps plain scalars as text."""
    text = text.strip()
    if not text:
        return None
    if text[0] in "'\"":
        return _unquote(text, line)
    if text[0] == "[":
        if text[-1] != "]":
            raise YamlError("unterminated flow list", line)
        return [scalar(item, line, raw=raw) for item in _split_flow(text[1:-1], line)]
    if text[0] == "{":
        if text[-1] != "}":
            raise YamlError("unterminated flow mapping", line)
        mapping: dict[str, Any] = {}
        for item in _split_flow(text[1:-1], line):
            key, value = _split_key(item, line)
            if key is None:
                raise YamlError("flow mapping item without a key", line)
            _put(mapping, key, scalar(value, line, raw=raw), line)
        return mapping
    if text[0] in "&*!|>%@`" or text.startswith(("- ", "? ")):
        raise YamlError(f"unsupported YAML construct {text[:1]!r}", line)
    if raw:
        return text
    if text in ("~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def _split_key(content: str, line: int) -> tuple[str | None, str]:
    """Split `key: value` at the first separating colon outside quotes; (None, content) if there is none."""
    if content[0] in "'\"":
        end = content.find(content[0], 1)
        while end != -1 and content[0] == '"' and content[end - 1] == "\\":
            end = content.find('"', end + 1)
        if end == -1:
            raise YamlError("unterminated quoted key", line)
        rest = content[end + 1:]
        if rest == ":" or rest.startswith(": "):
            return _unquote(content[:end + 1], line), rest[1:].strip()
        return None, content
    match = re.search(r":(?: |$)", content)
    if not match or content[0] in "[{":
        return None, content
    return content[:match.start()].strip(), content[match.end():].strip()


def _put(mapping: dict[str, Any], key: str, value: Any, line: int) -> None:
    if key in mapping:
        raise YamlError(f"duplicate key {key!r}", line)
    mapping[key] = value


class _Parser:
    def __init__(self, text: str, raw: bool) -> None:
        self.lines = _lines(text)
        self.pos = 0
        self.raw = raw

    def block(self, indent: int) -> Any:
        number, actual, content = self.lines[self.pos]
        if actual != indent:
            raise YamlError("unexpected indentation", number)
        if content == "-" or content.startswith("- "):
            return self.sequence(indent)
        return self.mapping(indent)

    def _nested(self, parent_indent: int, allow_same_indent_list: bool) -> Any:
        if self.pos >= len(self.lines):
            return None
        _, indent, content = self.lines[self.pos]
        if indent > parent_indent:
            return self.block(indent)
        if allow_same_indent_list and indent == parent_indent and (content == "-" or content.startswith("- ")):
            return self.sequence(indent)
        return None

    def mapping(self, indent: int, first: tuple[int, str] | None = None) -> dict[str, Any]:
        result: dict[str, Any] = {}
        while first or self.pos < len(self.lines):
            if first:
                number, content = first
                first = None
            else:
                number, actual, content = self.lines[self.pos]
                if actual < indent:
                    break
                if actual > indent:
                    raise YamlError("unexpected indentation", number)
                if content == "-" or content.startswith("- "):
                    raise YamlError("a list item where a key was expected", number)
                self.pos += 1
            key, value = _split_key(content, number)
            if key is None or key == "":
                raise YamlError("expected `key: value`", number)
            _put(result, key, scalar(value, number, raw=self.raw) if value else self._nested(indent, True), number)
        return result

    def sequence(self, indent: int) -> list[Any]:
        result: list[Any] = []
        while self.pos < len(self.lines):
            number, actual, content = self.lines[self.pos]
            if actual < indent or not (content == "-" or content.startswith("- ")):
                if actual > indent:
                    raise YamlError("unexpected indentation", number)
                break
            if actual > indent:
                raise YamlError("unexpected indentation", number)
            self.pos += 1
            item = content[1:].strip()
            if not item:
                result.append(self._nested(indent, False))
                continue
            key, value = _split_key(item, number)
            if key is None:
                result.append(scalar(item, number, raw=self.raw))
                continue
            # `- key: value` opens a mapping whose further keys sit under the first one.
            item_indent = indent + 1 + len(content[1:]) - len(content[1:].lstrip(" "))
            result.append(self.mapping(item_indent, first=(number, item)))
        return result


def parse(text: str, *, raw: bool = False) -> dict[str, Any]:
    """Parse a document whose top level is a mapping (an empty document gives {})."""
    parser = _Parser(text.lstrip("\ufeff"), raw)
    if not parser.lines:
        return {}
    if parser.lines[0][1] != 0:
        raise YamlError("the document must start at column 0", parser.lines[0][0])
    result = parser.block(0)
    if parser.pos < len(parser.lines):
        raise YamlError("unexpected content", parser.lines[parser.pos][0])
    if not isinstance(result, dict):
        raise YamlError("the top level must be a mapping")
    return result


# --- writing ----------------------------------------------------------------------------------------

def _quote(text: str) -> str:
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _PLAIN_KEY.fullmatch(key) else _quote(key)


def format_scalar(value: Any, *, quote_strings: bool = True) -> str:
    """Encode one scalar; strings are double-quoted unless `quote_strings` is off and they are plain-safe."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if not isinstance(value, str):
        raise TypeError(f"cannot write a {type(value).__name__} as YAML")
    if not quote_strings and _PLAIN_VALUE.fullmatch(value) and scalar(value) == value:
        return value
    return _quote(value)


def _emit(value: Any, indent: int, out: list[str], quote_strings: bool) -> None:
    pad = " " * indent
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{pad}{_key(str(key))}:")
                _emit(item, indent + 2, out, quote_strings)
            else:
                out.append(f"{pad}{_key(str(key))}: {_inline(item, quote_strings)}")
        return
    for item in value:
        if isinstance(item, dict) and item:
            lines: list[str] = []
            _emit(item, indent + 2, lines, quote_strings)
            out.append(f"{pad}- {lines[0][indent + 2:]}")
            out.extend(lines[1:])
        elif isinstance(item, list) and item:
            raise TypeError("nested lists are not supported")
        else:
            out.append(f"{pad}- {_inline(item, quote_strings)}")


def _inline(value: Any, quote_strings: bool) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return format_scalar(value, quote_strings=quote_strings)


def dump(data: dict[str, Any], *, header: str = "", quote_strings: bool = True) -> str:
    """Write a mapping as YAML that `parse` reads back to the same value."""
    out = [f"# {line}".rstrip() for line in header.splitlines()]
    _emit(data, 0, out, quote_strings)
    return "\n".join(out) + "\n"
