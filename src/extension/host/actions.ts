/**
 * The actions the palette, the sidebar and the KB editor start, one per file in ../actions/ (each
 * over the small runJob helper). This class only binds them to the controller, so the command
 * table (commands.ts) and tests have one object to call.
 */
import type { SidebarAction, SidebarParams } from '../../protocol/webview';
import { startDemo } from '../actions/demo';
import { evaluate } from '../actions/evaluate';
import { runPipeline } from '../actions/pipeline';
import { reflect } from '../actions/reflect';
import { compareRuns, exportResults, openResults } from '../actions/results';
import { cancelJob, resumeTraining, stopTraining, train } from '../actions/train';
import { tryHint } from '../actions/tryHint';
import type { Studio } from './studio';

export class Actions {
  constructor(private readonly s: Studio) {}

  start(action: SidebarAction, params?: Partial<SidebarParams>): Promise<void> {
    switch (action) {
      case 'reflect':
        return this.reflect(params);
      case 'train':
        return this.train(params);
      case 'evaluate':
        return this.evaluate(params);
      case 'run':
        return this.runPipeline(params);
    }
  }

  reflect = (params?: Partial<SidebarParams>) => reflect(this.s, params);
  train = (params?: Partial<SidebarParams>, resumeRunDir?: string) => train(this.s, params, resumeRunDir);
  stopTraining = () => stopTraining(this.s);
  resume = (jobId: string) => resumeTraining(this.s, jobId);
  cancelJob = (jobId: string) => cancelJob(this.s, jobId);
  evaluate = (params?: Partial<SidebarParams>) => evaluate(this.s, params);
  runPipeline = (params?: Partial<SidebarParams>) => runPipeline(this.s, params);
  startDemo = () => startDemo(this.s);
  tryHint = (kbPath: string, hintId: string) => tryHint(this.s, kbPath, hintId);
  openResults = (runId?: string) => openResults(this.s, runId);
  compareRuns = () => compareRuns(this.s);
  exportResults = (runId?: string, format?: 'csv' | 'latex' | 'json') => exportResults(this.s, runId, format);
}
