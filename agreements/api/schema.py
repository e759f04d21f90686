"""The OpenAPI schema (drf-spectacular): every operation also lists the refusals it may give, in
the shapes of agreements/api/errors.py, so that a client generated from the schema knows them."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers

Detail = inline_serializer("Detail", fields={"detail": serializers.CharField()})
FIELD_ERRORS = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {},
        "description": "Each field that was refused, with its messages (a list of strings; for "
        "a nested list, an object of the refused rows by their position, from 0); errors "
        "about the whole row under non_field_errors.",
    },
    description="The request was refused: see the messages.",
)
REFUSALS = {
    "400": FIELD_ERRORS,
    "401": OpenApiResponse(Detail, description="No credentials, or an unknown or expired token."),
    "403": OpenApiResponse(Detail, description="Your role does not allow this."),
    "404": OpenApiResponse(Detail, description="No such row, or an invalid page cursor."),
    "429": OpenApiResponse(
        Detail, description="Too many requests for this token: the Retry-After header says when."
    ),
}
CONFLICT = {
    "409": OpenApiResponse(Detail, description="The row is still in use and cannot be deleted.")
}


class CoveredAutoSchema(AutoSchema):
    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        refusals = {**REFUSALS, **(CONFLICT if self.method == "DELETE" else {})}
        for code, response in refusals.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "agreements.api.authentication.ApiTokenAuthentication"
    name = "token"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token from the API tokens page: `Token <token>`.",
        }
