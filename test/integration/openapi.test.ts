import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_DOCS, isApiRoute } from '../../src/http/openapi.ts';
import { createTestEnv, type TestEnv } from '../support/test-env.ts';

/** Every route of the server as METHOD /path, from fastify's own route tree. */
function routesOf(tree: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    // Children are printed relative to their parent: `/` and then `healthz`, `/v1` and then `/check`.
    const m = /^([│├└─\s]*)(\S+) \(([^)]*)\)/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/\/\/+/g, '/');
    for (const method of m[3]!.split(',').map((s) => s.trim())) out.push(`${method} ${path}`);
  }
  return out;
}

describe('the OpenAPI document of the JSON API', () => {
  let env: TestEnv;
  let doc: {
    paths: Record<
      string,
      Record<string, { summary?: string; tags?: string[]; parameters?: Array<{ name: string; in: string }> }>
    >;
  };
  let routes: string[];

  beforeAll(async () => {
    env = await createTestEnv();
    const res = await env.app.inject({ url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    doc = res.json();
    routes = routesOf(env.app.printRoutes({ commonPrefix: false }));
  });
  afterAll(async () => env?.close());

  const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

  it('lists every route of the API, with what it is for', () => {
    const api = routes.filter((r) => !r.startsWith('HEAD ') && isApiRoute(r.split(' ')[1]!));
    expect(api.length).toBeGreaterThanOrEqual(22);
    for (const route of api) {
      const [method, path] = route.split(' ') as [string, string];
      const op = doc.paths[openApiPath(path)]?.[method.toLowerCase()];
      expect(op, route).toBeDefined();
      expect(op!.summary, `${route} has no summary in API_DOCS`).toBeTruthy();
      expect(op!.tags?.length, route).toBe(1);
      for (const param of path.match(/:(\w+)/g) ?? []) {
        expect(
          op!.parameters?.some((p) => p.in === 'path' && `:${p.name}` === param),
          `${route} ${param}`,
        ).toBe(true);
      }
    }
    // And nothing it describes is gone from the server.
    for (const documented of Object.keys(API_DOCS)) expect(api, documented).toContain(documented);
  });

  it('takes the query parameters from the routes’ schemas', () => {
    const params = doc.paths['/v1/reports']!.get!.parameters!.map((p) => p.name);
    expect(params).toEqual(expect.arrayContaining(['ip', 'tenant', 'status', 'limit', 'before']));
  });

  it('leaves the web pages out', () => {
    for (const path of Object.keys(doc.paths))
      expect(isApiRoute(path.replace(/\{(\w+)\}/g, ':$1')), path).toBe(true);
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/review') || p.startsWith('/delist'))).toBe(
      false,
    );
  });

  it('has a docs page, a plain page without script', async () => {
    const res = await env.app.inject({ url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.body).not.toContain('<script');
    for (const documented of Object.keys(API_DOCS)) {
      const [method, path] = documented.split(' ') as [string, string];
      expect(res.body, documented).toContain(`<code>${method} ${openApiPath(path)}</code>`);
    }
    expect(res.body).toContain('href="/openapi.json"');
  });
});
