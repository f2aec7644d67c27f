"""Access tables: who is responsible for which model (RACI), API tokens, service accounts,
identities in the directory."""

from governance.access.models.decisions import RequestState, RoleGrant, ValidatorRequest
from governance.access.models.directory import DirectoryIdentity
from governance.access.models.raci import RaciAssignment
from governance.access.models.tokens import ApiToken, ServiceAccount

__all__ = [
    "ApiToken",
    "DirectoryIdentity",
    "RaciAssignment",
    "RequestState",
    "RoleGrant",
    "ServiceAccount",
    "ValidatorRequest",
]
