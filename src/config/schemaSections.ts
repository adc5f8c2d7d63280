/**
 * Sections of the configuration schema (schema.ts), kept apart so that each file stays short.
 * The annotations (`x-example`, `x-warning`, ...) are schema.ts's.
 */

/** What drift compares each version's recent values with. */
export const DRIFT_BASELINES = ['trailing', 'previous_version'] as const;
export type DriftBaseline = (typeof DRIFT_BASELINES)[number];

/** `init_config`: settings for the whole process. */
export const INIT_CONFIG = {
  description: 'Settings for the whole process.',
  type: ['object', 'null'],
  additionalProperties: false,
  default: {},
  properties: {
    log_level: {
      description: 'Lowest level written to the log: debug, info, warn or error.',
      enum: ['debug', 'info', 'warn', 'error'],
      default: 'info',
    },
    log_format: {
      description: 'json (one JSON object per line), pretty (human-readable), or auto (pretty on a terminal, else json).',
      enum: ['auto', 'json', 'pretty'],
      default: 'auto',
    },
    telemetry_interval_seconds: {
      description: 'How often the forwarder sends its own telemetry, consumer lag and the service check.',
      type: 'number',
      minimum: 1,
      maximum: 300,
      default: 15,
    },
    shutdown_timeout_seconds: {
      description: 'On SIGTERM/SIGINT: time allowed to finish the batch in hand, flush and commit before exiting.',
      type: 'number',
      minimum: 1,
      maximum: 600,
      default: 25,
    },
    health_port: {
      description: 'If set, serve /live and /ready on this TCP port (0 picks a free port) for container platforms.',
      type: 'integer',
      minimum: 0,
      maximum: 65535,
      'x-example': 8080,
    },
    health_host: {
      description: 'Address the health endpoint binds to.',
      type: 'string',
      minLength: 1,
      default: '127.0.0.1',
    },
    status_socket_dir: {
      description:
        'Directory of the Unix socket that `algorithmia-insights status` asks (relative to this file). Unset: the first usable of /run/algorithmia-insights, $XDG_RUNTIME_DIR/algorithmia-insights, <tmp>/algorithmia-insights-<uid>.',
      type: 'string',
      minLength: 1,
      'x-example': '/run/algorithmia-insights',
    },
  },
} as const;

/** `instances[].cardinality`. */
export const CARDINALITY = {
  description: 'Guard against algorithms that invent metric names or versions without bound.',
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    max_metric_names_per_algorithm: {
      description: 'Distinct metric names per algorithm_name within the window; more are dropped.',
      type: 'integer',
      minimum: 1,
      default: 50,
    },
    max_algorithms: {
      description: 'Distinct algorithm_name values within the window; the values of more are tagged algorithm_name:overflow.',
      type: 'integer',
      minimum: 1,
      default: 1000,
    },
    max_versions_per_algorithm: {
      description: 'Distinct algorithm_version values per algorithm_name within the window; more are tagged overflow.',
      type: 'integer',
      minimum: 1,
      default: 50,
    },
    window_seconds: {
      description: 'Rolling window over which distinct algorithms, names and versions are counted.',
      type: 'integer',
      minimum: 60,
      default: 3600,
    },
  },
} as const;

