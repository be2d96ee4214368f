import { OAUTH_BASE } from './authorization-server.js';

/** The endpoints apps need, under the issuer (oidc-provider's default routes). */
export function oauthEndpoints(origin: string) {
  const issuer = `${origin}${OAUTH_BASE}`;
  return {
    issuer,
    authorize: `${issuer}/auth`,
    token: `${issuer}/token`,
    revoke: `${issuer}/token/revocation`,
    introspect: `${issuer}/token/introspection`,
    userinfo: `${issuer}/me`,
    jwks: `${issuer}/jwks`,
  };
}

/**
 * SMART App Launch 2.x discovery (`/.well-known/smart-configuration`): what this server
 * supports, so a SMART client configures itself.
 */
export function smartConfiguration(origin: string): Record<string, unknown> {
  const endpoints = oauthEndpoints(origin);
  return {
    issuer: endpoints.issuer,
    jwks_uri: endpoints.jwks,
    authorization_endpoint: endpoints.authorize,
    token_endpoint: endpoints.token,
    revocation_endpoint: endpoints.revoke,
    introspection_endpoint: endpoints.introspect,
    userinfo_endpoint: endpoints.userinfo,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384', 'RS256', 'ES256', 'PS256', 'PS384'],
    scopes_supported: [
      'openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access',
      'patient/*.rs', 'patient/*.cruds', 'user/*.rs', 'user/*.cruds', 'system/*.rs', 'system/*.cruds',
      'patient/*.read', 'patient/*.write', 'user/*.read', 'user/*.write', 'system/*.read', 'system/*.write',
    ],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-ehr', 'launch-standalone',
      'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric',
      'context-ehr-patient', 'context-ehr-encounter', 'context-standalone-patient',
      'permission-offline', 'permission-online', 'permission-patient', 'permission-user', 'permission-v1', 'permission-v2',
      'sso-openid-connect', 'authorize-post',
    ],
  };
}

/** CapabilityStatement.rest.security for SMART: the oauth-uris extension points apps at the endpoints. */
export function smartSecurity(origin: string) {
  const endpoints = oauthEndpoints(origin);
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' }] }],
    description: 'OAuth2 with SMART on FHIR scopes; see /.well-known/smart-configuration',
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: endpoints.authorize },
          { url: 'token', valueUri: endpoints.token },
          { url: 'revoke', valueUri: endpoints.revoke },
          { url: 'introspect', valueUri: endpoints.introspect },
        ],
      },
    ],
  };
}
