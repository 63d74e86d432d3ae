"""Whether an environment variable's path (CMIS_A__B -> ["a", "b"]) names a settings field:
the deployment files must pass only variables that a service really reads."""

from __future__ import annotations

from pydantic import BaseModel


def field_exists(model: type[BaseModel], path: list[str]) -> bool:
    field = model.model_fields.get(path[0])
    if field is None:
        return False
    if len(path) == 1:
        return True
    nested = field.annotation
    return (
        isinstance(nested, type)
        and issubclass(nested, BaseModel)
        and field_exists(nested, path[1:])
    )
