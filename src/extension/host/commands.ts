/**
 * Palette commands that are not jobs: key, endpoint, dataset selection and import, KB open and
 * validate. Each id in manifest/commands.ts maps to exactly one handler here or in actions.ts.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { emptyKb } from '../../core/kb/types';
import { writeFileAtomic } from '../../core/util/fs';
import { DATASET_FORMAT_CHOICES } from '../../core/config/datasetFormats';
import { SIMULATED_LLM_KEY } from '../actions/llmAccess';
import type { Actions } from './actions';
import { listModels, type Fetch } from './models';
import type { Studio } from './studio';

/** The preset that selects the simulated LLM (not a URL). */
const SIMULATED = 'simulated';
const OTHER_MODEL = 'Other model…';

/** Endpoint presets for "Select Endpoint/Model" (OpenAI-compatible servers, and the simulator). */
export const ENDPOINT_PRESETS = [
  { label: 'Simulated LLM', description: 'on this machine, no API key: try the workflow on your dataset', baseUrl: SIMULATED },
  { label: 'OpenAI', description: 'default endpoint of the openai package', baseUrl: '' },
  { label: 'Ollama', description: 'http://127.0.0.1:11434/v1', baseUrl: 'http://127.0.0.1:11434/v1' },
  { label: 'vLLM', description: 'http://127.0.0.1:8000/v1', baseUrl: 'http://127.0.0.1:8000/v1' },
  { label: 'LM Studio', description: 'http://127.0.0.1:1234/v1', baseUrl: 'http://127.0.0.1:1234/v1' },
  { label: 'Other…', description: 'Azure OpenAI or any OpenAI-compatible URL', baseUrl: undefined },
];

export function validateBaseUrl(v: string): string | undefined {
  if (v === '') return undefined;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'Use an http(s) URL.';
  } catch {
    return 'Not a URL.';
  }
}

export type Handler = (...args: unknown[]) => Promise<void> | void;

