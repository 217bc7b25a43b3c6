"""Change values in the site file while keeping every comment and the rest of its layout.

The file is parsed only to find where a value is (PyYAML's node marks give byte offsets);
the change itself is a splice of the original text: the value's span is replaced, or one line
is inserted into its mapping. What is not touched stays byte for byte.
"""

from __future__ import annotations

import yaml

from .errors import InputError


def _compose(text: str, shown: str) -> yaml.Node:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as e:
        raise InputError(f"not valid YAML: {e}", path=shown) from None
    if not isinstance(node, yaml.MappingNode):
        raise InputError("the site file must be a mapping", path=shown)
    return node


def _find(mapping: yaml.MappingNode, key: str) -> tuple[yaml.Node, yaml.Node] | None:
    for k, v in mapping.value:
        if isinstance(k, yaml.ScalarNode) and k.value == key:
            return k, v
    return None


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def set_value(text: str, path: tuple[str, ...], value: str, *, shown: str = "site file") -> str:
    """``text`` with ``path`` set to ``value`` (YAML text, written inline)."""
    root = _compose(text, shown)
    node: yaml.Node = root
    key_node = root
    for depth, key in enumerate(path):
        if not isinstance(node, yaml.MappingNode):
            raise InputError(f"{'.'.join(path[:depth])} is not a mapping", path=shown)
        found = _find(node, key)
        if found is None:
            return _insert(text, node, path[depth:], value, root is node)
        key_node, node = found
    start, end = node.start_mark.index, node.end_mark.index
    if isinstance(node, yaml.CollectionNode) and not node.flow_style:
        # A block mapping or list ends where the next key begins: the new value goes after
        # the key's colon, in place of the block's lines.
        colon = text.index(":", key_node.end_mark.index) + 1
        mark = node.end_mark
        end = mark.index if mark.column == 0 else text.find("\n", mark.index) + 1 or len(text)
        return text[:colon] + " " + value + "\n" + text[end:]
    if isinstance(node, yaml.ScalarNode) and node.value == "" and start == end:
        # "key:" with nothing after it: put the value after the colon.
        return text[:start] + " " + value + text[end:]
    return text[:start] + value + text[end:]


def _insert(
    text: str, mapping: yaml.MappingNode, keys: tuple[str, ...], value: str, top: bool
) -> str:
    nested = value
    for key in reversed(keys[1:]):
        nested = f"{{{key}: {nested}}}"
    entry_key = keys[0]
    if mapping.flow_style:
        close = mapping.end_mark.index - 1  # the '}'
        sep = ", " if mapping.value else ""
        return text[:close] + f"{sep}{entry_key}: {nested}" + text[close:]
    if mapping.value:
        indent = mapping.value[0][0].start_mark.column
        last = mapping.value[-1][1].end_mark
        at = last.index if last.column == 0 else text.find("\n", last.index) + 1 or len(text)
    else:
        indent, at = 0, len(text)
    if top:
        indent = 0
    if at > len(text) or at == 0:
        at = len(text)
    prefix = "" if at == 0 or text[at - 1] == "\n" else "\n"
    if len(keys) > 1 and not mapping.flow_style:
        # Write nested mappings in block style, as people write site files.
        lines = [f"{' ' * indent}{keys[0]}:"]
        for depth, key in enumerate(keys[1:-1], start=1):
            lines.append(f"{' ' * (indent + 2 * depth)}{key}:")
        lines.append(f"{' ' * (indent + 2 * (len(keys) - 1))}{keys[-1]}: {value}")
        return text[:at] + prefix + "\n".join(lines) + "\n" + text[at:]
    return text[:at] + prefix + f"{' ' * indent}{entry_key}: {nested}\n" + text[at:]


def delete_key(text: str, path: tuple[str, ...], *, shown: str = "site file") -> str:
    """``text`` without ``path`` (a key of a block mapping), or unchanged when absent."""
    root = _compose(text, shown)
    node: yaml.Node = root
    for key in path[:-1]:
        found = _find(node, key) if isinstance(node, yaml.MappingNode) else None
        if found is None:
            return text
        node = found[1]
    if not isinstance(node, yaml.MappingNode):
        return text
    found = _find(node, path[-1])
    if found is None:
        return text
    key_node, value_node = found
    if node.flow_style:
        raise InputError(f"{'.'.join(path)}: write that mapping in block style", path=shown)
    start = _line_start(text, key_node.start_mark.index)
    end_mark = value_node.end_mark
    end = end_mark.index if end_mark.column == 0 else text.find("\n", end_mark.index) + 1
    return text[:start] + text[end or len(text) :]


def append_items(text: str, key: str, items: list[str], *, shown: str = "site file") -> str:
    """``text`` with ``items`` (YAML flow values) appended to the top-level list ``key``."""
    root = _compose(text, shown)
    found = _find(root, key)  # type: ignore[arg-type]
    if found is None:
        prefix = "" if not text or text.endswith("\n") else "\n"
        return text + prefix + f"{key}:\n" + "".join(f"  - {item}\n" for item in items)
    _, value = found
    if not isinstance(value, yaml.SequenceNode) or value.flow_style:
        raise InputError(f"{key}: write it as a block list ('- ...' lines)", path=shown)
    indent = value.value[0].start_mark.column - 2 if value.value else 2
    end = value.end_mark
    at = end.index if end.column == 0 else text.find("\n", end.index) + 1 or len(text)
    lines = "".join(f"{' ' * indent}- {item}\n" for item in items)
    return text[:at] + lines + text[at:]
