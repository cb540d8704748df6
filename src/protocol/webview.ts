/**
 * Messages between the extension host and its webviews (sidebar view, results panel). Types and
 * small guards only; both the host and the webview bundles import this file.
 * Naming by direction: `command` = webview -> host, `notification` = host -> webview.
 * Every message from a webview is checked on arrival by the host (it is untrusted input).
 */
import type { ResultsFile } from './results';

// ---- Results panel ---------------------------------------------------------------------------

/** Host -> results webview. Complete snapshots, never deltas. */
export type ResultsNotification =
  /** One run, or several for comparison (first is the reference). */
  | { type: 'results/show'; runs: ResultsFile[] }
  /** Live training curve while a run trains (the whole curve so far). */
  | { type: 'results/trainingCurve'; runId: string; points: import('./results').TrainingPoint[] }
  /** Answer to `results/requestSession`. */
  | { type: 'results/sessionDetail'; detail: SessionDetail };

export interface SessionDetail {
  runId: string;
  sessionId: string;
  condition: string;
  prompt: string;
  hintId?: string;
  hintText?: string;
  answer: string;
  ranking: string[];
  targetTitle: string;
  targetRank: number | null;
}

/** Results webview -> host. */
export type ResultsCommand =
  | { type: 'results/ready' }
  | { type: 'results/requestSession'; runId: string; sessionId: string; condition: string }
  | { type: 'results/openHint'; hintId: string }
  | { type: 'results/export'; runId: string; format: 'csv' | 'latex' | 'json' }
  | { type: 'results/compareRuns' }
  /** One session's prompt and answer in this condition against no-hint's, in the prompt diff panel. */
  | { type: 'results/comparePrompts'; runId: string; sessionId: string; condition: string }
  /** Name, star or annotate a shown run (only the fields present change). Host replies with a fresh `results/show`. */
  | { type: 'results/updateRun'; runId: string; name?: string; starred?: boolean; notes?: string };

const RESULTS_COMMANDS = new Set(['results/ready', 'results/requestSession', 'results/openHint', 'results/export', 'results/compareRuns', 'results/comparePrompts', 'results/updateRun']);

/** Longest run name and notes accepted (checked on arrival, by the CLI and by updateRunInfo). */
export const RUN_INFO_LIMITS = { name: 200, notes: 5000 } as const;

/** The annotation fields of `results/updateRun`, checked: present ones bounded, at least one present. */
function asRunInfoPatch(m: Record<string, unknown>): { name?: string; starred?: boolean; notes?: string } | undefined {
  const patch: { name?: string; starred?: boolean; notes?: string } = {};
  if (m.name !== undefined) {
    if (typeof m.name !== 'string' || m.name.length > RUN_INFO_LIMITS.name) return undefined;
    patch.name = m.name;
  }
  if (m.starred !== undefined) {
    if (typeof m.starred !== 'boolean') return undefined;
    patch.starred = m.starred;
  }
  if (m.notes !== undefined) {
    if (typeof m.notes !== 'string' || m.notes.length > RUN_INFO_LIMITS.notes) return undefined;
    patch.notes = m.notes;
  }
  return Object.keys(patch).length ? patch : undefined;
}

/** Checks a message from the results webview; returns it typed, or undefined if malformed. */
export function asResultsCommand(msg: unknown): ResultsCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  if (typeof m.type !== 'string' || !RESULTS_COMMANDS.has(m.type)) return undefined;
  const str = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0 && (m[k] as string).length < 500;
  switch (m.type) {
    case 'results/ready':
    case 'results/compareRuns':
      return { type: m.type };
    case 'results/requestSession':
      return str('runId') && str('sessionId') && str('condition')
        ? { type: 'results/requestSession', runId: m.runId as string, sessionId: m.sessionId as string, condition: m.condition as string }
        : undefined;
    case 'results/comparePrompts':
      return str('runId') && str('sessionId') && str('condition')
        ? { type: 'results/comparePrompts', runId: m.runId as string, sessionId: m.sessionId as string, condition: m.condition as string }
        : undefined;
    case 'results/openHint':
      return str('hintId') ? { type: 'results/openHint', hintId: m.hintId as string } : undefined;
    case 'results/export':
      return str('runId') && (m.format === 'csv' || m.format === 'latex' || m.format === 'json')
        ? { type: 'results/export', runId: m.runId as string, format: m.format }
        : undefined;
    case 'results/updateRun': {
      const patch = str('runId') ? asRunInfoPatch(m) : undefined;
      return patch ? { type: 'results/updateRun', runId: m.runId as string, ...patch } : undefined;
    }
    default:
      return undefined;
  }
}

