/**
 * What a million webhooks cost, from the prices in bench/prices.ts: pure
 * functions, no timing. bench/run.ts feeds it the measured billed duration and
 * writes `cost.per_million_usd` (the defaults); docs/costs.md shows the table
 * of every setting combination, and a test keeps the two the same.
 *
 * One webhook is one API Gateway request, one Lambda invocation, one PutEvents
 * entry, its log lines (the function's request line, Lambda's platform lines,
 * the API access line), and, with the settings on, one archived event and one
 * event-log line. Failures (dead letters, SQS) are left out: at a normal rate
 * they cost nothing measurable.
 */
import { FULL_VCPU_MEMORY_MB } from './cpu-share';
import { PRICES, type Prices } from './prices';

/** What decides the cost of a webhook. Bytes are per webhook. */
export interface CostInput {
  /** The front door (`apiType`). */
  readonly apiType: 'http' | 'rest';
  /** Whether the event-log rule copies each event to CloudWatch Logs (`eventLog`). */
  readonly eventLog: boolean;
  /** Whether the bus archives each event (`archive`). */
  readonly archive: boolean;
  /** Memory of the ingest function, MB (lib/function.ts FUNCTION_MEMORY_MB). */
  readonly memoryMb: number;
  /** Mean billed duration of an ingest invocation, ms (measured: Lambda bills by the 1 ms). */
  readonly billedMs: number;
  /** Size of the event as EventBridge carries it (envelope and detail), bytes: what the archive and the event log count. */
  readonly eventBytes: number;
  /** The function's log line(s) per webhook, bytes (lambda/shared/log.ts logRequest); 0 when they are not kept. */
  readonly requestLogBytes: number;
  /** Lambda's own START, END and REPORT lines per invocation, bytes; 0 when the system log level drops them. */
  readonly platformLogBytes: number;
  /** The API access log line, bytes. */
  readonly accessLogBytes: number;
  /** The request as API Gateway meters it, bytes (an HTTP API counts each 512 KB as a request). @default 1024 */
  readonly requestBytes?: number;
  /** X-Ray tracing (`tracing`): every request traced, at worst. @default false */
  readonly tracing?: boolean;
  /** An AWS WAF web ACL on the REST API (`webAclArn`): its per-request price only. @default false */
  readonly waf?: boolean;
}

export interface CostLine {
  /** What is paid for. */
  readonly item: string;
  /** USD per million webhooks. */
  readonly usd: number;
  /** How it was worked out. */
  readonly basis: string;
}

export interface CostPerMillion {
  /** USD per million webhooks, the sum of `lines`. */
  readonly total: number;
  readonly lines: readonly CostLine[];
}

/**
 * Sizes measured in this repository (bench inputs until the run measures its own):
 * ComputerCheckIn, the event a fleet sends most (every 15 minutes per Mac).
 */
export const MEASURED_SIZES = {
  /** The jamf.ComputerCheckIn event from test/fixtures, as EventBridge delivers it (envelope included). */
  eventBytes: 1113,
  /** The ingest function's `published` line for it (JSON with the embedded-metric block), newline included. */
  requestLogBytes: 563,
  /** Lambda's text-format START (~71), END (~51) and REPORT (~130) lines. */
  platformLogBytes: 252,
  /** The HTTP API access line (lib/http-webhook-api.ts accessLogFormat) with typical values. */
  httpAccessLogBytes: 170,
  /** The REST API access line (lib/webhook-api.ts, 16 fields) with typical values. */
  restAccessLogBytes: 520,
} as const;

/**
 * How long PutEvents takes from a function in the bus's region, ms: the part of the billed
 * duration this machine cannot measure. EventBridge answers in-region in roughly 10-20 ms;
 * each 10 ms more adds about $0.07 per million webhooks at 512 MB.
 */
export const ASSUMED_PUT_EVENTS_ROUND_TRIP_MS = 15;

/**
 * The billed duration of a warm webhook at `memoryMb`: the CPU it takes on a full core
 * (measured by the bench), stretched to the share Lambda gives that memory, plus PutEvents'
 * round trip; Lambda bills by the whole millisecond.
 */
