// The bundled identity provider: panva's oidc-provider (OpenID Certified), configured for Flowlab's
// demos and end-to-end tests. It listens on 127.0.0.1 only and keeps everything in memory.
//
// Environment:
//   IDP_PORT      port to listen on (default 9000)
//   APP_ORIGINS   comma-separated origins the app is served from (default http://127.0.0.1:8080)
//   APP_PATHS     comma-separated base paths the app is served under (default "/"), e.g. "/,/flowlab/"
//   CORS_ORIGINS  origins allowed to call the token and userinfo endpoints (default: APP_ORIGINS);
//                 tests narrow it to show what a refused CORS request looks like
//   REQUIRE_PAR   "1": every authorization request must be pushed first (RFC 9126 5)
//
// It prints one line "IDP_READY <issuer>" when it accepts connections.
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify } from 'node:crypto';
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

/**
 * A public client whose tokens must be DPoP-bound (RFC 9449), and whose proofs must carry a
 * nonce from the server, at the token endpoint and at the demo API (RFC 9449 8, 9).
 */
const DPOP_NONCE_CLIENT = 'flowlab-dpop-nonce';
function dpopClient() {
  return {
    ...publicClient(DPOP_NONCE_CLIENT, 'RS256'),
    client_name: 'Flowlab DPoP demo (nonces required)',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    dpop_bound_access_tokens: true,
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

/** The demo API's DPoP nonce (RFC 9449 9), new at each start. */
const API_NONCE = randomBytes(18).toString('base64url');
/** Proof ids the demo API has seen (RFC 9449 11.1: a proof is used once), with their time. */
const seenJti = new Map();

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
/** The RFC 7638 thumbprint of an EC public key. */
const thumbprint = (jwk) =>
  createHash('sha256').update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y })).digest('base64url');

/**
 * Checks a DPoP proof sent to the demo API (RFC 9449 4.3, 7.1): a dpop+jwt signed (ES256) by
 * the public key in its header, for this method and URL, fresh, used once, and bound to the
 * access token (ath). Returns the key's thumbprint and the proof's nonce, or why it is refused.
 */
function checkProof(proof, htm, htu, accessToken) {
  const parts = String(proof || '').split('.');
  if (parts.length !== 3) return { error: 'no DPoP proof, or not a compact JWS' };
  let header;
  let payload;
  try {
    header = b64json(parts[0]);
    payload = b64json(parts[1]);
  } catch {
    return { error: 'the proof is not JSON' };
  }
  if (header.typ !== 'dpop+jwt') return { error: 'typ is not dpop+jwt' };
  if (header.alg !== 'ES256') return { error: 'alg is not ES256' };
  const jwk = header.jwk;
  if (!jwk || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || 'd' in jwk) return { error: 'jwk is not a public P-256 key' };
  let key;
  try {
    key = createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return { error: 'jwk is not a usable key' };
  }
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(parts[2], 'base64url'))) {
    return { error: 'the signature does not verify with the jwk' };
  }
  if (payload.htm !== htm) return { error: `htm is not ${htm}` };
  if (payload.htu !== htu) return { error: `htu is not ${htu}` };
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > 60) return { error: 'iat is not within 60 s of now' };
  if (typeof payload.jti !== 'string' || !payload.jti) return { error: 'no jti' };
  for (const [jti, at] of seenJti) if (at < now - 120) seenJti.delete(jti);
  if (seenJti.has(payload.jti)) return { error: 'this proof was used before (jti)' };
  seenJti.set(payload.jti, now);
  if (payload.ath !== createHash('sha256').update(accessToken).digest('base64url')) return { error: 'ath is not the hash of this access token' };
  return { jkt: thumbprint(jwk), nonce: payload.nonce };
}

/**
 * The demo API at /api/hello: it accepts an access token this provider issued (to a user or to
 * a client) and says whom it was issued to. A DPoP-bound token is accepted only with
 * `Authorization: DPoP` and a valid proof of the key it is bound to (RFC 9449 7.1); the DPoP demo
 * client's tokens also need the API's nonce in the proof (RFC 9449 9). CORS for the app's
 * origins, with the DPoP header allowed and the DPoP-Nonce and WWW-Authenticate headers exposed.
 */
