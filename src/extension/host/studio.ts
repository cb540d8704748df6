/**
 * The extension's controller: what the sidebar shows (one complete snapshot), the config for the
 * selected dataset, and the gates every job passes (trust, API key). Plain TypeScript over the
 * `Vs` wrappers and the `CoreApi`, so it is unit-tested without VS Code. Jobs are in ../actions/;
 * the sidebar's buttons go through the one command table (commands.ts) via `dispatch`.
 */
import { BatchWatcher } from './batches';
import { existsSync, promises as fsp } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ConfigLayer } from '../../core/config/resolve';
import { defaultConfig, type Re2llmConfig } from '../../core/config/defaults';
import { isEnabled, type HintKb } from '../../core/kb/types';
import type { Logger } from '../../core/util/log';
import type { SidebarAction, SidebarCommand, SidebarDataset, SidebarParams, SidebarState } from '../../protocol/webview';
import { datasetFacts, pilotFacts, setupWarnings, withPilot, type DatasetFacts, type PilotFacts } from '../../core/run/setupWarnings';
import { loadResults } from '../../core/report/write';
import { paramLimits, paramsLayer, paramsOf, paramValueValid } from './sidebarParams';
import { SIDEBAR_PARAMS } from '../../protocol/webview';
import { keyNeeded, SIMULATED_LLM_KEY, SIMULATED_MODEL, type LlmAccess } from '../actions/llmAccess';
import type { CoreApi } from '../coreAdapter/api';
import type { Vs } from '../vscode/types';
import { SidebarChannel } from '../sidebar/sidebarChannel';
import { ApiKeyStore, redact } from './apiKey';
import { resolveWorkspaceConfig, type WorkspaceConfig } from './config';
import { discoverDatasets, EXAMPLE_DATASET } from './datasets';
import { JobManager } from './jobs';
import { listRuns, type RunFolder } from './runs';
import { agentStaleness } from './stale';
import { requireTrust } from './trust';
import { defaultKbPath } from '../../core/run/paths';

export const SELECTED_DATASET_KEY = 're2llm.selectedDataset';
/**
 * The sidebar parameters the user changed, by setting key (a diff against the resolved config).
 * Older keys held them under other names ('re2llm.sidebarParams', '…Changed'): they are ignored.
 */
export const PARAMS_KEY = 're2llm.sidebarParamsBySetting';

/** The palette command each sidebar action button runs. */
export const ACTION_COMMANDS: Record<SidebarAction, string> = { reflect: 're2llm.reflect', train: 're2llm.train', evaluate: 're2llm.evaluate', run: 're2llm.runPipeline' };

/** Runs a command of the command table by id (commands.ts). */
export type Dispatch = (id: string, ...args: unknown[]) => Promise<void> | void;

/** The results panel as the controller sees it (implemented over WebviewPanel in results/). */
export interface ResultsView {
  showRuns(runDirs: string[]): Promise<void>;
  trainingCurve(runId: string, points: import('../../protocol/results').TrainingPoint[]): void;
}

export class Studio {
  readonly keys: ApiKeyStore;
  readonly jobs: JobManager;
  readonly batches: BatchWatcher;
  readonly sidebar: SidebarChannel;
  datasets: SidebarDataset[] = [];
  results: ResultsView | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  /** The parameters in the last snapshot sent to the sidebar (what the user saw and edited). */
  private shownParams: SidebarParams | undefined;
  /** Facts about the selected dataset for the setup warnings, loaded once per dataset path. */
  private facts: { key: string; value?: DatasetFacts } | undefined;
  private pilot: { key: string; value?: PilotFacts } | undefined;

  constructor(
    readonly vs: Vs,
    readonly core: CoreApi,
    env: Record<string, string | undefined> = process.env,
    private readonly dispatch: Dispatch = () => {},
  ) {
    this.keys = new ApiKeyStore(vs, env);
    this.jobs = new JobManager(vs.workspaceState, () => this.scheduleRefresh());
    this.batches = new BatchWatcher({ ui: vs.ui, log: vs.log, refresh: () => this.scheduleRefresh() });
    this.sidebar = new SidebarChannel(
      (cmd) => this.handleSidebar(cmd),
      (m) => vs.log.warn(m),
    );
  }

