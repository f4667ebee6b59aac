export { VirtualClock } from './clock.js';
export { HOSTILE_KINDS, type HostileKind } from './hostile.js';
export { FAULT_KINDS, type FaultKind, SimulatorOptionError, type SimulatorOptions } from './options.js';
export { CODE_LIFETIME_SECONDS, DEFAULT_OAUTH_CLIENT, type OAuthClient } from './routes/oauth.js';
export { SCALES, type Scale, type WorkspaceCounts } from './scales.js';
export { type RunningSimulator, type SimulatorControl, startSimulator } from './server.js';
export type { MutationRequest, MutationResult } from './workspace/workspace.js';