export function billedMsAt(cpuMsOnFullCore: number, memoryMb: number): number {
  return Math.ceil((cpuMsOnFullCore * FULL_VCPU_MEMORY_MB) / memoryMb + ASSUMED_PUT_EVENTS_ROUND_TRIP_MS);
}

/** Log lines per webhook of each kind, for the per-event overhead. */
const PLATFORM_LINES = 3;

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;

/** USD per million webhooks for `input`, line by line. */
export function costPerMillion(input: CostInput, prices: Prices = PRICES): CostPerMillion {
  const perGb = (bytes: number) => (bytes * 1e6) / prices.bytesPerGb;
  const logged = (bytes: number, lines: number) => (bytes > 0 ? bytes + lines * prices.logEventOverheadBytes : 0);
  const requestUnits = Math.max(1, Math.ceil((input.requestBytes ?? 1024) / prices.httpApiMeteringBytes));
  const eventUnits = Math.max(1, Math.ceil(input.eventBytes / prices.eventBridgeMeteringBytes));
  const gbSeconds = (input.memoryMb / 1024) * (input.billedMs / 1000);
  const lines: CostLine[] = [
    input.apiType === 'http'
      ? { item: 'API Gateway HTTP API', usd: prices.httpApiPerMillion * requestUnits, basis: `$${prices.httpApiPerMillion}/M requests × ${requestUnits}` }
      : { item: 'API Gateway REST API', usd: prices.restApiPerMillion, basis: `$${prices.restApiPerMillion}/M requests` },
    { item: 'Lambda requests', usd: prices.lambdaRequestsPerMillion, basis: `$${prices.lambdaRequestsPerMillion}/M` },
    {
      item: 'Lambda duration',
      usd: 1e6 * gbSeconds * prices.lambdaArmPerGbSecond,
      basis: `${input.memoryMb} MB × ${input.billedMs} ms billed × $${prices.lambdaArmPerGbSecond}/GB-s`,
    },
    { item: 'EventBridge PutEvents', usd: prices.eventBridgeEventsPerMillion * eventUnits, basis: `$${prices.eventBridgeEventsPerMillion}/M × ${eventUnits} (64 KB units)` },
    {
      item: 'CloudWatch Logs: function request line',
      usd: perGb(logged(input.requestLogBytes, 1)) * prices.logsIngestPerGb,
      basis: `${logged(input.requestLogBytes, 1)} B × $${prices.logsIngestPerGb}/GB`,
    },
    {
      item: 'CloudWatch Logs: Lambda platform lines',
      usd: perGb(logged(input.platformLogBytes, PLATFORM_LINES)) * prices.logsIngestPerGb,
      basis: `${logged(input.platformLogBytes, PLATFORM_LINES)} B × $${prices.logsIngestPerGb}/GB`,
    },
    {
      item: 'CloudWatch Logs: API access line',
      usd: perGb(logged(input.accessLogBytes, 1)) * prices.logsIngestPerGb,
      basis: `${logged(input.accessLogBytes, 1)} B × $${prices.logsIngestPerGb}/GB`,
    },
  ];
  if (input.archive) {
    lines.push({ item: 'EventBridge archive', usd: perGb(input.eventBytes) * prices.archivePerGb, basis: `${input.eventBytes} B × $${prices.archivePerGb}/GB` });
  }
  if (input.eventLog) {
    const bytes = logged(input.eventBytes, 1);
    lines.push({ item: 'CloudWatch Logs: event log', usd: perGb(bytes) * prices.logsIngestPerGb, basis: `${bytes} B × $${prices.logsIngestPerGb}/GB` });
  }
  if (input.tracing) lines.push({ item: 'X-Ray traces', usd: prices.xrayTracesPerMillion, basis: `$${prices.xrayTracesPerMillion}/M, every request traced` });
  if (input.waf) {
    if (input.apiType !== 'rest') throw new Error('WAF needs apiType rest: an HTTP API cannot have a web ACL');
    lines.push({ item: 'AWS WAF requests', usd: prices.wafRequestsPerMillion, basis: `$${prices.wafRequestsPerMillion}/M (plus $${prices.wafWebAclPerMonth}/month and $${prices.wafRulePerMonth}/rule/month)` });
  }
  const rounded = lines.map((line) => ({ ...line, usd: round(line.usd) }));
  return { total: round(rounded.reduce((sum, line) => sum + line.usd, 0)), lines: rounded };
}