  /** A Logger for the core that writes to the "Re2LLM" channel. */
  logger(secret?: string): Logger {
    return {
      log: (level, message) => {
        const m = redact(message, secret);
        if (level === 'debug') this.vs.log.debug(m);
        else if (level === 'warn') this.vs.log.warn(m);
        else if (level === 'error') this.vs.log.error(m);
        else this.vs.log.info(m);
      },
    };
  }

  get workspaceFolder(): string | undefined {
    return this.vs.workspace.folders()[0];
  }

  exampleDir(): string {
    return join(this.vs.extensionPath, EXAMPLE_DATASET);
  }

  selectedDataset(): SidebarDataset | undefined {
    const id = this.vs.workspaceState.get<string>(SELECTED_DATASET_KEY);
    return this.datasets.find((d) => d.id === id) ?? this.datasets.find((d) => d.kind !== 'example') ?? this.datasets[0];
  }

  /** Discovers datasets if no snapshot was built yet (a palette command before the sidebar opened). */
  async ensureDatasets(): Promise<void> {
    if (!this.datasets.length) this.datasets = await discoverDatasets(this.vs.workspace, this.vs.extensionPath, existsSync(this.exampleDir()));
  }

  async selectDataset(id: string): Promise<void> {
    await this.vs.workspaceState.update(SELECTED_DATASET_KEY, id);
    await this.refresh();
  }

  /** Config for a dataset entry: its config file, or its folder as `dataset.path`. */
  configFor(dataset: SidebarDataset | undefined, extra: ConfigLayer[] = []): WorkspaceConfig {
    const cwd = this.workspaceFolder ?? this.vs.globalStoragePath;
    const layers: ConfigLayer[] = [];
    let configFile: string | undefined;
    const exampleConfig = join(this.vs.extensionPath, 'examples', 're2llm.config.json');
    if (dataset?.kind === 'config') configFile = dataset.id;
    else if (dataset?.kind === 'example' && existsSync(exampleConfig)) configFile = exampleConfig;
    else if (dataset) layers.push({ source: 'dataset selected in the sidebar', values: { 'dataset.path': dataset.id } });
    if (dataset?.kind === 'example') {
      // The extension folder may be read-only: runs, cache and KB go to the workspace (or private storage).
      layers.push({
        source: 'bundled example',
        values: { 'output.runsDir': join(cwd, 're2llm-runs'), 'llm.cacheDir': join(cwd, '.re2llm-cache'), 'output.kbPath': join(cwd, 're2llm', 'hetrec-mini.hints.json') },
      });
    }
    return resolveWorkspaceConfig({ settings: this.vs.settings, trusted: this.vs.workspace.isTrusted(), configFile, cwd, extra: [...layers, ...extra] });
  }

  /** KB path for a resolved config: `output.kbPath`, or re2llm/<dataset>.hints.json beside the config. */
  kbPathFor(wc: WorkspaceConfig): string {
    const c = wc.resolved.config;
    return defaultKbPath(c, wc.resolved.baseDir, c.dataset.name || basename(c.dataset.path || 'dataset'));
  }

  /**
   * The sidebar's parameters: the resolved config, with the values the user changed in the
   * sidebar on top. Only changed values are kept (PARAMS_KEY), so a later edit of the config file
   * or the settings shows through for every parameter the user did not touch.
   */
  params(config: Re2llmConfig): SidebarParams {
    return { ...paramsOf(config), ...this.changedParams() };
  }

  changedParams(): Partial<SidebarParams> {
    const saved = this.vs.workspaceState.get<Partial<SidebarParams>>(PARAMS_KEY);
    if (!saved || typeof saved !== 'object') return {};
    const out: Record<string, unknown> = {};
    for (const { key } of SIDEBAR_PARAMS) if (saved[key] !== undefined && paramValueValid(key, saved[key])) out[key] = saved[key];
    return out as Partial<SidebarParams>;
  }

