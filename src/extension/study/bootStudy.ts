/**
 * Wires Run Study into the booted host: the command handler, the CodeLens on study files, the
 * results panel for a clicked cell, and the trust and key gate shared with every LLM job.
 */
import * as vscode from 'vscode';
import { resolveConfig } from '../../core/config/resolve';
import type { Studio } from '../host/studio';
import { requireTrust } from '../host/trust';
import type { ResultsHost } from '../results/resultsHost';
import type { Vs } from '../vscode/types';
import { StudyHost } from './studyHost';
import { createStudyPanel } from './studyPanel';
import { StudyCodeLens, STUDY_SELECTOR } from './studyLens';
import { version as PACKAGE_VERSION } from '../../../package.json';

export function bootStudy(vs: Vs, studio: Studio, results: ResultsHost, subscriptions: vscode.Disposable[]): StudyHost {
  const host = new StudyHost({
    vs,
    packageVersion: PACKAGE_VERSION,
    createPanel: () => createStudyPanel(vs.extensionPath),
    openRunDirs: (dirs) => results.showRuns(dirs),
    gate: async (action, simulated, configFile) => {
      if (simulated) return (await requireTrust(vs, action)) ? { apiKey: '', envName: 'OPENAI_API_KEY' } : undefined;
      const config = resolveConfig(configFile ? { configFile } : {}).config;
      const access = await studio.llmAccess(action, config);
      if (!access) return undefined;
      return { apiKey: access.kind === 'key' ? access.apiKey : '', envName: config.llm.apiKeyEnv };
    },
  });
  subscriptions.push(vscode.languages.registerCodeLensProvider(STUDY_SELECTOR, new StudyCodeLens()));
  return host;
}