// ---- Sidebar view ------------------------------------------------------------------------------
// Defined by the extension module (SidebarNotification / SidebarCommand) below this line.

/** What the sidebar shows about one dataset the host found in the workspace. */
export interface SidebarDataset {
  /** Stable id: the absolute path of the config file or folder. */
  id: string;
  label: string;
  /** Workspace-relative path for display. */
  path: string;
  kind: 'config' | 'folder' | 'example';
}

export type JobKind = 'reflect' | 'train' | 'evaluate' | 'run' | 'demo' | 'tryHint';
export type JobStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface SidebarJob {
  id: string;
  kind: JobKind;
  label: string;
  status: JobStatus;
  /** Steps or sessions done and planned (absent when unknown). */
  done?: number;
  total?: number;
  message: string;
  calls?: number;
  cost?: number;
  /** Training: latest mean reward and the whole curve so far. */
  reward?: number;
  curve?: import('./results').TrainingPoint[];
  runDir?: string;
  /** The run folder's name, shown on the card (which run Resume continues). */
  runId?: string;
  /** True when a Resume action applies (interrupted or cancelled training). */
  resumable?: boolean;
}

export interface SidebarRun {
  id: string;
  label: string;
  hasResults: boolean;
}

/**
 * The parameters the sidebar edits: each is one setting of the settings table
 * (src/core/config/defaults.ts), named by its key, so a parameter is this one entry. Its default,
 * minimum and maximum come from the table (the host sends them in `SidebarState.paramLimits`);
 * a test checks that every key is a setting and that `options` is its enum.
 */
export const SIDEBAR_PARAMS = [
  { key: 'reflection.targetHints', label: 'Target hints', action: 'reflect' },
  { key: 'reflection.maxCalls', label: 'Max LLM calls', action: 'reflect' },
  { key: 'agent.steps', label: 'Training steps', action: 'train' },
  { key: 'agent.preset', label: 'Agent preset', action: 'train', options: ['bandit', 'paper'] },
  { key: 'evaluation.testSample', label: 'Test sessions (0 = all)', action: 'evaluate' },
] as const;

type SidebarParamEntry = (typeof SIDEBAR_PARAMS)[number];
export type SidebarParamKey = SidebarParamEntry['key'];
/** Keys of the integer parameters (the others choose among `options`). */
export type NumericParamKey = Exclude<SidebarParamEntry, { options: unknown }>['key'];

/** Values of the sidebar's parameters, by setting key. */
export type SidebarParams = {
  [E in SidebarParamEntry as E['key']]: E extends { options: readonly (infer O)[] } ? O : number;
};

/** Range of each integer parameter, from the settings table. */
export type SidebarParamLimits = Record<NumericParamKey, { minimum?: number; maximum?: number }>;

export interface SidebarState {
  /** False in Restricted Mode: no LLM call or training starts, workspace endpoint settings ignored. */
  trusted: boolean;
  workspaceOpen: boolean;
  datasets: SidebarDataset[];
  selectedDataset?: string;
  endpoint: {
    baseUrl: string;
    model: string;
    keySource: 'secret' | 'env' | 'none';
    /** Jobs use the simulated LLM, started on this machine for each job (no key). */
    simulated: boolean;
    /** False for the simulator and endpoints on this machine: no API key is needed. */
    keyNeeded: boolean;
    /** Workspace-level settings ignored because the workspace is not trusted. */
    ignored: string[];
  };
  kb?: {
    path: string; hints: number; enabled: number; stale: boolean; staleReason?: string; errors: number;
    /** Set when the file is not a usable KB: 'parse' (JSON syntax), 'schema' (valid JSON, not a KB). */
    invalid?: 'parse' | 'schema';
  };
  params: SidebarParams;
  paramLimits: SidebarParamLimits;
  /** Warnings about the user's setup (KB size, candidate sets, test sample), as sentences. */
  warnings: string[];
  jobs: SidebarJob[];
  runs: SidebarRun[];
  /** Batch API batches not finished yet, from the runs folder's batches.json files (issue 13). */
  batches?: SidebarBatch[];
}

