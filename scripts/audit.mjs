#!/usr/bin/env node
/**
 * Audits the runtime dependencies: `npm audit --omit=dev --audit-level=high --json`.
 *
 *   node scripts/audit.mjs
 *
 * Exit 1 when npm reports any high or critical advisory in a runtime dependency (each is listed).
 * When the advisory endpoint cannot be asked (offline, or a registry mirror that answers the audit
 * request with HTTP 405, as the one this project is developed behind does), one plain line says the
 * audit could not run and why, and the exit code is 0: an unreachable endpoint is not a finding.
 */
import { spawnSync } from 'node:child_process';

const result = spawnSync('npm', ['audit', '--omit=dev', '--audit-level=high', '--json'], {
  encoding: 'utf8',
  timeout: 120_000,
  maxBuffer: 64 * 1024 * 1024,
});

/** Why the audit could not run, in a few words, from npm's JSON error or the process result. */
function reasonOf(report) {
  if (result.error) return result.error.message;
  if (report?.statusCode)
    return `the advisory endpoint answered HTTP ${report.statusCode} (${report.uri ?? 'npm audit'})`;
  if (report?.error)
    return [report.error.code, report.error.summary].filter(Boolean).join(': ') || 'npm reported an error';
  if (report?.message) return report.message;
  const text = `${result.stderr ?? ''}`
    .trim()
    .split('\n')
    .find((l) => l.trim() !== '');
  return text ?? `npm audit exited ${result.status} without a report`;
}

let report;
try {
  report = JSON.parse(result.stdout);
} catch {
  report = undefined;
}

const vulnerabilities = report?.metadata?.vulnerabilities;
if (!vulnerabilities || report.error || report.statusCode) {
  console.log(
    `npm audit could not run: ${reasonOf(report)}; runtime dependencies were not checked for advisories.`,
  );
  process.exit(0);
}

const serious = Object.values(report.vulnerabilities ?? {}).filter(
  (v) => v.severity === 'high' || v.severity === 'critical',
);
if (serious.length > 0) {
  console.log(`npm audit: ${serious.length} runtime dependencies with high or critical advisories:`);
  for (const v of serious) {
    const titles = (v.via ?? [])
      .filter((via) => typeof via === 'object')
      .map((via) => `${via.title} (${via.url})`);
    console.log(`  ${v.name} ${v.range} [${v.severity}]${titles.length ? `: ${titles.join('; ')}` : ''}`);
  }
  process.exit(1);
}
const total = report.metadata.dependencies?.prod ?? report.metadata.dependencies?.total ?? '?';
console.log(
  `npm audit: no high or critical advisories in runtime dependencies (${total} packages; ${vulnerabilities.moderate ?? 0} moderate, ${vulnerabilities.low ?? 0} low).`,
);
