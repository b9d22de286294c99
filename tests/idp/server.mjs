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
import Provider, { errors } from 'oidc-provider';
import { DEMO_PASSWORD, demoUsers, findAccount } from './users.mjs';

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
    grant_types: ['authorization_code', 'refresh_token', 'implicit', 'password'],
    response_types: ['code', 'id_token', 'id_token token', 'code id_token'],
    redirect_uris: redirectUris,
    post_logout_redirect_uris: postLogoutRedirectUris,
    id_token_signed_response_alg: idTokenAlg,
  };
}

/** Demo secrets: published on purpose (the README lists them); a demo provider has nothing to protect. */
export const SECRETS = {
  'flowlab-confidential': 'flowlab-demo-secret',
  'flowlab-confidential-post': 'flowlab-demo-secret',
  'flowlab-m2m': 'flowlab-m2m-secret',
};

/** A confidential web client (a secret; PKCE still required), for learning client authentication. */
function confidentialClient(clientId, method) {
  return {
    ...publicClient(clientId, 'RS256'),
    client_name: `Flowlab confidential demo (${method})`,
    client_secret: SECRETS[clientId],
    token_endpoint_auth_method: method,
    grant_types: ['authorization_code', 'refresh_token', 'implicit', 'password'],
  };
}

/** A machine-to-machine client: client credentials only, for the demo API. */
const m2mClient = {
  client_id: 'flowlab-m2m',
  client_name: 'Flowlab machine-to-machine demo',
  client_secret: SECRETS['flowlab-m2m'],
  token_endpoint_auth_method: 'client_secret_basic',
  grant_types: ['client_credentials'],
  response_types: [],
  redirect_uris: [],
  scope: 'api:read',
};

/** A device client (a TV, a command line): public, the device grant only (RFC 8628). */
const deviceClient = {
  client_id: 'flowlab-device',
  client_name: 'Flowlab device demo',
  token_endpoint_auth_method: 'none',
  grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
  response_types: [],
  redirect_uris: [],
};

/**
 * The Resource Owner Password Credentials grant (RFC 6749 4.3). oidc-provider leaves it out on
 * purpose (RFC 9700 2.4 forbids it); the demo adds it to show why. The password is DEMO_PASSWORD.
 */
async function passwordGrant(ctx) {
  const { client, params } = ctx.oidc;
  const username = String(params.username || '');
  if (!username || params.password !== DEMO_PASSWORD) {
    throw new errors.InvalidGrant('wrong username or password');
  }
  const requested = String(params.scope || 'openid').split(' ').filter(Boolean);
  const scope = requested.filter((s) => configuration.scopes.includes(s)).join(' ');
  const grant = new provider.Grant({ accountId: username, clientId: client.clientId });
  grant.addOIDCScope(scope);
  const grantId = await grant.save();
  const at = new provider.AccessToken({ accountId: username, client, grantId, scope, gty: 'password' });
  const accessToken = await at.save();
  const body = { access_token: accessToken, expires_in: at.expiration, token_type: 'Bearer', scope };
  if (requested.includes('openid')) {
    const account = await findAccount(ctx, username);
    const claims = await account.claims('id_token', scope, {}, []);
    const idToken = new provider.IdToken({ ...claims }, { ctx });
    idToken.scope = scope;
    idToken.set('at_hash', accessToken);
    body.id_token = await idToken.issue({ use: 'idtoken' });
  }
  ctx.body = body;
}

/** CORS for the app's origins; answers a preflight itself (then returns true). */
function allowApp(ctx, headers, methods) {
  const origin = ctx.get('origin');
  if (corsOrigins.includes(origin)) {
    ctx.set('Access-Control-Allow-Origin', origin);
    ctx.set('Vary', 'Origin');
  }
  if (ctx.method !== 'OPTIONS') return false;
  ctx.set('Access-Control-Allow-Headers', headers);
  ctx.set('Access-Control-Allow-Methods', methods);
  ctx.status = 204;
  return true;
}

/**
 * The demo API at /api/hello: it accepts a bearer access token this provider issued (to a user
 * or to a client) and says whom it was issued to. CORS for the app's origins.
 */
async function demoApi(ctx, next) {
  if (ctx.path !== '/api/hello') return next();
  if (allowApp(ctx, 'Authorization', 'GET')) return undefined;
  const [kind, value] = (ctx.get('authorization') || '').split(' ');
  const token = kind === 'Bearer' && value
    ? (await provider.AccessToken.find(value)) || (await provider.ClientCredentials.find(value))
    : undefined;
  ctx.type = 'json';
  if (!token || token.isExpired) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"');
    ctx.body = { error: 'invalid_token', error_description: 'no valid access token from this provider' };
    return undefined;
  }
  ctx.body = {
    message: `Hello from the Flowlab demo API, ${token.accountId || token.clientId}.`,
    client_id: token.clientId,
    sub: token.accountId,
    scope: token.scope,
  };
  return undefined;
}

const configuration = {
  clients: [
    publicClient('flowlab-demo', 'RS256'),
    publicClient('flowlab-demo-es256', 'ES256'),
    confidentialClient('flowlab-confidential', 'client_secret_basic'),
    confidentialClient('flowlab-confidential-post', 'client_secret_post'),
    m2mClient,
    deviceClient,
  ],
  jwks: { keys: signingKeys() },
  findAccount,
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'updated_at'],
    email: ['email', 'email_verified'],
  },
  // Profile claims also go into the ID token, so the app can show them after sign-in.
  conformIdTokenClaims: false,
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read'],
  pkce: { required: () => true },
  clientBasedCORS(ctx, origin) {
    return corsOrigins.includes(origin);
  },
  responseTypes: ['code', 'id_token', 'id_token token', 'code id_token', 'none'],
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    // Open dynamic client registration (RFC 7591), so the app can register a private_key_jwt
    // client with the key it made in the browser. A demo: anyone on this machine may register.
    registration: { enabled: true },
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
    ClientCredentials: 600,
  },
  renderError(ctx, out) {
    // Everything as text: the app and people read it, never a script.
    ctx.type = 'html';
    const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    ctx.body = `<!doctype html><title>Flowlab demo provider: error</title><h1>${esc(out.error)}</h1><p>${esc(out.error_description || '')}</p>`;
  },
};

/**
 * CORS for the registration endpoint, which oidc-provider serves to servers only: the app
 * registers from the browser.
 */
async function registrationCors(ctx, next) {
  if (ctx.path !== '/reg') return next();
  return allowApp(ctx, 'Content-Type', 'POST') ? undefined : next();
}

const provider = new Provider(issuer, configuration);
provider.use(registrationCors);
provider.registerGrantType('password', passwordGrant, ['username', 'password', 'scope']);
provider.use(demoApi);
// Quiet the provider's "you must change this" notices for settings a demo legitimately keeps.
provider.on('server_error', (ctx, err) => console.error('idp server_error', err));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`IDP_READY ${issuer}`);
  console.log(`  public clients: flowlab-demo (RS256 ID tokens), flowlab-demo-es256 (ES256 ID tokens)`);
  console.log(`  confidential clients (secret): ${Object.entries(SECRETS).map(([id, secret]) => `${id} (${secret})`).join(', ')}`);
  console.log(`  demo API: ${issuer}/api/hello; password grant password: ${DEMO_PASSWORD}`);
  console.log(`  dynamic registration (private_key_jwt clients, from the app's Register button): ${issuer}/reg`);
  console.log(`  redirect URIs: ${redirectUris.join(' ')}`);
  console.log(`  demo users: ${Object.keys(demoUsers).join(', ')} (the development login page accepts any password)`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
