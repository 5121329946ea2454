"""How the OpenAPI schema describes the API-token authentication (security/authentication.py)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "security.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token (`wdk_…`) made in the admin or with POST /api/v1/api-tokens/.",
        }
