"""The OpenID Connect relying party: discovery, the authorisation URL with PKCE (S256), state and
nonce, the code exchange (Authlib's httpx client), and the ID token checked against the
provider's keys (joserfc, the JOSE library Authlib itself now points to): signature, issuer,
audience, expiry and nonce. The only module here that talks to the provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from civic.validation import DomainError

if TYPE_CHECKING:
    from authlib.integrations.httpx_client import AsyncOAuth2Client

HTTP_TIMEOUT = 10.0


class OidcConfig(msgspec.Struct, frozen=True):
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    redirect_uri: str


class ProviderError(DomainError):
    status = 502
    code = "oidc_provider_error"
    default_msgid = "The identity provider did not answer as expected. Please try again later."


class BadIdToken(DomainError):
    status = 400
    code = "oidc_bad_token"
    default_msgid = "The identity provider's answer could not be verified. Nothing was changed. Please try again."


class Authorisation(msgspec.Struct, frozen=True):
    url: str
    state: str
    nonce: str
    code_verifier: str


async def _discover(client: AsyncOAuth2Client, issuer: str) -> dict:
    try:
        response = await client.request(
            "GET", issuer.rstrip("/") + "/.well-known/openid-configuration", withhold_token=True
        )
        response.raise_for_status()
        meta = response.json()
    except Exception as exc:  # any transport or JSON failure is the provider's
        raise ProviderError() from exc
    # OIDC Discovery 4.3: the document must name the issuer it was fetched for.
    if meta.get("issuer", "").rstrip("/") != issuer.rstrip("/"):
        raise ProviderError()
    return meta


def _client(config: OidcConfig, **kwargs) -> AsyncOAuth2Client:
    # Imported on first use: Authlib's client and httpx are 16 MB in every worker, for a sign-in
    # that only a deployment with OIDC offers.
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    return AsyncOAuth2Client(
        client_id=config.client_id,
        client_secret=config.client_secret,
        scope=config.scopes,
        redirect_uri=config.redirect_uri,
        code_challenge_method="S256",
        timeout=HTTP_TIMEOUT,
        **kwargs,
    )


async def authorisation(config: OidcConfig) -> Authorisation:
    from authlib.common.security import generate_token

    state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
    async with _client(config) as client:
        meta = await _discover(client, config.issuer)
        url, _ = client.create_authorization_url(
            meta["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return Authorisation(url=url, state=state, nonce=nonce, code_verifier=verifier)


async def claims(config: OidcConfig, code: str, code_verifier: str, nonce: str) -> dict:
    """The ID token's claims after the code exchange, or BadIdToken if any check fails."""
    async with _client(config) as client:
        meta = await _discover(client, config.issuer)
        try:
            token = await client.fetch_token(meta["token_endpoint"], code=code, code_verifier=code_verifier)
            keys = (await client.request("GET", meta["jwks_uri"], withhold_token=True)).raise_for_status().json()
        except Exception as exc:
            raise ProviderError() from exc
    id_token = token.get("id_token")
    if not id_token:
        raise BadIdToken()
    return validate_id_token(id_token, keys, issuer=meta["issuer"], client_id=config.client_id, nonce=nonce)


def validate_id_token(id_token: str, jwks: dict, *, issuer: str, client_id: str, nonce: str) -> dict:
    try:
        decoded = jwt.decode(id_token, KeySet.import_key_set(jwks))
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(decoded.claims)
    except (JoseError, ValueError) as exc:
        raise BadIdToken() from exc
    return dict(decoded.claims)
