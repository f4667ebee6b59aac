import type { RunningSimulator } from '../../src/simulator/index.js';

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or the raw text when the body is not JSON. */
  body: unknown;
  text: string;
}

/** One real HTTP request to the simulator, as a client of Intercom's API would send it. */
export async function api(
  sim: RunningSimulator,
  path: string,
  options: {
    method?: string;
    body?: unknown;
    version?: string;
    token?: string | null;
    headers?: Record<string, string>;
  } = {},
): Promise<ApiResponse> {
  const headers: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (options.token !== null) headers.Authorization = `Bearer ${options.token ?? sim.token}`;
  if (options.version) headers['Intercom-Version'] = options.version;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path.startsWith('http') ? path : `${sim.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** `GET /_simulator/truth/{stream}` parsed. */
export async function truth(sim: RunningSimulator, stream: string): Promise<Array<Record<string, unknown>>> {
  const res = await api(sim, `/_simulator/truth/${stream}`);
  if (res.status !== 200) throw new Error(`truth ${stream}: ${res.status} ${res.text}`);
  return res.text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
