"""The portal API's settings, read once at start from `IOR_` variables (pydantic-settings).

For Entra ID: `IOR_OIDC_ISSUER=https://login.microsoftonline.com/<tenant>/v2.0`,
`IOR_OIDC_CLIENT_ID=<application id>`, `IOR_OIDC_AUDIENCE` (the client id for ID tokens, or
`api://<application id>` for access tokens), `IOR_OIDC_ROLES_CLAIM=roles` (app roles).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.runtime.errors import SettingsError
from services.runtime.settings import PREFIX

MB = 1024 * 1024


class PortalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=PREFIX, env_ignore_empty=True, frozen=True)

    oidc_issuer: str = Field(description="the issuer every token must name (`iss`)")
    oidc_audience: str = Field(description="the audience every token must name (`aud`)")
    oidc_client_id: str = Field(description="the portal's client id at the issuer")
    oidc_client_secret: SecretStr | None = Field(
        None, description="for a confidential client; PKCE alone for a public one"
    )
    oidc_roles_claim: str = Field("roles", description="the claim holding app roles")
    oidc_jwks_url: str | None = Field(
        None, description="default: the jwks_uri of the issuer's discovery document"
    )
    session_secret: SecretStr = Field(
        description="signs session cookies (at least 32 characters)", min_length=32
    )
    cookie_secure: bool = True
    session_seconds: int = Field(8 * 3600, ge=60)
    upload_max_bytes: int = Field(20 * MB, gt=0)
    download_url_seconds: int = Field(300, ge=1, le=3600)
    public_url: str = Field("http://localhost:8000", description="where people reach the portal")

    @classmethod
    def from_env(cls) -> Self:
        try:
            return cls()
        except ValidationError as exc:
            error = exc.errors()[0]
            variable = f"{PREFIX}{str(error['loc'][0]).upper()}"
            raise SettingsError(f"{variable}: {error['msg']}") from None
