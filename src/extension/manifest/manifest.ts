/**
 * The VS Code manifest parts of package.json this extension owns ("contributes",
 * "activationEvents", "capabilities", "main", "icon", "galleryBanner"), built from the command
 * table, the settings table (src/core/config) and the Restricted Mode key list, so none of them
 * is maintained twice. `npm run generate` writes them (packageJson.ts).
 */
import { vscodeConfiguration } from '../../core/config/resolve';
import { EXTENSION_ONLY_SETTINGS } from '../../core/config/extensionSettings';
import { RESTRICTED_KEYS } from '../host/config';
import { COMMANDS, CONFIG_GLOB, KB_GLOB, PAGE_PANELS, RESULTS_VIEW_TYPE, SIDEBAR_VIEW_ID, STUDY_GLOB, STUDY_VIEW_TYPE, VIEW_CONTAINER_ID } from './commands';

const CATEGORY = 'Re2LLM';

/** `contributes.configuration`: every VS Code-visible leaf of the settings table plus the extension-only switches. */
export function contributesConfiguration(): Record<string, unknown> {
  return {
    title: 'Re2LLM',
    properties: { ...vscodeConfiguration(), ...EXTENSION_ONLY_SETTINGS },
  };
}

const WALKTHROUGH_STEPS = [
  { id: 'demo', title: 'Start the demo', command: 're2llm.startDemo', button: 'Start Demo',
    description: 'Runs the whole pipeline (reflection, training, evaluation) on the bundled hetrec-mini example against a simulated LLM on this machine. No API key needed; takes about a minute.' },
  { id: 'endpoint', title: 'Connect your LLM endpoint', command: 're2llm.selectEndpoint', button: 'Select Endpoint/Model',
    description: 'Any OpenAI-compatible endpoint (OpenAI, Azure OpenAI, Ollama, vLLM, LM Studio). Then store your key with Set API Key: it goes to VS Code SecretStorage, never to settings or logs.' },
  { id: 'dataset', title: 'Open a dataset', command: 're2llm.openDataset', button: 'Open Dataset…',
    description: 'A re2llm.config.json, or a folder with the authors\' pickles, RecBole atomic files, JSONL or CSV logs.' },
  { id: 'reflect', title: 'Build the hint KB', command: 're2llm.reflect', button: 'Build Hint KB (Reflect)',
    description: 'Reflection turns the LLM\'s mistakes into hints, checks each for effectiveness, leakage and redundancy, and writes them to an editable JSON file.' },
  { id: 'kb', title: 'Edit hints by hand', command: 're2llm.openKb', button: 'Open Hint KB',
    description: 'Diagnostics flag duplicates, leaked titles and overlong hints as you type; CodeLens shows each hint\'s statistics and lets you try it on validation sessions.' },
  { id: 'train', title: 'Train the retrieval agent', command: 're2llm.train', button: 'Train Retrieval Agent',
    description: 'PPO runs in a child process; the sidebar shows the reward curve live. Stop Training keeps the last checkpoint.' },
  { id: 'results', title: 'Evaluate and read the results', command: 're2llm.evaluate', button: 'Evaluate',
    description: 'HR@K/NDCG@K with confidence intervals for every condition, hint usage, and a per-session drill-down; compare runs and export tables.' },
];

export function manifestParts(): Record<string, unknown> {
  const commands = COMMANDS.map((c) => ({ command: c.id, title: c.title, category: CATEGORY, ...(c.icon ? { icon: c.icon } : {}) }));
  return {
    main: './dist/extension.js',
    icon: 'media/icon.png',
    galleryBanner: { color: '#1f2430', theme: 'dark' },
    activationEvents: [
      ...COMMANDS.map((c) => `onCommand:${c.id}`),
      `onView:${SIDEBAR_VIEW_ID}`,
      `onWebviewPanel:${RESULTS_VIEW_TYPE}`,
      `onWebviewPanel:${STUDY_VIEW_TYPE}`,
      ...Object.values(PAGE_PANELS).map((p) => `onWebviewPanel:${p.viewType}`),
      `workspaceContains:${CONFIG_GLOB}`,
      `workspaceContains:${KB_GLOB}`,
      `workspaceContains:${STUDY_GLOB}`,
    ],
    capabilities: {
      virtualWorkspaces: { supported: false, description: 'Re2LLM reads datasets and writes run folders on the local file system.' },
      untrustedWorkspaces: {
        supported: 'limited',
        description: 'In Restricted Mode the workspace\'s endpoint, model and path settings are ignored (a cloned repository cannot send your API key to another host) and no LLM call or training starts. Datasets, KBs and results can still be viewed.',
        restrictedConfigurations: RESTRICTED_KEYS.map((k) => `re2llm.${k}`),
      },
    },
    contributes: {
      viewsContainers: { activitybar: [{ id: VIEW_CONTAINER_ID, title: 'Re2LLM', icon: 'media/re2llm.svg' }] },
      views: { [VIEW_CONTAINER_ID]: [{ type: 'webview', id: SIDEBAR_VIEW_ID, name: 'Studio', contextualTitle: 'Re2LLM' }] },
      commands,
      menus: {
        commandPalette: COMMANDS.filter((c) => c.palette === false).map((c) => ({ command: c.id, when: 'false' })),
        'view/title': COMMANDS.filter((c) => c.viewTitle).map((c) => ({ command: c.id, when: `view == ${SIDEBAR_VIEW_ID}`, group: 'navigation' })),
      },
      configuration: contributesConfiguration(),
      jsonValidation: [
        { fileMatch: KB_GLOB, url: './schemas/kb.schema.json' },
        { fileMatch: CONFIG_GLOB, url: './schemas/config.schema.json' },
        { fileMatch: STUDY_GLOB, url: './schemas/study.schema.json' },
      ],
      walkthroughs: [
        {
          id: 're2llm.gettingStarted',
          title: 'Get started with Re2LLM Studio',
          description: 'From a no-key demo to your own hint KB, trained agent and results.',
          steps: WALKTHROUGH_STEPS.map((s) => ({
            id: s.id,
            title: s.title,
            description: `${s.description}\n[${s.button}](command:${s.command})`,
            media: { markdown: `media/walkthrough/${s.id}.md` },
            completionEvents: [`onCommand:${s.command}`],
          })),
        },
      ],
    },
  };
}