/** `instances[].drift`. */
export const DRIFT = {
  description: 'Model drift: how far the recent values of each numeric field of an algorithm version have moved from a baseline (PSI), sent as gauges.',
  type: 'object',
  additionalProperties: false,
  default: {},
  'x-warning': 'every algorithm version x field x baseline reported is one more custom metric.',
  properties: {
    enabled: { description: 'Compute and report drift scores (PSI); false turns the scores off (field health goes on unless field_health is false).', type: 'boolean', default: true },
    field_health: {
      description: 'Field health: per algorithm version x field, the share of executions whose value was missing (absent, null, a string, not finite), sent while at least 1% (algorithmia.quality.*); on drift\'s windows, baselines and state file.',
      type: 'boolean',
      default: true,
    },
    interval_seconds: { description: 'How often drift scores and field health are reported.', type: 'integer', minimum: 1, default: 60 },
    baselines: {
      description: "What each version's recent values are compared with: trailing (its own earlier values), previous_version (the algorithm's previous version).",
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: [...DRIFT_BASELINES] },
      default: [...DRIFT_BASELINES],
    },
    min_samples: { description: 'Values each side of a comparison (recent and baseline) needs before a score is reported (field health: executions).', type: 'integer', minimum: 1, default: 500 },
    max_series: { description: 'Series tracked (algorithm version x field), by drift and field health together; beyond it new series are counted, not tracked.', type: 'integer', minimum: 1, default: 1000 },
    state_file: {
      description: "If set, drift state is written to this file atomically every few minutes and at shutdown, and read at start. One file per instance; relative to this file's folder.",
      type: 'string',
      minLength: 1,
      'x-example': '/var/lib/algorithmia-insights/drift-insights.json',
    },
  },
} as const;

/** Most group values a fairness check reports (any other value is the group `other`). */
export const MAX_FAIRNESS_GROUPS = 10;
/** A group value as the message has it: a string or a number. */
const GROUP_VALUE = { type: ['string', 'number'], minLength: 1 } as const;

/** `instances[].fairness`: model bias checks (demographic parity), off until a check is configured. */
export const FAIRNESS = {
  description:
    "Model bias: per algorithm version, each group's rate of positive outcomes in drift's current window and its ratio to a reference group (disparate impact), sent as gauges (algorithmia.fairness.*). One entry per check; on drift's windows, interval and state file.",
  type: 'array',
  default: [],
  'x-warning': 'every algorithm version x check x group reported is up to three more custom metrics; group values become tag values.',
  'x-example': [
    { name: 'approval_by_age', outcome: 'approved', group_field: 'age_band', groups: ['under_25', '25_to_60', 'over_60'], reference_group: '25_to_60', min_group_executions: 1000, algorithms: ['loan_approval'] },
  ],
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name', 'outcome', 'group_field', 'groups', 'reference_group'],
    properties: {
      name: { description: 'Name of the check, unique within the instance: the tag check:<name>.', type: 'string', minLength: 1, 'x-example': 'approval_by_age' },
      outcome: { description: 'The field that carries the outcome (a boolean or a number).', type: 'string', minLength: 1, 'x-example': 'approved' },
      positive_above: { description: 'An outcome above this is positive (default 0.5: true is positive, false is not). Not with positive_below.', type: 'number', 'x-example': 0.5 },
      positive_below: { description: 'Instead of positive_above: an outcome below this is positive (for "approved when the risk is low").', type: 'number', 'x-example': 0.2 },
      group_field: {
        description: 'The field that carries the group (a string or a number). For the algorithms of the check it is read for the check only: not sent as a metric, not a tag.',
        type: 'string',
        minLength: 1,
        'x-example': 'age_band',
      },
      groups: {
        description: 'The group values to report, as they appear in messages; any other value counts as the group other. Each becomes a tag value group:<value>.',
        type: 'array',
        minItems: 1,
        maxItems: MAX_FAIRNESS_GROUPS,
        items: GROUP_VALUE,
        'x-example': ['under_25', '25_to_60', 'over_60'],
      },
      reference_group: { description: 'The group the others are compared with: one of groups.', ...GROUP_VALUE, 'x-example': '25_to_60' },
      min_group_executions: {
        description: "Executions a group needs in the window before its rate is sent (and the reference group's before a ratio is): small groups are noisy.",
        type: 'integer',
        minimum: 1,
        default: 1000,
      },
      algorithms: {
        description: 'The algorithm names the check applies to (default: every algorithm).',
        type: 'array',
        minItems: 1,
        uniqueItems: true,
        items: { type: 'string', minLength: 1 },
        'x-example': ['loan_approval'],
      },
    },
  },
} as const;
