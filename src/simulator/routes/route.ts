/** What a handler sees of a request. */
export interface RouteContext {
  method: string;
  /** Path without the query string, e.g. `/contacts/abc/tags`. */
  path: string;
  /** `:name` segments of the route's path. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** Parsed JSON body (undefined when there is none). */
  body: unknown;
  /** The `Intercom-Version` in force for this request. */
  version: string;
  requestId: string;
  /** `http://host:port` as the client addressed the simulator (for `pages.next` URLs). */
  origin: string;
  /** The app (token) the request authenticated as. */
  app: string;
}

export interface RouteResult {
  status?: number;
  body: unknown;
  /** Extra response headers. */
  headers?: Record<string, string>;
  /** Stream the body as NDJSON lines instead of one JSON document. */
  lines?: Iterable<unknown>;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE' | 'PUT';
  /** Path template with `:name` segments. */
  path: string;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
  /** Oldest API version that has this endpoint. */
  minVersion?: string;
}

export interface CompiledRoute extends Route {
  regex: RegExp;
  names: string[];
  /** Stats label, e.g. `GET /contacts/{id}/tags`. */
  label: string;
}

export function compileRoute(route: Route): CompiledRoute {
  const names: string[] = [];
  const pattern = route.path
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/:([a-z_]+)/g, (_m, name: string) => {
      names.push(name);
      return '([^/]+)';
    });
  return {
    ...route,
    regex: new RegExp(`^${pattern}/?$`),
    names,
    label: `${route.method} ${route.path.replace(/:([a-z_]+)/g, '{$1}')}`,
  };
}

/** Versions Intercom accepts in the `Intercom-Version` header. */
export const KNOWN_VERSIONS: readonly string[] = [
  ...['1.0', '1.1', '1.2', '1.3', '1.4'],
  ...Array.from({ length: 17 }, (_, k) => `2.${k}`),
  'Preview',
  'Unstable',
];

function rank(version: string): number {
  if (version === 'Preview' || version === 'Unstable') return Number.POSITIVE_INFINITY;
  const [major, minor] = version.split('.').map(Number);
  return (major ?? 0) * 1000 + (minor ?? 0);
}

export function versionAtLeast(version: string, minimum: string): boolean {
  return rank(version) >= rank(minimum);
}
