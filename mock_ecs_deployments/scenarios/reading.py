"""Reading a scenario: a mapping as given, or a YAML or JSON file (PyYAML is imported only
when a YAML file is read)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Hashable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from ..engine.model.validation import SeedingTypeError
from .errors import ScenarioError

if TYPE_CHECKING:
    import yaml

#: What a scenario may be given as: a file path, or its data as a mapping or list of them.
ScenarioSource: TypeAlias = (
    str | os.PathLike[str] | Mapping[str, object] | Sequence[Mapping[str, object]]
)
#: The name errors give a scenario passed as data.
MAPPING_SOURCE = "<mapping>"


def read(source: ScenarioSource) -> tuple[str, object]:
    """The name to report a scenario by, and its data: a mapping or list as given, or the
    parsed text of a file (``.json`` as JSON, any other name as YAML).

    :raises ScenarioError: for text that is not UTF-8, or not valid JSON or YAML (with its line
        and column).
    :raises SeedingTypeError: for a source that is neither a path nor a mapping.
    :raises OSError: if the file cannot be read.
    """
    if isinstance(source, Mapping | list | tuple):
        return MAPPING_SOURCE, source
    if not isinstance(source, str | os.PathLike):
        raise SeedingTypeError(
            "source", f"expected a file path or a mapping, got {source!r}", value=source
        )
    name, path = os.fspath(source), Path(source)
    line: int | None
    column: int | None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(name, "", f"not UTF-8 text (byte {error.start})") from None
    if path.suffix.lower() == ".json":
        try:
            data: object = json.loads(text)
            return name, data
        except json.JSONDecodeError as error:
            problem, line, column = f"JSON: {error.msg}", error.lineno, error.colno
    else:
        import yaml  # here, not at import: only reading a YAML file needs it

        try:
            data = yaml.load(text, Loader=_loader())  # a SafeLoader: makes no objects
            return name, data
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line, column = (None, None) if mark is None else (mark.line + 1, mark.column + 1)
            problem = f"YAML: {getattr(error, 'problem', None) or error}"
    raise ScenarioError(name, "", f"invalid {problem}", line=line, column=column)


@functools.cache
def _loader() -> type[yaml.SafeLoader]:
    import yaml

    class Loader(yaml.SafeLoader):
        """PyYAML's SafeLoader, refusing a key given twice (PyYAML would keep the last
        silently, and a second ``created_at`` is a mistake worth pointing at)."""

        def construct_mapping(
            self, node: yaml.MappingNode, deep: bool = False
        ) -> dict[Hashable, object]:
            seen: list[object] = []
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue  # "<<: *anchor" merges keys that the mapping's own may override
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"the key {key!r} is given twice", key_node.start_mark
                    )
                seen.append(key)
            return super().construct_mapping(node, deep=deep)

    return Loader