async function demoApi(ctx, next) {
  if (ctx.path !== '/api/hello') return next();
  if (allowApp(ctx, 'Authorization, DPoP', 'GET')) return undefined;
  ctx.set('Access-Control-Expose-Headers', 'WWW-Authenticate, DPoP-Nonce');
  const [kind = '', value] = (ctx.get('authorization') || '').split(' ');
  const scheme = kind.toLowerCase();
  ctx.type = 'json';
  const refuse = (challenge, error, description, nonce) => {
    ctx.status = 401;
    if (nonce) ctx.set('DPoP-Nonce', nonce);
    ctx.set('WWW-Authenticate', `${challenge} error="${error}", error_description="${description}"`);
    ctx.body = { error, error_description: description };
  };
  const token = (scheme === 'bearer' || scheme === 'dpop') && value
    ? (await provider.AccessToken.find(value)) || (await provider.ClientCredentials.find(value))
    : undefined;
  if (!token || token.isExpired) {
    refuse(scheme === 'dpop' ? 'DPoP' : 'Bearer', 'invalid_token', 'no valid access token from this provider');
    return undefined;
  }
  if (token.jkt) {
    if (scheme !== 'dpop') {
      refuse('DPoP', 'invalid_token', 'the token is bound to a key (DPoP): it is refused as a Bearer token');
      return undefined;
    }
    const proof = checkProof(ctx.get('DPoP'), 'GET', `${issuer}/api/hello`, value);
    if (proof.error) {
      refuse('DPoP', 'invalid_dpop_proof', proof.error);
      return undefined;
    }
    if (proof.jkt !== token.jkt) {
      refuse('DPoP', 'invalid_token', 'the proof is signed by another key than the one the token is bound to');
      return undefined;
    }
    if (token.clientId === DPOP_NONCE_CLIENT && proof.nonce !== API_NONCE) {
      refuse('DPoP', 'use_dpop_nonce', 'Resource server requires nonce in DPoP proof', API_NONCE);
      return undefined;
    }
  } else if (scheme !== 'bearer') {
    refuse('Bearer', 'invalid_token', 'the token is not bound to a key: present it as a Bearer token');
    return undefined;
  }
  ctx.body = {
    message: `Hello from the Flowlab demo API, ${token.accountId || token.clientId}.`,
    client_id: token.clientId,
    sub: token.accountId,
    scope: token.scope,
    token_type: token.jkt ? 'DPoP' : 'Bearer',
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
    dpopClient(),
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
    // DPoP (RFC 9449) is on by default in oidc-provider; with a nonce secret the token endpoint
    // can demand nonces, here for the DPoP demo client only (the others show the plain flow).
    dPoP: {
      enabled: true,
      nonceSecret: randomBytes(32),
      requireNonce: (ctx) => ctx.oidc?.client?.clientId === DPOP_NONCE_CLIENT,
    },
    // PAR (RFC 9126) is on by default; REQUIRE_PAR=1 makes every authorization request pushed.
    pushedAuthorizationRequests: {
      enabled: true,
      requirePushedAuthorizationRequests: process.env.REQUIRE_PAR === '1',
    },
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
  console.log(`  demo API: ${issuer}/api/hello (Bearer or DPoP-bound tokens); password grant password: ${DEMO_PASSWORD}`);
  console.log(`  DPoP with nonces required at the token endpoint and the API: ${DPOP_NONCE_CLIENT}; PAR at ${issuer}/request${process.env.REQUIRE_PAR === '1' ? ' (required)' : ''}`);
  console.log(`  dynamic registration (private_key_jwt clients, from the app's Register button): ${issuer}/reg`);
  console.log(`  redirect URIs: ${redirectUris.join(' ')}`);
  console.log(`  demo users: ${Object.keys(demoUsers).join(', ')} (the development login page accepts any password)`);
});

for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => server.close(() => process.exit(0)));
}