  /**
   * Stores what the sidebar sent as a diff against the resolved config. A value equal to what the
   * sidebar was last shown is one the user did not touch: its stored entry (or absence) is kept,
   * so values the sidebar showed from an older config never turn into overrides.
   */
  private async rememberParams(sent: SidebarParams): Promise<void> {
    const config = this.safeConfig()?.resolved.config;
    if (!config) return;
    const fromConfig = paramsOf(config);
    const before = this.changedParams() as Record<string, unknown>;
    const changed: Record<string, unknown> = {};
    for (const { key: k } of SIDEBAR_PARAMS) {
      const untouched = this.shownParams !== undefined && sent[k] === this.shownParams[k];
      if (untouched) {
        if (before[k] !== undefined) changed[k] = before[k];
      } else if (sent[k] !== undefined && sent[k] !== fromConfig[k]) {
        // The message's shape was checked on arrival; the range is the setting's.
        if (paramValueValid(k, sent[k])) changed[k] = sent[k];
        else this.vs.log.warn(`sidebar: ${k} = ${JSON.stringify(sent[k])} is outside the setting's range; ignored`);
      }
    }
    await this.vs.workspaceState.update(PARAMS_KEY, changed);
  }

  /** Layer for the sidebar's parameters (they override settings for that one job); only the values given. */
  paramsLayer(p: Partial<SidebarParams>): ConfigLayer {
    return paramsLayer(p);
  }

  /** True when this workspace's jobs use the simulated LLM (Select Endpoint/Model). */
  simulatedLlm(): boolean {
    return this.vs.workspaceState.get<boolean>(SIMULATED_LLM_KEY) === true;
  }

  /**
   * Trust first, then how the job reaches its LLM: the simulator, the user's key, or no key for an
   * endpoint on this machine. Undefined (after telling the user why) when a key is needed and missing.
   */
  async llmAccess(action: string, config: Re2llmConfig): Promise<LlmAccess | undefined> {
    if (!(await requireTrust(this.vs, action))) return undefined;
    if (this.simulatedLlm()) {
      this.vs.log.info(`${action}: simulated LLM (no key)`);
      return { kind: 'simulated' };
    }
    const { key, source } = await this.keys.resolve(config.llm.apiKeyEnv);
    if (key) {
      this.vs.log.info(`${action}: using API key from ${source === 'secret' ? 'SecretStorage' : `$${config.llm.apiKeyEnv}`}`);
      return { kind: 'key', apiKey: key };
    }
    if (!keyNeeded(config.llm.baseUrl, false)) {
      this.vs.log.info(`${action}: no API key needed for ${config.llm.baseUrl} (this machine)`);
      return { kind: 'keyless' };
    }
    const choices = ['Set API Key', 'Use Simulated LLM'];
    void this.vs.ui.error(`Re2LLM: ${action} needs an API key for ${config.llm.baseUrl || 'the OpenAI endpoint'}. Run "Re2LLM: Set API Key" or set $${config.llm.apiKeyEnv}; endpoints on this machine (Ollama, vLLM, LM Studio) and the simulated LLM (Select Endpoint/Model) need none.`, ...choices).then((c) => {
      if (c === 'Set API Key') void this.vs.ui.executeCommand('re2llm.setApiKey');
      else if (c === 'Use Simulated LLM') void this.vs.ui.executeCommand('re2llm.selectEndpoint', 'simulated');
    });
    return undefined;
  }

  async runs(config?: Re2llmConfig): Promise<RunFolder[]> {
    await this.ensureDatasets();
    const c = config ?? this.safeConfig()?.resolved.config;
    return c ? listRuns(c.output.runsDir) : [];
  }

  /** safeConfig() after discovering datasets (for palette commands run before the sidebar opened). */
  async selectedConfig(): Promise<WorkspaceConfig | undefined> {
    await this.ensureDatasets();
    return this.safeConfig();
  }