/** One pending batch as its batches.json last recorded it (src/core/llm/batchExecutor.ts BatchRecord). */
export interface SidebarBatch {
  id: string;
  status: string;
  total: number;
  completed: number;
  failed: number;
  createdAt: string;
  /** The batches.json it is listed in, relative to the runs folder ("batches.json" or "<run>/batches.json"). */
  file: string;
}

/** Host -> sidebar webview. Complete snapshots, never deltas. */
export type SidebarNotification = { type: 'sidebar/state'; state: SidebarState };

/** Palette commands the sidebar may trigger (a closed list: the webview cannot run arbitrary commands). */
export const SIDEBAR_HOST_COMMANDS = [
  'setApiKey', 'clearApiKey', 'selectEndpoint', 'openKb', 'validateKb', 'openResults', 'compareRuns',
  'startDemo', 'importDataset', 'openDataset', 'manageTrust', 'showLog', 'openRunsTable',
] as const;
export type SidebarHostCommand = (typeof SIDEBAR_HOST_COMMANDS)[number];
export type SidebarAction = 'reflect' | 'train' | 'evaluate' | 'run';

/** Sidebar webview -> host. */
export type SidebarCommand =
  | { type: 'sidebar/ready' }
  | { type: 'sidebar/selectDataset'; id: string }
  | { type: 'sidebar/start'; action: SidebarAction; params: SidebarParams }
  | { type: 'sidebar/cancelJob'; jobId: string }
  | { type: 'sidebar/resumeJob'; jobId: string }
  | { type: 'sidebar/openRun'; runId: string }
  | { type: 'sidebar/command'; command: SidebarHostCommand };

const SIDEBAR_ACTIONS = new Set<string>(['reflect', 'train', 'evaluate', 'run']);
const HOST_COMMANDS = new Set<string>(SIDEBAR_HOST_COMMANDS);

/**
 * The shape of the parameters, checked on arrival: every key present, integers non-negative and
 * safe, options from the list. (The host then checks each value against its setting's range.)
 */
function asSidebarParams(v: unknown): SidebarParams | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const p = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const e of SIDEBAR_PARAMS) {
    const x = p[e.key];
    if ('options' in e) {
      if (typeof x !== 'string' || !(e.options as readonly string[]).includes(x)) return undefined;
    } else if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 0) return undefined;
    out[e.key] = x;
  }
  return out as SidebarParams;
}

/** Checks a message from the sidebar webview; returns it typed (extra fields dropped), or undefined if malformed. */
export function asSidebarCommand(msg: unknown): SidebarCommand | undefined {
  if (!msg || typeof msg !== 'object') return undefined;
  const m = msg as Record<string, unknown>;
  const str = (k: string) => typeof m[k] === 'string' && (m[k] as string).length > 0 && (m[k] as string).length < 4096;
  switch (m.type) {
    case 'sidebar/ready':
      return { type: 'sidebar/ready' };
    case 'sidebar/selectDataset':
      return str('id') ? { type: m.type, id: m.id as string } : undefined;
    case 'sidebar/cancelJob':
    case 'sidebar/resumeJob':
      return str('jobId') ? { type: m.type, jobId: m.jobId as string } : undefined;
    case 'sidebar/openRun':
      return str('runId') ? { type: m.type, runId: m.runId as string } : undefined;
    case 'sidebar/start': {
      const params = asSidebarParams(m.params);
      return typeof m.action === 'string' && SIDEBAR_ACTIONS.has(m.action) && params
        ? { type: m.type, action: m.action as SidebarAction, params }
        : undefined;
    }
    case 'sidebar/command':
      return typeof m.command === 'string' && HOST_COMMANDS.has(m.command) ? { type: m.type, command: m.command as SidebarHostCommand } : undefined;
    default:
      return undefined;
  }
}
