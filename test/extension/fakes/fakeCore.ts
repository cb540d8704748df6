/**
 * A CoreApi for host tests: the KB functions are the real core ones (the host's merge and
 * staleness logic is tested against the real merge and fingerprint); jobs are scripted.
 */
import * as kb from '../../../src/core/kb/index';
import type { CoreApi, JobContext, PlannedStage, StageEstimate, TryHintResult } from '../../../src/extension/coreAdapter/api';
import type { SessionDataset } from '../../../src/core/data/types';
import type { StopReason } from '../../../src/core/reflect/types';

export interface CoreCall {
  fn: string;
  apiKey?: string;
  args: unknown[];
  /** The job context the call got (jobs only). */
  ctx?: JobContext;
}

export class FakeCore implements CoreApi {
  calls: CoreCall[] = [];
  /** Scripted job bodies; default: succeed at once. */
  reflectBody: (ctx: JobContext, kbPath: string) => Promise<{ accepted: number; stopReason?: StopReason }> = async () => ({ accepted: 0 });
  trainBody: (ctx: JobContext, kbPath: string, resume?: string) => Promise<{ runDir: string }> = async () => ({ runDir: '/tmp/run-train' });
  evaluateBody: (ctx: JobContext) => Promise<{ runDir: string }> = async () => ({ runDir: '/tmp/run-eval' });
  runBody: (ctx: JobContext) => Promise<{ runDir: string }> = async () => ({ runDir: '/tmp/run-all' });
  dataset: SessionDataset | undefined;
  /** What estimateStages answers (default: nothing to ask). */
  estimates: StageEstimate[] = [];
  /** The stages each estimateStages call asked for (kept out of `calls`, which tests compare whole). */
  estimated: PlannedStage[][] = [];

  private record(fn: string, ctx: JobContext | undefined, ...args: unknown[]): void {
    this.calls.push({ fn, apiKey: ctx?.apiKey, args, ...(ctx ? { ctx } : {}) });
  }

  async validateKb(text: string, o: { dataset?: SessionDataset; maxHintChars: number }) {
    return kb.validateKb(text, { maxHintChars: o.maxHintChars, dataset: o.dataset ? { name: o.dataset.name, items: o.dataset.items } : undefined });
  }
  async parseKb(text: string) {
    return kb.parseKbText(text).kb;
  }
  async mergeKbText(userText: string, base: kb.HintKb, desired: kb.HintKb) {
    return kb.mergeKbText(userText, base, desired).text;
  }
  async saveKbMerged(path: string, base: { text: string | null; kb: kb.HintKb }, desired: kb.HintKb) {
    const r = await kb.saveKbMerged(path, { path, ...base }, desired);
    return { hints: r.snapshot.kb.hints.length };
  }
  async kbFingerprint(k: kb.HintKb) {
    return kb.kbFingerprint(k);
  }
  async formatKb(k: kb.HintKb) {
    return kb.formatKb(k);
  }
  async loadDataset(): Promise<SessionDataset> {
    this.record('loadDataset', undefined);
    if (!this.dataset) throw new Error('no dataset in this test');
    return this.dataset;
  }
  async reflect(ctx: JobContext, kbPath: string) {
    this.record('reflect', ctx, kbPath);
    return this.reflectBody(ctx, kbPath);
  }
  async train(ctx: JobContext, kbPath: string, resume?: string) {
    this.record('train', ctx, kbPath, resume);
    return this.trainBody(ctx, kbPath, resume);
  }
  async evaluate(ctx: JobContext, kbPath: string, agent?: string) {
    this.record('evaluate', ctx, kbPath, agent);
    return this.evaluateBody(ctx);
  }
  async runExperiment(ctx: JobContext) {
    this.record('runExperiment', ctx, ctx);
    return this.runBody(ctx);
  }
  async tryHint(ctx: JobContext, text: string, n: number): Promise<TryHintResult> {
    this.record('tryHint', ctx, text, n);
    return { sessions: n, improved: 3, worsened: 1, meanReward: 0.05 };
  }
  async startSimulator() {
    this.record('startSimulator', undefined);
    return { baseUrl: 'http://127.0.0.1:1/v1', close: async () => void this.record('closeSimulator', undefined) };
  }
  async sessionDetail(): Promise<never> {
    throw new Error('not scripted');
  }
  async estimateStages(_resolved: unknown, stages: PlannedStage[], kbPath: string): Promise<StageEstimate[]> {
    void kbPath;
    this.estimated.push(stages);
    return this.estimates.filter((e) => stages.includes(e.stage as PlannedStage));
  }
  async exportResults(runDir: string, format: string, out: string) {
    this.record('exportResults', undefined, runDir, format, out);
    return out;
  }
}
