"""Apple's OpenAPI specification of the App Store Connect API (4.4.1, kept gzipped in
tests/fixtures/api/), read for the tests: the fake API (fake-asc-api) and the check of the
programs' request table (check-api-calls) both judge requests with it."""
import gzip
import json
import os
import re

SPEC_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "api",
                         "app-store-connect-openapi.json.gz")


class Spec:
    """The parts of the OpenAPI document the fake consults: operations and schemas."""

    def __init__(self, path):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            self.doc = json.load(f)
        self.schemas = self.doc["components"]["schemas"]
        # Path templates by their number of segments; "{id}" matches any one segment.
        self.routes = {}
        for template, item in self.doc["paths"].items():
            parts = template.split("/")
            literal = sum(1 for part in parts if part and not part.startswith("{"))
            self.routes.setdefault(len(parts), []).append((literal, template, parts, item))
        for routes in self.routes.values():
            routes.sort(key=lambda r: -r[0])
        # The resource schema of each JSON:API type ("apps" -> App).
        self.by_type = {}
        for name, schema in self.schemas.items():
            props = schema.get("properties", {})
            enum = props.get("type", {}).get("enum")
            if enum and len(enum) == 1 and "id" in props and "required" in schema:
                self.by_type.setdefault(enum[0], name)

    def ref(self, schema):
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].split("/")[-1]]
        return schema

    def operation(self, method, path):
        """(template, operation, path item) for a request, or a reason it is not in the spec."""
        segments = path.split("/")
        for _, template, parts, item in self.routes.get(len(segments), []):
            if all(p == s or (p.startswith("{") and s) for p, s in zip(parts, segments)):
                op = item.get(method.lower())
                if op is None:
                    return None, "%s %s is not an operation of the App Store Connect API" % (method, template)
                return template, op, item
        return None, "%s is not a path of the App Store Connect API" % path

    def parameters(self, item, op):
        return {p["name"]: p for p in item.get("parameters", []) + op.get("parameters", []) if p["in"] == "query"}

    def response_schema(self, op, status):
        content = op["responses"].get(str(status), {}).get("content", {})
        schema = content.get("application/json", {}).get("schema")
        return self.ref(schema) if schema else None

    def request_schema(self, op):
        schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
        return self.ref(schema) if schema else None

    def check(self, value, schema, where, problems):
        """Appends to problems every way value breaks schema, strictly: a member the schema
        does not name is a problem even though the spec does not forbid extra members."""
        schema = self.ref(schema)
        if value is None:
            if not schema.get("nullable"):
                problems.append("%s: null where the schema has no null" % where)
            return
        if "oneOf" in schema:
            discriminator = schema.get("discriminator")
            if discriminator and isinstance(value, dict):
                target = discriminator["mapping"].get(value.get(discriminator["propertyName"]))
                if target is None:
                    problems.append("%s: type %r is not one the schema allows here" % (where, value.get("type")))
                else:
                    self.check(value, {"$ref": target}, where, problems)
                return
            if not any(not self.check_list(value, option, where) for option in schema["oneOf"]):
                problems.append("%s: matches none of the schema's choices" % where)
            return
        kind = schema.get("type", "object" if "properties" in schema else None)
        if kind == "object":
            if not isinstance(value, dict):
                problems.append("%s: not an object" % where)
                return
            props = schema.get("properties", {})
            for name in schema.get("required", []):
                if name not in value:
                    problems.append("%s.%s: required, missing" % (where, name))
            extra = schema.get("additionalProperties")
            for name, member in value.items():
                if name in props:
                    self.check(member, props[name], "%s.%s" % (where, name), problems)
                elif isinstance(extra, dict):
                    self.check(member, extra, "%s.%s" % (where, name), problems)
                elif extra is not True:
                    problems.append("%s.%s: not in the schema" % (where, name))
        elif kind == "array":
            if not isinstance(value, list):
                problems.append("%s: not an array" % where)
                return
            for i, item in enumerate(value):
                self.check(item, schema.get("items", {}), "%s[%d]" % (where, i), problems)
        elif kind == "string":
            if not isinstance(value, str):
                problems.append("%s: not a string" % where)
            elif "enum" in schema and value not in schema["enum"]:
                problems.append("%s: %r is not one of the schema's values" % (where, value))
        elif kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                problems.append("%s: not an integer" % where)
        elif kind == "number":
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                problems.append("%s: not a number" % where)
        elif kind == "boolean":
            if not isinstance(value, bool):
                problems.append("%s: not a boolean" % where)

    def check_list(self, value, schema, where):
        problems = []
        self.check(value, schema, where, problems)
        return problems

    def query_problem(self, template, item, op, pairs):
        """(parameter, why) for the first query parameter the spec does not allow, or None."""
        declared = self.parameters(item, op)
        seen = set()
        for name, value in pairs:
            if name in seen:
                return name, "is given twice"
            seen.add(name)
            # LIVE: links.next of a paged listing carries cursor=..., which the spec does not
            # declare (it only has meta.paging.nextCursor); the live API takes it on every
            # operation that pages (those with a limit).
            if name == "cursor" and "limit" in declared:
                continue
            if name not in declared:
                return name, "is not a parameter of %s %s" % (op["operationId"], template)
            schema = self.ref(declared[name].get("schema", {}))
            values = value.split(",") if schema.get("type") == "array" else [value]
            items = self.ref(schema.get("items", {})) if schema.get("type") == "array" else schema
            for v in values:
                if "enum" in items and v not in items["enum"]:
                    return name, "%r is not one of its values (%s)" % (v, ", ".join(items["enum"]))
                if items.get("type") == "integer":
                    if not re.fullmatch(r"-?[0-9]+", v):
                        return name, "%r is not an integer" % v
                    if "maximum" in items and int(v) > items["maximum"]:
                        return name, "%s is above its maximum %d" % (v, items["maximum"])
                    if int(v) < items.get("minimum", 1 if name.startswith("limit") else -2**63):
                        return name, "%s is below its minimum" % v
                if v == "":
                    return name, "is empty"
        for name, p in declared.items():
            if p.get("required") and name not in seen:
                return name, "is required"
        return None