export function commandHandlers(s: Studio, a: Actions, fetchModels: Fetch | undefined = undefined): Record<string, Handler> {
  const vs = s.vs;
  return {
    're2llm.startDemo': () => a.startDemo(),
    're2llm.setApiKey': async () => {
      if (await s.keys.set()) void vs.ui.info('Re2LLM: API key stored in SecretStorage.');
      await s.refresh();
    },
    're2llm.clearApiKey': async () => {
      await s.keys.clear();
      void vs.ui.info('Re2LLM: API key removed from SecretStorage.');
      await s.refresh();
    },
    're2llm.selectEndpoint': async (choice?: unknown) => {
      // `choice` 'simulated' comes from the "needs an API key" message's button.
      const preset = choice === SIMULATED ? ENDPOINT_PRESETS[0] : await vs.ui.pick(ENDPOINT_PRESETS, { title: 'Re2LLM: Select Endpoint' });
      if (!preset) return;
      if (preset.baseUrl === SIMULATED) {
        await vs.workspaceState.update(SIMULATED_LLM_KEY, true);
        vs.log.info('endpoint set: simulated LLM (started on this machine for each job)');
        void vs.ui.info('Re2LLM: jobs in this workspace use the simulated LLM (no API key; started for each job on this machine). Its answers come from a model of the dataset, not from an LLM: use it to try the workflow.');
        await s.refresh();
        return;
      }
      const baseUrl = preset.baseUrl ?? (await vs.ui.input({ title: 'Re2LLM: Endpoint base URL', placeHolder: 'https://my-resource.openai.azure.com/openai/v1', validate: validateBaseUrl }));
      if (baseUrl === undefined || validateBaseUrl(baseUrl)) return;
      const config = (await s.selectedConfig())?.resolved.config;
      const current = config?.llm.model ?? '';
      // The endpoint's own model list when it answers; free text otherwise (or on "Other model…").
      const key = (await s.keys.resolve(config?.llm.apiKeyEnv ?? 'OPENAI_API_KEY')).key;
      const served = await vs.ui.withProgress('Re2LLM: asking the endpoint for its models…', () => listModels(baseUrl, key, fetchModels));
      let model: string | undefined;
      if (served) {
        const picked = await vs.ui.pick([...served.map((id) => ({ label: id, description: id === current ? 'current' : '' })), { label: OTHER_MODEL, description: 'type a model name' }], { title: `Re2LLM: Model (${served.length} served by the endpoint)` });
        if (!picked) return;
        if (picked.label !== OTHER_MODEL) model = picked.label;
      }
      model ??= await vs.ui.input({ title: 'Re2LLM: Model', value: current, validate: (v) => (v.trim() ? undefined : 'Enter a model name.') });
      if (!model) return;
      await vs.workspaceState.update(SIMULATED_LLM_KEY, false);
      // User settings: a workspace could otherwise redirect the key (and is ignored when untrusted).
      await vs.settings.update('llm.baseUrl', baseUrl, 'global');
      await vs.settings.update('llm.model', model.trim(), 'global');
      vs.log.info(`endpoint set: ${baseUrl || 'openai default'} / ${model.trim()}`);
      await s.refresh();
    },
    're2llm.openDataset': async () => {
      await s.buildState();
      const items = s.datasets.map((d) => ({ label: d.label, description: d.path, id: d.id }));
      const picked = await vs.ui.pick([...items, { label: 'Import a folder…', description: '', id: '' }], { title: 'Re2LLM: Open Dataset' });
      if (!picked) return;
      if (!picked.id) return void (await vs.ui.executeCommand('re2llm.importDataset'));
      await s.selectDataset(picked.id);
    },
    're2llm.importDataset': async () => {
      const folder = await vs.ui.openFolderDialog('Re2LLM: Import Dataset (authors\' pickles, RecBole, JSONL or CSV folder)');
      if (!folder) return;
      const format = await vs.ui.pick(DATASET_FORMAT_CHOICES.map((f) => ({ label: f })), { title: 'Re2LLM: Dataset format' });
      if (!format) return;
      const wc = s.configFor(undefined, [{ source: 'Import Dataset', values: { 'dataset.path': folder, 'dataset.format': format.label } }]);
      const ds = await vs.ui.withProgress(`Re2LLM: importing ${basename(folder)}`, () => s.core.loadDataset(wc.resolved.config, s.logger()));
      const n = (k: 'train' | 'validation' | 'test') => ds.splits[k].length;
      vs.log.info(`imported ${ds.name} (${ds.report.format}): ${ds.items.size} items, ${n('train')}/${n('validation')}/${n('test')} sessions; ${ds.report.notes.join('; ')}`);
      const root = s.workspaceFolder;
      let selectId = folder;
      if (root && !existsSync(join(root, 're2llm.config.json'))) {
        const configFile = join(root, 're2llm.config.json');
        await writeFileAtomic(configFile, JSON.stringify({ $schema: './node_modules/re2llm-studio/schemas/config.schema.json', dataset: { path: relative(root, folder) || '.', format: format.label } }, null, 2) + '\n');
        selectId = configFile;
      }
      await s.refresh();
      await s.selectDataset(selectId);
      void vs.ui.info(`Re2LLM: imported ${ds.name}: ${ds.items.size} items, ${n('train')} train / ${n('validation')} validation / ${n('test')} test sessions.`);
    },
    're2llm.reflect': () => a.reflect(),
    're2llm.openKb': async () => {
      const wc = await s.selectedConfig();
      if (!wc) return void vs.ui.warn('Re2LLM: select a dataset first (Re2LLM: Open Dataset…).');
      const kbPath = s.kbPathFor(wc);
      if (!existsSync(kbPath)) {
        const c = await vs.ui.info(`Re2LLM: no hint KB yet at ${relative(s.workspaceFolder ?? dirname(kbPath), kbPath)}.`, 'Create Empty KB', 'Build with Reflection');
        if (c === 'Build with Reflection') return a.reflect();
        if (c !== 'Create Empty KB') return;
        await mkdir(dirname(kbPath), { recursive: true });
        await writeFileAtomic(kbPath, await s.core.formatKb(emptyKb(wc.resolved.config.dataset.name || undefined)));
      }
      await vs.ui.openFile(kbPath);
    },
    're2llm.validateKb': async () => {
      const wc = await s.selectedConfig();
      if (!wc) return;
      const kbPath = s.kbPathFor(wc);
      const read = await s.readKb(kbPath, true);
      if (!read) return void vs.ui.warn(`Re2LLM: no hint KB at ${kbPath}.`);
      let dataset;
      try {
        dataset = await s.core.loadDataset(wc.resolved.config, s.logger());
      } catch (err) {
        vs.log.warn(`validate: dataset not loaded, leakage not checked: ${(err as Error).message}`);
      }
      const diags = await s.core.validateKb(read.text, { dataset, maxHintChars: wc.resolved.config.reflection.maxHintChars });
      const count = (sev: string) => diags.filter((d) => d.severity === sev).length;
      for (const d of diags) vs.log.info(`${basename(kbPath)}: ${d.severity}: ${d.message}`);
      const summary = `${basename(kbPath)}: ${count('error')} errors, ${count('warning')} warnings${dataset ? '' : ' (dataset not loaded: title leakage not checked)'}.`;
      await vs.ui.openFile(kbPath);
      if (diags.length) await vs.ui.executeCommand('workbench.actions.view.problems');
      void (count('error') ? vs.ui.warn(`Re2LLM: ${summary}`) : vs.ui.info(`Re2LLM: ${summary}`));
    },
    're2llm.train': () => a.train(),
    're2llm.stopTraining': () => a.stopTraining(),
    're2llm.cancelJob': (jobId?: unknown) => (typeof jobId === 'string' ? a.cancelJob(jobId) : undefined),
    're2llm.resumeTraining': (jobId?: unknown) => (typeof jobId === 'string' ? a.resume(jobId) : undefined),
    're2llm.evaluate': () => a.evaluate(),
    're2llm.openResults': (runId?: unknown) => a.openResults(typeof runId === 'string' ? runId : undefined),
    're2llm.compareRuns': () => a.compareRuns(),
    're2llm.exportResults': () => a.exportResults(),
    're2llm.runPipeline': () => a.runPipeline(),
    're2llm.showLog': () => vs.log.show(),
    're2llm.tryHint': (kbPath?: unknown, hintId?: unknown) => (typeof kbPath === 'string' && typeof hintId === 'string' ? a.tryHint(kbPath, hintId) : undefined),
    // 're2llm.disableHint' is registered by the KB editing module (it needs the editor).
  };
}
