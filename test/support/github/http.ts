/**
 * Replies in GitHub's wire format: error bodies (`message`, `documentation_url`, `status` as a
 * string), validation errors in both of GitHub's shapes, and `Link`-header pagination.
 */

export interface Reply {
  status: number;
  body?: unknown;
  /** Non-JSON body (raw contents, diffs). */
  text?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Thrown by handlers; becomes the reply as is. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${String(body.message ?? '')}`);
  }
}

export const DOCS = 'https://docs.github.com/rest';

export function errorBody(status: number, message: string, documentationUrl = DOCS, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { message, ...extra, documentation_url: documentationUrl, status: String(status) };
}

export function notFound(documentationUrl = DOCS, message = 'Not Found'): HttpError {
  return new HttpError(404, errorBody(404, message, documentationUrl));
}

export function forbidden(message: string, documentationUrl = DOCS): HttpError {
  return new HttpError(403, errorBody(403, message, documentationUrl));
}

/** `{"message":"Validation Failed","errors":[{resource, code, field, message?}]}` */
export function validationFailed(errors: { resource: string; code: string; field?: string; message?: string }[], documentationUrl = DOCS): HttpError {
  return new HttpError(422, errorBody(422, 'Validation Failed', documentationUrl, { errors }));
}

/** `{"message":"Unprocessable Entity","errors":["…"]}` (validation-error-simple) */
export function unprocessable(errors: string[], documentationUrl = DOCS): HttpError {
  return new HttpError(422, errorBody(422, 'Unprocessable Entity', documentationUrl, { errors }));
}

/** GitHub's schema-validation error: "Invalid request.\n\n<lines>". */
export function invalidRequest(lines: string[], documentationUrl = DOCS): HttpError {
  return new HttpError(422, errorBody(422, `Invalid request.\n\n${lines.join('\n')}`, documentationUrl));
}

/** Rails' Array#to_sentence, which GitHub uses to join review-thread errors. */
export function toSentence(items: string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')}, and ${items[items.length - 1]}`;
}

export interface PageRequest {
  /** The URL the client asked for, absolute, as the client can follow it. */
  selfUrl: URL;
}

/** Slices `items` by `page`/`per_page` (default 30, max 100) and builds GitHub's `Link` header. */
export function paginate<T>(
  items: T[],
  req: PageRequest,
  opts: { defaultPerPage?: number; maxPerPage?: number } = {},
): { page: T[]; link?: string } {
  const defaultPerPage = opts.defaultPerPage ?? 30;
  const maxPerPage = opts.maxPerPage ?? 100;
  const rawPer = Number.parseInt(req.selfUrl.searchParams.get('per_page') ?? '', 10);
  const perPage = Number.isFinite(rawPer) && rawPer > 0 ? Math.min(rawPer, maxPerPage) : defaultPerPage;
  const rawPage = Number.parseInt(req.selfUrl.searchParams.get('page') ?? '', 10);
  const page = Number.isFinite(rawPage) && rawPage > 0 ? rawPage : 1;
  const last = Math.max(1, Math.ceil(items.length / perPage));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const url = (p: number) => {
    const u = new URL(req.selfUrl.href);
    u.searchParams.set('page', String(p));
    if (req.selfUrl.searchParams.has('per_page')) u.searchParams.set('per_page', String(perPage));
    return u.href;
  };
  const rels: string[] = [];
  if (page > 1) rels.push(`<${url(Math.min(page - 1, last))}>; rel="prev"`);
  if (page < last) rels.push(`<${url(page + 1)}>; rel="next"`, `<${url(last)}>; rel="last"`);
  if (page > 1) rels.push(`<${url(1)}>; rel="first"`);
  return { page: slice, link: rels.length ? rels.join(', ') : undefined };
}
