import pytest
from django.urls import include, path
from drf_spectacular.generators import SchemaGenerator

from shop.files.urls import UPLOAD_ALIASES


@pytest.fixture(scope="module")
def schema():
    generator = SchemaGenerator(patterns=[path("api/v1/", include("shop.files.urls"))])
    return generator.get_schema(request=None, public=True)


def test_every_files_endpoint_is_documented(schema):
    documented = {(url, method) for url, item in schema["paths"].items() for method in item}

    assert documented == {
        ("/api/v1/uploads/{context}", "post"),
        *{(f"/api/v1/upload/{alias}", "post") for alias in UPLOAD_ALIASES},
        ("/api/v1/upload/profile-picture", "post"),
        ("/api/v1/files", "get"),
        ("/api/v1/files/{public_id}", "get"),
        ("/api/v1/files/{public_id}", "delete"),
        ("/api/v1/files/{public_id}/content", "get"),
        ("/api/v1/auth/profile/picture", "get"),
        ("/api/v1/auth/profile/picture", "post"),
        ("/api/v1/auth/profile/picture", "delete"),
    }


def test_uploads_are_documented_as_multipart(schema):
    components = schema["components"]["schemas"]
    upload = schema["paths"]["/api/v1/uploads/{context}"]["post"]
    picture = schema["paths"]["/api/v1/auth/profile/picture"]["post"]

    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    assert list(picture["requestBody"]["content"]) == ["multipart/form-data"]
    request_schema = components["FileUploadRequestRequest"]
    assert request_schema["required"] == ["files"]
    assert request_schema["properties"]["files"]["items"] == {"type": "string", "format": "binary"}
    assert upload["parameters"][0]["schema"]["enum"] == ["product", "profile", "progress", "qa", "review", "skin"]
    too_large = upload["responses"]["413"]["content"]["application/json"]["schema"]["allOf"]
    assert too_large[0] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    assert too_large[1]["properties"]["code"]["enum"] == ["FILE_TOO_LARGE", "PAYLOAD_TOO_LARGE"]
    assert upload["responses"]["201"]["content"]["application/json"]["schema"]["properties"]["data"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/UploadedFile"},
    }