/** The ingest memory sizes the cost table shows (lib/function.ts FUNCTION_MEMORY_MB is chosen among them). */
export const MEMORY_CANDIDATES_MB = [256, 512, 1024] as const;

/** Which function log lines a deployment keeps: a line per published webhook too (`logPublishedWebhooks`), or failures and refusals only (the default). */
export type FunctionLogs = 'all' | 'failures';

/** One combination of settings, and what a million webhooks cost with it. */
export interface CostRow {
  readonly apiType: 'http' | 'rest';
  readonly eventLog: boolean;
  readonly archive: boolean;
  readonly memoryMb: number;
  readonly functionLogs: FunctionLogs;
  readonly total: number;
}

/** What the enumeration takes besides the settings: the measured billed duration per memory size, and sizes. */
export interface CostTableInput {
  /** Mean billed ms at each memory size; a size without a figure is left out. */
  readonly billedMsByMemory: Readonly<Record<number, number>>;
  readonly sizes?: Partial<typeof MEASURED_SIZES>;
}

/** The input of one combination, with the sizes measured (or given). */
export function costInput(
  settings: { apiType: 'http' | 'rest'; eventLog: boolean; archive: boolean; memoryMb: number; functionLogs: FunctionLogs },
  billedMs: number,
  sizes: Partial<typeof MEASURED_SIZES> = {},
): CostInput {
  const s = { ...MEASURED_SIZES, ...sizes };
  const all = settings.functionLogs === 'all';
  return {
    apiType: settings.apiType,
    eventLog: settings.eventLog,
    archive: settings.archive,
    memoryMb: settings.memoryMb,
    billedMs,
    eventBytes: s.eventBytes,
    requestLogBytes: all ? s.requestLogBytes : 0,
    // The functions log in Lambda's JSON format at system level WARN (lib/function.ts): no START, END or REPORT lines.
    platformLogBytes: 0,
    accessLogBytes: settings.apiType === 'http' ? s.httpAccessLogBytes : s.restAccessLogBytes,
  };
}

/** Every combination of apiType × eventLog × archive × function logs × memory, with its cost per million. */
export function costTable(input: CostTableInput): CostRow[] {
  const rows: CostRow[] = [];
  for (const apiType of ['http', 'rest'] as const) {
    for (const eventLog of [false, true]) {
      for (const archive of [true, false]) {
        for (const functionLogs of ['all', 'failures'] as const) {
          for (const memoryMb of MEMORY_CANDIDATES_MB) {
            const billedMs = input.billedMsByMemory[memoryMb];
            if (billedMs === undefined) continue;
            const settings = { apiType, eventLog, archive, memoryMb, functionLogs };
            rows.push({ ...settings, total: costPerMillion(costInput(settings, billedMs, input.sizes)).total });
          }
        }
      }
    }
  }
  return rows;
}

/** The deployment defaults (lambda/contract/settings.ts, lib/function.ts), for `cost.per_million_usd`. */
export const DEFAULT_COST_SETTINGS = {
  apiType: 'http',
  eventLog: false,
  archive: true,
  functionLogs: 'failures',
} as const;

/** USD per million webhooks at the defaults, for `memoryMb` and its measured billed duration. */
export function defaultCostPerMillion(memoryMb: number, billedMs: number, sizes?: Partial<typeof MEASURED_SIZES>): CostPerMillion {
  return costPerMillion(costInput({ ...DEFAULT_COST_SETTINGS, memoryMb }, billedMs, sizes));
}

/** The table as Markdown rows, cheapest first, for docs/costs.md. */
export function costTableMarkdown(rows: readonly CostRow[]): string {
  const header = '| apiType | eventLog | archive | function logs | memory | per million |\n|---|---|---|---|---|---|';
  const body = [...rows]
    .sort((a, b) => a.total - b.total)
    .map((r) => `| ${r.apiType} | ${r.eventLog} | ${r.archive} | ${r.functionLogs} | ${r.memoryMb} MB | $${r.total.toFixed(2)} |`);
  return [header, ...body].join('\n');
}
