// The bundled identity provider: panva's oidc-provider (OpenID Certified), configured for Flowlab's
// demos and end-to-end tests. It listens on 127.0.0.1 only and keeps everything in memory.
//
// Environment:
//   IDP_PORT      port to listen on (default 9000)
//   APP_ORIGINS   comma-separated origins the app is served from (default http://127.0.0.1:8080)
//   APP_PATHS     comma-separated base paths the app is served under (default "/"), e.g. "/,/flowlab/"
//   CORS_ORIGINS  origins allowed to call the token and userinfo endpoints (default: APP_ORIGINS);
//                 tests narrow it to show what a refused CORS request looks like
//
// It prints one line "IDP_READY <issuer>" when it accepts connections.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';
import { demoUsers, findAccount } from './users.mjs';

const port = Number(process.env.IDP_PORT || 9000);
const issuer = `http://127.0.0.1:${port}`;
const origins = (process.env.APP_ORIGINS || 'http://127.0.0.1:8080').split(',').map((s) => s.trim()).filter(Boolean);
const corsOrigins = process.env.CORS_ORIGINS ? process.env.CORS_ORIGINS.split(',').map((s) => s.trim()) : origins;
const paths = (process.env.APP_PATHS || '/').split(',').map((s) => s.trim()).filter(Boolean);

/** Every URL the app may live at: each origin under each base path. */
const appBases = origins.flatMap((o) => paths.map((p) => o + (p.endsWith('/') ? p : `${p}/`)));
const redirectUris = appBases.map((b) => `${b}callback.html`);
const postLogoutRedirectUris = appBases;

function signingKeys() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return [
    { ...rsa, kid: 'flowlab-rs256', use: 'sig', alg: 'RS256' },
    { ...ec, kid: 'flowlab-es256', use: 'sig', alg: 'ES256' },
  ];
}

/** The public demo client (a browser app: no secret, PKCE S256 required). */
function publicClient(clientId, idTokenAlg) {
  return {
    client_id: clientId,
    client_name: `Flowlab demo (${idTokenAlg})`,
    // 'native' lets oidc-provider accept the http loopback redirect URIs of a local demo.
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token', 'implicit'],
    response_types: ['code', 'id_token', 'id_token token', 'code id_token'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    id_token_signed_response_alg: idTokenAlg,
  };
}

const configuration = {
  clients: [publicClient('flowlab-demo', 'RS256'), publicClient('flowlab-demo-es256', 'ES256')],
  jwks: { keys: signingKeys() },
  findAccount,
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at'],
    email: ['email', 'email_verified'],
  },
  // Profile claims also go into the ID token, so the app can show them after sign-in.
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  pkce: { required: () => true },
  clientBasedCORS(ctx, origin) {
    return corsOrigins.includes(origin);
  },
  responseTypes: ['code', 'id_token', 'id_token token', 'code id_token', 'none'],
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: true },
  },
  cookies: { keys: ['flowlab-demo-cookie-key-not-secret'] },
  ttl: {
    AccessToken: 3600,
    AuthorizationCode: 60,
    IdToken: 3600,
    RefreshToken: 86400,
    Interaction: 3600,
    Session: 86400,
    Grant: 86400,
  },
  renderError(ctx, out) {
    // Everything as text: the app and people read it, never a script.
    ctx.type = 'html';
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!doctype html><title>Flowlab demo provider: error</title><h1>${esc(out.error)}</h1><p>${esc(out.error_description || '')}</p>`;
  },
};

const provider = new Provider(issuer, configuration);
// Quiet the provider's "you must change this" notices for settings a demo legitimately keeps.
provider.on('server_error', (ctx, err) => console.error('idp server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`IDP_READY ${issuer}`);
  console.log(`  clients: flowlab-demo (RS256 ID tokens), flowlab-demo-es256 (ES256 ID tokens)`);
  console.log(`  redirect URIs: ${redirectUris.join(' ')}`);
  console.log(`  demo users: ${Object.keys(demoUsers).join(', ')} (the development login page accepts any password)`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
