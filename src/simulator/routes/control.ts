import { HttpError } from '../errors.js';
import { HOSTILE_KINDS, type HostileKind } from '../hostile.js';
import { FAULT_KINDS, type FaultKind } from '../options.js';
import type { SimulatorStats } from '../stats.js';
import { MutationError, type MutationRequest, Workspace } from '../workspace/workspace.js';
import type { Route } from './route.js';

/** Settings that can change while the simulator runs (`POST /_simulator/config`). */
export interface LiveSettings {
  latencyMs: number;
  jitterMs: number;
  rateLimitPerMinute: number;
  faultRate: number;
  faultKinds: FaultKind[];
  slowMs: number;
  /** Routes (e.g. `POST /tickets/search`) the workspace's plan does not include: 403 api_plan_restricted. */
  restrictedRoutes: string[];
  /** When not empty, faults are injected only on these routes (e.g. `GET /conversations/{id}`). */
  faultRoutes: string[];
  scrollIdleExpirySeconds: number;
  scrollPageSize: number;
  /** Hostile response kinds being served (empty: none). */
  hostile: HostileKind[];
}

const CONFIG_FIELDS: Record<string, { key: keyof LiveSettings; min: number; max: number }> = {
  latency_ms: { key: 'latencyMs', min: 0, max: 600_000 },
  jitter_ms: { key: 'jitterMs', min: 0, max: 600_000 },
  rate_limit_per_minute: { key: 'rateLimitPerMinute', min: 6, max: 10_000_000 },
  fault_rate: { key: 'faultRate', min: 0, max: 1 },
  slow_ms: { key: 'slowMs', min: 0, max: 3_600_000 },
  scroll_idle_expiry_s: { key: 'scrollIdleExpirySeconds', min: 0, max: 86_400 },
  scroll_page_size: { key: 'scrollPageSize', min: 1, max: 1000 },
};

export function settingsJson(s: LiveSettings): Record<string, unknown> {
  return {
    latency_ms: s.latencyMs,
    jitter_ms: s.jitterMs,
    rate_limit_per_minute: s.rateLimitPerMinute,
    fault_rate: s.faultRate,
    fault_kinds: s.faultKinds,
    slow_ms: s.slowMs,
    restricted_routes: s.restrictedRoutes,
    fault_routes: s.faultRoutes,
    scroll_idle_expiry_s: s.scrollIdleExpirySeconds,
    scroll_page_size: s.scrollPageSize,
    hostile: s.hostile,
  };
}

/** Validates and applies a config change; throws HttpError 400 naming the bad field. */
export function applyConfig(settings: LiveSettings, body: unknown): void {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad_request', 'config must be a JSON object');
  const next = { ...settings };
  for (const [field, value] of Object.entries(body)) {
    if (field === 'fault_kinds') {
      if (!Array.isArray(value) || !value.every((k) => (FAULT_KINDS as readonly unknown[]).includes(k))) {
        throw new HttpError(
          400,
          'parameter_invalid',
          `fault_kinds must be a list of: ${FAULT_KINDS.join(', ')}`,
          field,
        );
      }
      next.faultKinds = value as FaultKind[];
      continue;
    }
    if (field === 'hostile') {
      const kinds = value === true ? [...HOSTILE_KINDS] : value === false ? [] : value;
      if (!Array.isArray(kinds) || !kinds.every((k) => (HOSTILE_KINDS as readonly unknown[]).includes(k))) {
        throw new HttpError(
          400,
          'parameter_invalid',
          `hostile must be true, false or a list of: ${HOSTILE_KINDS.join(', ')}`,
          field,
        );
      }
      next.hostile = kinds as HostileKind[];
      continue;
    }
    if (field === 'restricted_routes' || field === 'fault_routes') {
      if (!Array.isArray(value) || !value.every((r) => typeof r === 'string' && /^(GET|POST) \//.test(r))) {
        throw new HttpError(
          400,
          'parameter_invalid',
          `${field} must be a list of routes such as "POST /tickets/search"`,
          field,
        );
      }
      if (field === 'restricted_routes') next.restrictedRoutes = value as string[];
      else next.faultRoutes = value as string[];
      continue;
    }
    const spec = CONFIG_FIELDS[field];
    if (!spec) throw new HttpError(400, 'parameter_invalid', `unknown config field "${field}"`, field);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < spec.min || value > spec.max) {
      throw new HttpError(
        400,
        'parameter_invalid',
        `${field} must be a number from ${spec.min} to ${spec.max}`,
        field,
      );
    }
    (next[spec.key] as number) = value;
  }
  Object.assign(settings, next);
}

function mutationRequest(body: unknown): MutationRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'bad_request', 'mutation must be a JSON object');
  const allowed = new Set(['create', 'update', 'delete', 'advance_seconds']);
  for (const [key, value] of Object.entries(body)) {
    if (!allowed.has(key))
      throw new HttpError(400, 'parameter_invalid', `unknown mutation field "${key}"`, key);
    if (key === 'advance_seconds') {
      if (typeof value !== 'number')
        throw new HttpError(400, 'parameter_invalid', 'advance_seconds must be a number', key);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new HttpError(400, 'parameter_invalid', `${key} must be an object`, key);
    for (const [kind, spec] of Object.entries(value)) {
      const ok =
        (typeof spec === 'number' && Number.isInteger(spec) && spec >= 0) ||
        (key !== 'create' && Array.isArray(spec) && spec.every((s) => typeof s === 'string'));
      if (!ok)
        throw new HttpError(
          400,
          'parameter_invalid',
          `${key}.${kind} must be a count${key === 'create' ? '' : ' or a list of ids'}`,
          `${key}.${kind}`,
        );
    }
  }
  return body as MutationRequest;
}

export function controlRoutes(deps: {
  workspace: Workspace;
  stats: SimulatorStats;
  settings: LiveSettings;
  onConfig: () => void;
}): Route[] {
  return [
    {
      method: 'POST',
      path: '/_simulator/mutate',
      handler: (ctx) => {
        try {
          return { body: deps.workspace.mutate(mutationRequest(ctx.body)) };
        } catch (error) {
          if (error instanceof MutationError) throw new HttpError(400, 'parameter_invalid', error.message);
          throw error;
        }
      },
    },
    {
      method: 'GET',
      path: '/_simulator/truth/:stream',
      handler: (ctx) => {
        const stream = ctx.params.stream ?? '';
        if (!(Workspace.TRUTH_STREAMS as readonly string[]).includes(stream)) {
          throw new HttpError(
            404,
            'not_found',
            `unknown stream "${stream}"; known: ${Workspace.TRUTH_STREAMS.join(', ')}`,
          );
        }
        return { body: undefined, lines: deps.workspace.truth(stream) };
      },
    },
    { method: 'GET', path: '/_simulator/stats', handler: () => ({ body: deps.stats.toJSON() }) },
    {
      method: 'POST',
      path: '/_simulator/stats/reset',
      handler: () => {
        deps.stats.reset();
        return { body: deps.stats.toJSON() };
      },
    },
    { method: 'GET', path: '/_simulator/config', handler: () => ({ body: settingsJson(deps.settings) }) },
    {
      method: 'POST',
      path: '/_simulator/config',
      handler: (ctx) => {
        applyConfig(deps.settings, ctx.body);
        deps.onConfig();
        return { body: settingsJson(deps.settings) };
      },
    },
  ];
}
