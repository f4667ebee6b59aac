import { DEFAULT_ACTIVITY_LOGS_STEP_DAYS } from './source-config.js';

/** Where the connector's documentation lives (also `documentationUrl` in airbyte/metadata.yaml). */
export const DOCUMENTATION_URL = 'https://github.com/intercom-sync/intercom-sync/blob/main/docs/airbyte.md';

const secret = (title: string, description: string, order: number) => ({
  type: 'string',
  title,
  description,
  airbyte_secret: true,
  order,
});

/**
 * The SPEC: Airbyte source-intercom's configuration (same keys, same OAuth wiring, so its configs
 * work unchanged) plus intercom-sync's own settings.
 */
export function airbyteSpecification(): Record<string, unknown> {
  return {
    documentationUrl: DOCUMENTATION_URL,
    supportsIncremental: true,
    connectionSpecification: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'Intercom (intercom-sync) Spec',
      type: 'object',
      required: ['start_date'],
      // The token comes flat (as Airbyte source-intercom stores it) or in a credentials object.
      anyOf: [{ required: ['access_token'] }, { required: ['credentials'] }],
      additionalProperties: true,
      properties: {
        access_token: secret(
          'Access token',
          'Access token of your Intercom app (Developer Hub → your app → Authentication). Read permissions are enough.',
          0,
        ),
        client_id: secret('Client Id', 'Client Id of your Intercom app (OAuth only).', 1),
        client_secret: secret('Client Secret', 'Client Secret of your Intercom app (OAuth only).', 2),
        start_date: {
          type: 'string',
          title: 'Start date',
          description:
            'UTC date and time in the format 2017-01-25T00:00:00Z. Records updated (activity logs: created) before it are not replicated.',
          examples: ['2020-11-16T00:00:00Z'],
          pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$',
          pattern_descriptor: 'YYYY-MM-DDTHH:mm:ssZ',
          format: 'date-time',
          order: 3,
        },
        lookback_window: {
          type: 'integer',
          title: 'Lookback window',
          description: 'Days to shift the saved cursor backward at the start of an incremental sync.',
          examples: [60],
          default: 0,
          minimum: 0,
          maximum: 3650,
          order: 4,
        },
        activity_logs_time_step: {
          type: 'integer',
          title: 'Activity logs stream slice step size (in days)',
          description:
            'Shortest time slice of the Activity Logs stream; slices are read in parallel and checkpointed page by page.',
          examples: [30, 10, 5],
          default: DEFAULT_ACTIVITY_LOGS_STEP_DAYS,
          minimum: 1,
          maximum: 91,
          order: 5,
        },
        region: {
          type: 'string',
          title: 'Region',
          description: 'Where the Intercom workspace is hosted.',
          enum: ['us', 'eu', 'au'],
          default: 'us',
          order: 6,
        },
        base_url: {
          type: 'string',
          title: 'API base URL',
          description:
            'Overrides the region: a proxy, or the intercom-sync simulator. Plain http is accepted only for loopback addresses.',
          examples: ['https://intercom-proxy.example.com', 'http://127.0.0.1:8080'],
          order: 7,
        },
        api_version: {
          type: 'string',
          title: 'Intercom API version',
          description: 'The Intercom-Version header (some streams pin their own).',
          default: '2.14',
          pattern: '^([0-9]{1,2}\\.[0-9]{1,2}|Preview|Unstable)$',
          order: 8,
        },
        max_requests_per_minute: {
          type: 'integer',
          title: 'Max requests per minute',
          description:
            "Leave rate-limit budget for the workspace's other apps (default: all of Intercom's limit, read from its headers).",
          minimum: 6,
          order: 9,
        },
        request_timeout_seconds: {
          type: 'integer',
          title: 'Request timeout (seconds)',
          description: 'Time allowed for one API request before it is retried.',
          default: 30,
          minimum: 1,
          maximum: 600,
          order: 10,
        },
        credentials: {
          type: 'object',
          title: 'Credentials',
          description:
            'Another form of the same settings, as other Airbyte sources nest them: access_token is used when the top-level one is not set.',
          airbyte_hidden: true,
          required: ['access_token'],
          properties: {
            auth_type: { type: 'string', enum: ['oauth2.0', 'access_token'] },
            client_id: secret('Client Id', 'Client Id of your Intercom app.', 0),
            client_secret: secret('Client Secret', 'Client Secret of your Intercom app.', 1),
            access_token: secret('Access token', 'Access token of your Intercom app.', 2),
          },
          order: 11,
        },
      },
    },
    advanced_auth: {
      auth_flow_type: 'oauth2.0',
      oauth_config_specification: {
        // Intercom's OAuth: https://app.intercom.com/oauth, then POST /auth/eagle/token.
        oauth_connector_input_specification: {
          consent_url:
            'https://app.intercom.com/oauth?{{client_id_key}}={{client_id_value}}&{{redirect_uri_key}}={{{{redirect_uri_value}} | urlEncoder}}&{{state_key}}={{state_value}}',
          access_token_url:
            'https://api.intercom.io/auth/eagle/token?{{client_id_key}}={{client_id_value}}&{{client_secret_key}}={{client_secret_value}}&{{auth_code_key}}={{auth_code_value}}',
          extract_output: ['access_token'],
        },
        complete_oauth_output_specification: {
          type: 'object',
          additionalProperties: true,
          properties: { access_token: { type: 'string', path_in_connector_config: ['access_token'] } },
        },
        complete_oauth_server_input_specification: {
          type: 'object',
          additionalProperties: true,
          properties: { client_id: { type: 'string' }, client_secret: { type: 'string' } },
        },
        complete_oauth_server_output_specification: {
          type: 'object',
          additionalProperties: true,
          properties: {
            client_id: { type: 'string', path_in_connector_config: ['client_id'] },
            client_secret: { type: 'string', path_in_connector_config: ['client_secret'] },
          },
        },
      },
    },
  };
}
