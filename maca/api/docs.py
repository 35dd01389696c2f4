"""A readable, server-rendered page of the API's operations (no script, GOV.UK markup).

django-ninja's own Swagger and Redoc pages need inline scripts and styles, which maca's
Content Security Policy forbids; this lists the same OpenAPI document as plain HTML.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(schema: dict[str, Any]) -> str:
    ref = schema.get("$ref", "")
    if ref:
        return str(ref).rsplit("/", 1)[-1]
    if schema.get("type") == "array":
        return f"list of {_ref_name(schema.get('items', {}))}"
    return str(schema.get("type", "object"))


def operations(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation in the document, in path order, flattened for the template."""
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = op.get("requestBody", {}).get("content", {})
            out.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "id": op.get("operationId", ""),
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tag": (op.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p["in"],
                            "required": p.get("required", False),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": ", ".join(
                        f"{media} ({_ref_name(spec.get('schema', {}))})"
                        for media, spec in body.items()
                    ),
                    "responses": [
                        {"status": status, "description": r.get("description", "")}
                        for status, r in op.get("responses", {}).items()
                    ],
                }
            )
    return out


class GovukDocs(DocsBase):
    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(
            request,
            "api/docs.html",
            {
                "title": schema["info"]["title"],
                "description": schema["info"].get("description", ""),
                "openapi_url": self.get_openapi_url(api, kwargs),
                "operations": operations(schema),
                "schemas": sorted(schema.get("components", {}).get("schemas", {})),
            },
        )