  safeConfig(): WorkspaceConfig | undefined {
    try {
      return this.configFor(this.selectedDataset());
    } catch (err) {
      this.vs.log.warn(`config: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Reads a KB: the open buffer when `preferBuffer`, else the file on disk. */
  async readKb(path: string, preferBuffer = false): Promise<{ text: string; kb?: HintKb } | undefined> {
    let text: string | undefined;
    if (preferBuffer) text = this.vs.workspace.openDocument(path)?.text;
    if (text === undefined) {
      try {
        text = await fsp.readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    }
    return { text, kb: await this.core.parseKb(text) };
  }

  async buildState(): Promise<SidebarState> {
    this.datasets = await discoverDatasets(this.vs.workspace, this.vs.extensionPath, existsSync(this.exampleDir()));
    const selected = this.selectedDataset();
    const wc = this.safeConfig();
    const config = wc?.resolved.config;
    const simulated = this.simulatedLlm();
    const state: SidebarState = {
      trusted: this.vs.workspace.isTrusted(),
      workspaceOpen: this.vs.workspace.folders().length > 0,
      datasets: this.datasets,
      selectedDataset: selected?.id,
      endpoint: {
        baseUrl: simulated ? 'simulated on this machine' : config?.llm.baseUrl ?? '',
        model: simulated ? SIMULATED_MODEL : config?.llm.model ?? '',
        keySource: await this.keys.source(config?.llm.apiKeyEnv ?? 'OPENAI_API_KEY'),
        simulated,
        keyNeeded: keyNeeded(config?.llm.baseUrl ?? '', simulated),
        ignored: wc?.ignored ?? [],
      },
      params: this.params(config ?? defaultConfig()),
      paramLimits: paramLimits(),
      warnings: [],
      jobs: this.jobs.snapshot(),
      runs: [],
    };
    if (!wc || !config) return state;
    const facts = this.datasetFactsFor(config);
    const runs = await this.runs(config);
    state.runs = runs.slice(0, 8).map((r) => ({ id: r.id, label: r.label, hasResults: r.hasResults }));
    state.batches = await this.batches.pending(config.output.runsDir);
    const kbPath = this.kbPathFor(wc);
    const read = await this.readKb(kbPath);
    const shown = state.params;
    state.warnings = setupWarnings({
      dataset: facts,
      enabledHints: read?.kb?.hints.filter(isEnabled).length,
      targetHints: shown['reflection.targetHints'],
      candidates: config.dataset.candidates,
      testSample: shown['evaluation.testSample'],
      topK: config.prompt.topK,
      ...withPilot(await this.pilotFor(runs, facts?.name, config)),
    });
    if (read) {
      const kb = read.kb;
      const diags = await this.core.validateKb(read.text, { maxHintChars: config.reflection.maxHintChars });
      const errors = diags.filter((d) => d.severity === 'error').length;
      state.kb = { path: kbPath, hints: kb?.hints.length ?? 0, enabled: kb?.hints.filter(isEnabled).length ?? 0, stale: false, errors };
      if (!kb) state.kb.invalid = diags.some((d) => d.code === 'parse') ? 'parse' : 'schema';
      const agent = newestAgentOn(runs, kbPath);
      if (kb && agent?.kb) {
        const s = agentStaleness({ runId: agent.id, ...agent.kb }, { fingerprint: await this.core.kbFingerprint(kb), enabledIds: kb.hints.filter(isEnabled).map((h) => h.id) });
        state.kb.stale = s.stale;
        if (s.reason) state.kb.staleReason = s.reason;
      }
    }
    return state;
  }

  /**
   * The dataset's facts if loaded; otherwise starts loading them (once per dataset path) and
   * refreshes the sidebar when they arrive. A dataset that does not load gives no warnings here
   * (the jobs report the error).
   */
  /**
   * The sample-size planner's pilot for the test-size warning: the newest evaluation on this
   * dataset (read once per results.json version; an unreadable one is no pilot).
   */
  private async pilotFor(runs: RunFolder[], dataset: string | undefined, config: Re2llmConfig): Promise<PilotFacts | undefined> {
    const run = dataset ? runs.find((r) => r.hasResults) : undefined;
    if (!run) return undefined;
    const key = JSON.stringify([run.dir, run.mtimeMs, dataset, config.evaluation.primary, config.evaluation.primaryMetric]);
    if (this.pilot?.key === key) return this.pilot.value;
    let value: PilotFacts | undefined;
    try {
      const results = await loadResults(run.dir);
      value = results.run.dataset.name === dataset ? pilotFacts(results, config.evaluation.primary, config.evaluation.primaryMetric) : undefined;
    } catch {
      value = undefined;
    }
    this.pilot = { key, value };
    return value;
  }

  private datasetFactsFor(config: Re2llmConfig): DatasetFacts | undefined {
    const key = JSON.stringify(config.dataset);
    if (this.facts?.key === key) return this.facts.value;
    const entry: { key: string; value?: DatasetFacts } = { key };
    this.facts = entry;
    void (async () => {
      try {
        entry.value = datasetFacts(await this.core.loadDataset(config, this.logger()));
        if (this.facts === entry) this.scheduleRefresh();
      } catch (err) {
        this.vs.log.debug(`setup warnings: dataset not loaded: ${(err as Error).message}`);
      }
    })();
    return undefined;
  }

  async refresh(): Promise<void> {
    try {
      const state = await this.buildState();
      this.shownParams = state.params;
      this.sidebar.publish(state);
    } catch (err) {
      this.vs.log.error(`sidebar state: ${(err as Error).message}`);
    }
  }

  /** Coalesces bursts of job progress into one snapshot per 150 ms. */
  scheduleRefresh(): void {
    if (this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      void this.refresh();
    }, 150);
  }

  /** Called when a KB file is saved: the stale-agent warning depends on the saved enabled set. */
  async kbSaved(path: string): Promise<void> {
    this.vs.log.info(`KB saved: ${basename(path)} (${dirname(path)})`);
    await this.refresh();
  }

  private async handleSidebar(cmd: SidebarCommand): Promise<void> {
    switch (cmd.type) {
      case 'sidebar/ready':
        await this.refresh();
        return;
      case 'sidebar/selectDataset':
        if (this.datasets.some((d) => d.id === cmd.id)) await this.selectDataset(cmd.id);
        else this.vs.log.warn('sidebar: unknown dataset id ignored');
        return;
      case 'sidebar/command':
        if (cmd.command === 'manageTrust') await this.vs.ui.executeCommand('workbench.trust.manage');
        else if (cmd.command === 'showLog') this.vs.log.show();
        else await this.vs.ui.executeCommand(`re2llm.${cmd.command}`);
        return;
      case 'sidebar/start':
        // The job reads the stored changes over the current config (prepareJob).
        await this.rememberParams(cmd.params);
        await this.dispatch(ACTION_COMMANDS[cmd.action]);
        return;
      case 'sidebar/cancelJob':
        await this.dispatch('re2llm.cancelJob', cmd.jobId);
        return;
      case 'sidebar/resumeJob':
        await this.dispatch('re2llm.resumeTraining', cmd.jobId);
        return;
      case 'sidebar/openRun':
        await this.dispatch('re2llm.openResults', cmd.runId);
        return;
      default: {
        const never: never = cmd;
        throw new Error(`unhandled sidebar command ${JSON.stringify(never)}`);
      }
    }
  }
}

/**
 * The trained agent the stale-agent warning is about: the newest run that trained on this KB
 * file (runs that recorded another KB path are someone else's agent), else the newest trained
 * run that recorded no path.
 */
export function newestAgentOn(runs: RunFolder[], kbPath: string): RunFolder | undefined {
  const trained = runs.filter((r) => r.trained && r.kb);
  const here = resolve(kbPath);
  return trained.find((r) => r.kb?.path !== undefined && resolve(r.kb.path) === here) ?? trained.find((r) => r.kb?.path === undefined);
}
