/**
 * The runtime's tunables: every constant that shapes timing, batching and memory, in one place
 * (as datadog-go keeps its options). Settings a user may change are config keys (the schema
 * holds their defaults); these are the ones measured and fixed here.
 */

/** First delay before reconnecting to Kafka after a failure (doubled up to `retry_max_ms`, jittered). */
export const RECONNECT_BACKOFF_BASE_MS = 500;
/** First delay before a partition whose send failed is resumed (doubled up to `retry_max_ms`). */
export const SEND_RETRY_BACKOFF_BASE_MS = 100;
/** kafkajs's own retry of a request, before the consumer reports a failure. */
export const KAFKA_RETRY_INITIAL_MS = 300;
export const KAFKA_RETRIES = 8;

/**
 * Messages per chunk: bounds memory and the work re-sent after a failed send. Against 2000: as
 * fast, less memory at the peak (the encoder thread's heap), fewer values per packed line while
 * a backlog drains (README, Performance, Memory).
 */
export const CHUNK_MESSAGES = 1000;
/**
 * Fetch queue bound, in largest per-partition fetches (decoded bytes): enough to keep both
 * threads busy while the next fetch is answered and decoded; 4 measured slower on compressed topics.
 */
export const FETCH_QUEUE_FETCHES = 8;
/** One partition batch at a time: two in parallel measured no faster and held more memory. */
export const PARTITIONS_CONCURRENTLY = 1;

/** Datagrams handed to the socket before waiting for their callbacks: a Unix socket's queue is short. */
export const SEND_WINDOW_UDP = 64;
export const SEND_WINDOW_UDS = 4;

/** The encoder worker's young generation, MB: its objects live for one chunk; a larger one held memory, not speed. */
export const WORKER_YOUNG_GENERATION_MB = 6;

/** Stamped points older than this are dropped as too_old (Datadog drops them anyway). */
export const MAX_STAMP_AGE_SECONDS = 3600;

/**
 * The steps of a stop that wait on Kafka (the last commit, leaving the group, disconnecting) are
 * waited for this long in all: a reachable broker answers in milliseconds, and an unreachable one
 * must not turn `systemctl stop` into a failure. What was not committed is read again.
 */
export const STOP_STEP_MS = 1000;
/** A step of the stop that comes after the others used up STOP_STEP_MS still gets this long. */
export const STOP_STEP_FLOOR_MS = 50;
/** The report before consuming waits this long for the lag, so a restart shows the backlog. */
export const FIRST_LAG_WAIT_MS = 5000;
/** While first joining the group, no service check is sent for at least this long. */
export const STARTING_GRACE_MS = 30_000;

/** How often the drift state is written to its state file (and at shutdown). */
export const DRIFT_SNAPSHOT_INTERVAL_MS = 5 * 60_000;

/** The main thread's young generation: at most this many MB per semi-space, however node is started. */
export const YOUNG_SEMI_SPACE_MB = 4;
