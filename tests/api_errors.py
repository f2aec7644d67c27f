"""Reading the API's one error shape in tests."""


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]
