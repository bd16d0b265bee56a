import type { FastifyInstance } from 'fastify';

export interface PageSession {
  csrf: string;
  cookie: string;
  get(
    url: string,
  ): Promise<{ status: number; body: string; location?: string; headers: Record<string, unknown> }>;
  post(
    url: string,
    fields: Record<string, string>,
  ): Promise<{ status: number; body: string; location?: string }>;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

export const csrfIn = (html: string): string => {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token on the page');
  return m[1]!;
};

/** Signs in to the review desk as a browser would (form, cookies, CSRF token), through inject. */
export async function signIn(app: FastifyInstance, token: string): Promise<PageSession> {
  const page = await app.inject({ url: '/review/sign-in' });
  const signInCookie = page.cookies.find((c) => c.name === 'repute_sign_in');
  if (!signInCookie) throw new Error('no sign-in cookie');
  const res = await app.inject({
    method: 'POST',
    url: '/review/sign-in',
    headers: { 'content-type': FORM, cookie: `repute_sign_in=${signInCookie.value}` },
    payload: form({ _csrf: csrfIn(page.body), token, next: '/review' }),
  });
  const session = res.cookies.find((c) => c.name === 'repute_session');
  if (res.statusCode !== 303 || !session)
    throw new Error(`sign-in failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const cookie = `repute_session=${session.value}`;
  const overview = await app.inject({ url: '/review', headers: { cookie } });
  const s: PageSession = {
    csrf: csrfIn(overview.body),
    cookie,
    get: async (url) => {
      const r = await app.inject({ url, headers: { cookie } });
      return {
        status: r.statusCode,
        body: r.body,
        location: r.headers.location as string | undefined,
        headers: r.headers,
      };
    },
    post: async (url, fields) => {
      const r = await app.inject({
        method: 'POST',
        url,
        headers: { 'content-type': FORM, cookie },
        payload: form({ _csrf: s.csrf, ...fields }),
      });
      return { status: r.statusCode, body: r.body, location: r.headers.location as string | undefined };
    },
  };
  return s;
}
