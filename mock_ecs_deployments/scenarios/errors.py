"""The error a scenario file or mapping raises: what is wrong, and exactly where."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario that cannot be loaded; nothing of it was loaded.

    The message is built from the attributes (the constructor's arguments):
    ``<source>: <field>: <problem>``, where a mistake in the whole file has no ``<field>``, a
    syntax error has ``line L, column C`` in its place, and a mistake in a copy of a ``repeat``
    entry ends with ``(copy k of n)``. When the seeding API refused an entry, ``__cause__`` is
    its :class:`~mock_ecs_deployments.engine.model.validation.SeedingError`.

    :ivar source: the file as given, or ``<mapping>``.
    :ivar field: the path to the field within the scenario
        (``services[0].deployments[2].status``); empty for the whole file.
    :ivar problem: what is wrong, with the bad value and what is allowed.
    :ivar line: the line of a YAML or JSON syntax error (from 1), else ``None``.
    :ivar column: the column of a YAML or JSON syntax error (from 1), else ``None``.
    :ivar copy: ``(k, n)`` for a mistake in copy k (from 1) of the n copies a ``repeat``
        entry makes, else ``None``.
    """

    def __init__(
        self,
        source: str,
        field: str,
        problem: str,
        *,
        line: int | None = None,
        column: int | None = None,
        copy: tuple[int, int] | None = None,
    ) -> None:
        self.source, self.field, self.problem = source, field, problem
        self.line, self.column, self.copy = line, column, copy
        where = [source, field] if field else [source]
        if line is not None:
            where.append(f"line {line}, column {column}")
        suffix = "" if copy is None else f" (copy {copy[0]} of {copy[1]})"
        super().__init__(f"{': '.join(where)}: {problem}{suffix}")
