/**
 * GitHub App authentication as GitHub checks it: an RS256 JWT signed by the app's private key
 * (iat not in the future, exp at most 10 minutes ahead, iss = app id or client id) for the `/app`
 * endpoints, and installation tokens (`ghs_…`, one hour) or configured static tokens for the rest.
 */
import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError, errorBody } from './http.js';
import type { Model, TokenRecord } from './model.js';

export type Auth =
  | { kind: 'none' }
  | { kind: 'app' }
  | { kind: 'token'; token: TokenRecord };

const CLOCK_DRIFT_S = 60;

export function publicKeyFrom(pem: string): KeyObject {
  return createPublicKey(pem);
}

function unauthorized(message: string): HttpError {
  return new HttpError(401, errorBody(401, message, 'https://docs.github.com/rest'));
}

function b64urlJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies an app JWT; throws GitHub's 401 otherwise. */
export function verifyAppJwt(jwt: string, key: KeyObject, app: { id: number; clientId: string }, now: Date): void {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw unauthorized('A JSON web token could not be decoded');
  const [h, p, s] = parts as [string, string, string];
  const header = b64urlJson(h);
  const payload = b64urlJson(p);
  if (!header || !payload || header.alg !== 'RS256') throw unauthorized('A JSON web token could not be decoded');
  const ok = verify('RSA-SHA256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url'));
  if (!ok) throw unauthorized('A JSON web token could not be decoded');
  const t = Math.floor(now.getTime() / 1000);
  const { iat, exp, iss } = payload;
  if (typeof iat !== 'number' || !Number.isInteger(iat) || iat > t + CLOCK_DRIFT_S) {
    throw unauthorized("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued");
  }
  if (typeof exp !== 'number' || !Number.isInteger(exp) || exp <= t) {
    throw unauthorized("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires");
  }
  if (exp - iat > 600 || exp > t + 600 + CLOCK_DRIFT_S) {
    throw unauthorized("'Expiration time' claim ('exp') is too far in the future");
  }
  if (String(iss) !== String(app.id) && iss !== app.clientId) {
    throw unauthorized(typeof iss === 'number' || /^\d+$/.test(String(iss)) ? 'Integration not found' : "'Issuer' claim ('iss') must be an Integer");
  }
}

/** Reads the Authorization header; throws 401 for credentials GitHub would not accept. */
export function authenticate(headers: IncomingHttpHeaders, model: Model, key: KeyObject, clientId: string): Auth {
  const header = headers.authorization;
  if (!header) return { kind: 'none' };
  const m = /^(bearer|token)\s+(\S+)$/i.exec(header.trim());
  if (!m) throw unauthorized('Bad credentials');
  const credential = m[2]!;
  if (credential.split('.').length === 3 && m[1]!.toLowerCase() === 'bearer') {
    verifyAppJwt(credential, key, { id: model.app.id, clientId }, model.nowDate());
    return { kind: 'app' };
  }
  const token = model.tokens.get(credential);
  if (!token || token.expiresAt.getTime() <= model.nowDate().getTime()) throw unauthorized('Bad credentials');
  return { kind: 'token', token };
}

export function newInstallationToken(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(36);
  return `ghs_${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}
