"""JSON Schema of protocol and library files, for editors' autocompletion and validation.

Any field may also be written as ``{value: ..., assumed: "why"}``; the schema says so for every property.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from schedsim.language.model import Library, Protocol
from schedsim.language.model.scenario import Scenario

SchemaKind = Literal["protocol", "library", "scenario"]
MODELS = {"protocol": Protocol, "library": Library, "scenario": Scenario}


def json_schema(kind: SchemaKind = "protocol") -> dict[str, Any]:
    model = MODELS[kind]
    schema = model.model_json_schema(by_alias=True)
    for definition in [schema, *schema.get("$defs", {}).values()]:
        for name, prop in list(definition.get("properties", {}).items()):
            if name != "assumed":
                definition["properties"][name] = _assumable(prop)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"schedsim {kind}"
    return schema


def _assumable(prop: dict[str, Any]) -> dict[str, Any]:
    inner = {k: v for k, v in prop.items() if k not in ("title", "description", "default")}
    wrapper = {"type": "object", "additionalProperties": False, "required": ["value", "assumed"],
               "properties": {"value": inner, "assumed": {"type": "string", "minLength": 1}}}
    outer: dict[str, Any] = {"anyOf": [inner, wrapper]}
    for key in ("title", "description", "default"):
        if key in prop:
            outer[key] = prop[key]
    return outer


def schema_text(kind: SchemaKind = "protocol") -> str:
    return json.dumps(json_schema(kind), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
