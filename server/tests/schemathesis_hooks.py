"""Schemathesis hooks for server/tests/schemathesis.sh: what OpenAPI 3.0 cannot express.

Open enumerations. Every enumeration of obakit's contract is open: its description says so
("The enumeration is open: unknown values are kept and passed on"), the generated types keep an
unknown value, and the server accepts it, because Orange may add values without notice and the
partner must not refuse them. OpenAPI 3.0 has no keyword for an open enumeration: `enum` lists
the known values and, to a validator, closes the set. Schemathesis would then send an unknown
value as invalid data and count its acceptance as a failure. Before the document is loaded, each
enumeration that says it is open becomes what it means, "one of the known values, or any other
string", so known values are still generated and unknown ones count as valid.
"""

import schemathesis

OPEN_MARK = "enumeration is open"


def _open_enumerations(node):
    if isinstance(node, dict):
        description = " ".join(str(node.get("description", "")).split())
        if "enum" in node and OPEN_MARK in description:
            known = {"type": node.get("type", "string"), "enum": node.pop("enum")}
            other = {"type": node.pop("type", "string")}
            node["anyOf"] = [known, other]
        for value in node.values():
            _open_enumerations(value)
    elif isinstance(node, list):
        for value in node:
            _open_enumerations(value)


@schemathesis.hook
def before_load_schema(context, raw_schema):
    _open_enumerations(raw_schema)
