/**
 * The prompt-diff panel's host side, plain logic over a panel-like object: picks a run with
 * results, one of its test sessions (those where the LLM conditions ranked the target
 * differently first) and two sides (two conditions of that run, or the same session in another
 * run), reads each side's recorded answer and rebuilt prompt (the core's sessionDetail) and sends
 * both to the one panel.
 */
import { CONDITIONS, isConditionId } from '../../protocol/conditions';
import { asPromptDiffCommand, type DiffSide, type PromptDiffNotification } from '../../protocol/promptDiff';
import { isRunId } from '../../protocol/runsTable';
import { shortConditionLabel, type ResultsFile, type SessionOutcome } from '../../protocol/results';
import type { SessionDetail } from '../../protocol/webview';
import { readResults, type RunFolder } from '../host/runs';
import type { HostLog, PickItem, Ui } from '../vscode/types';
import type { PanelLike } from '../panelLike';
import { SinglePanel } from '../singlePanel';

/** The panel surface this host needs (no title changes). */
export type PromptDiffPanelLike = Omit<PanelLike<PromptDiffNotification>, 'setTitle'>;

export interface PromptDiffDeps {
  ui: Ui;
  log: HostLog;
  createPanel(): PromptDiffPanelLike;
  /** The selected dataset's run folders, newest first. */
  runs(): Promise<RunFolder[] | undefined>;
  sessionDetail(runDir: string, results: ResultsFile, sessionId: string, condition: string): Promise<SessionDetail>;
}

/** What a caller (the palette, a results-panel row) may fix in advance; the rest is asked. */
export interface PromptDiffRequest {
  runId?: string;
  sessionId?: string;
  /** Two sides: a condition of a run (runId defaults to the request's run). */
  sides?: { runId?: string; condition: string }[];
}

/** Checks a command argument (it may come from another extension): a request, or {} for "ask everything". */
export function asPromptDiffRequest(v: unknown): PromptDiffRequest {
  if (!v || typeof v !== 'object') return {};
  const o = v as Record<string, unknown>;
  const str = (x: unknown) => (typeof x === 'string' && x.length > 0 && x.length < 500 ? x : undefined);
  const req: PromptDiffRequest = {};
  if (isRunId(o.runId)) req.runId = o.runId;
  const sessionId = str(o.sessionId);
  if (sessionId) req.sessionId = sessionId;
  if (Array.isArray(o.sides) && o.sides.length === 2) {
    const sides = o.sides.map((x) => (x && typeof x === 'object' ? (x as Record<string, unknown>) : {})).map((x) => ({ runId: isRunId(x.runId) ? x.runId : undefined, condition: str(x.condition) }));
    if (sides.every((x) => x.condition)) req.sides = sides.map((x) => ({ ...(x.runId ? { runId: x.runId } : {}), condition: x.condition! }));
  }
  return req;
}

interface Loaded {
  run: RunFolder;
  results: ResultsFile;
}

/** Another run's name in a side label: its name, or its id when the name is the base run's too. */
const otherRunName = (l: Loaded, base: Loaded) => (l.run.label === base.run.label ? l.run.id : l.run.label);
const isLlm = (c: string) => isConditionId(c) && CONDITIONS[c].llm;
const rankText = (r: number | null | undefined) => (r === null || r === undefined ? 'not in top K' : `#${r}`);

/** "no-hint #10 · agent #5 …" for a session's LLM conditions. */
function ranksLine(s: SessionOutcome): string {
  return Object.entries(s.byCondition)
    .filter(([c]) => isLlm(c))
    .map(([c, o]) => `${shortConditionLabel(c)} ${rankText(o.rank)}`)
    .join(' · ');
}

/** Sessions whose LLM conditions put the target at different ranks come first (the interesting ones). */
export function sessionsByInterest(sessions: SessionOutcome[]): SessionOutcome[] {
  const spread = (s: SessionOutcome) =>
    new Set(
      Object.entries(s.byCondition)
        .filter(([c]) => isLlm(c))
        .map(([, o]) => o.rank ?? 0),
    ).size;
  return sessions
    .map((s, i) => ({ s, i, k: spread(s) }))
    .sort((a, b) => b.k - a.k || a.i - b.i)
    .map((x) => x.s);
}

export class PromptDiffHost {
  private readonly view: SinglePanel<PromptDiffPanelLike>;
  private pending: PromptDiffNotification | undefined;
  private lastRunId: string | undefined;

  constructor(private readonly d: PromptDiffDeps) {
    this.view = new SinglePanel(
      () => d.createPanel(),
      (m) => void this.receive(m),
    );
  }

  async open(req: PromptDiffRequest = {}): Promise<void> {
    const msg = await this.choose(req);
    if (!msg) return;
    this.pending = msg;
    if (this.view.show()) return this.flush();
  }

  /**
   * A prompt diff restored after a window reload: its page paints the comparison it saved; the
   * host takes the panel back so "compare another" and later opens reuse it.
   */
  restore(panel: PromptDiffPanelLike): void {
    this.pending = undefined;
    this.view.adopt(panel);
  }

  async receive(raw: unknown): Promise<void> {
    const cmd = asPromptDiffCommand(raw);
    if (!cmd) return void this.d.log.warn('prompt diff: ignored malformed message');
    if (cmd.type === 'diff/ready') {
      this.view.markReady();
      return this.flush();
    }
    await this.open({ runId: this.lastRunId });
  }

  private async flush(): Promise<void> {
    if (this.pending) await this.view.ready?.postMessage(this.pending);
  }

  private async loaded(runs: RunFolder[]): Promise<Loaded[]> {
    const out: Loaded[] = [];
    for (const run of runs.filter((r) => r.hasResults)) {
      const results = await readResults(run.dir);
      if (results?.sessions.length) out.push({ run, results });
    }
    return out;
  }

  private async choose(req: PromptDiffRequest): Promise<PromptDiffNotification | undefined> {
    const all = await this.loaded((await this.d.runs()) ?? []);
    if (!all.length) {
      void this.d.ui.info('Re2LLM: no evaluated run with per-session results yet. Evaluate first.');
      return undefined;
    }
    const base = req.runId ? all.find((l) => l.run.id === req.runId) : all.length === 1 ? all[0] : await this.pickRun(all);
    if (!base) {
      if (req.runId) void this.d.ui.warn(`Re2LLM: run ${req.runId} has no per-session results.`);
      return undefined;
    }
    this.lastRunId = base.run.id;
    const session = req.sessionId ? base.results.sessions.find((s) => s.sessionId === req.sessionId) : await this.pickSession(base);
    if (!session) {
      if (req.sessionId) void this.d.ui.warn(`Re2LLM: session ${req.sessionId} is not in ${base.run.id}.`);
      return undefined;
    }
    const sides = req.sides?.length === 2 ? req.sides.map((s) => ({ runId: s.runId ?? base.run.id, condition: s.condition })) : await this.pickSides(base, session, all);
    if (!sides) return undefined;
    const details: DiffSide[] = [];
    for (const side of sides) {
      const l = all.find((x) => x.run.id === side.runId);
      if (!l) return void this.d.ui.warn(`Re2LLM: run ${side.runId} has no per-session results.`);
      try {
        const detail = await this.d.sessionDetail(l.run.dir, l.results, session.sessionId, side.condition);
        const hint = detail.hintId ? ` · ${detail.hintId}` : '';
        details.push({ label: `${l.run.id === base.run.id ? '' : `${otherRunName(l, base)} · `}${shortConditionLabel(side.condition)}${hint}`, detail });
      } catch (err) {
        void this.d.ui.warn(`Re2LLM: ${(err as Error).message}`);
        return undefined;
      }
    }
    return { type: 'diff/show', sessionId: session.sessionId, left: details[0]!, right: details[1]! };
  }

  private async pickRun(all: Loaded[]): Promise<Loaded | undefined> {
    const items = all.map((l) => ({ label: l.run.label, description: l.run.id === l.run.label ? undefined : l.run.id, detail: `${l.results.sessions.length} test sessions`, l }));
    return (await this.d.ui.pick(items, { title: 'Re2LLM: compare prompts and answers', placeHolder: 'Run' }))?.l;
  }

  private async pickSession(base: Loaded): Promise<SessionOutcome | undefined> {
    const items = sessionsByInterest(base.results.sessions).map((s) => ({ label: s.sessionId, description: `target: ${s.targetTitle}`, detail: ranksLine(s), s }));
    return (await this.d.ui.pick(items, { title: `Re2LLM: a session of ${base.run.label}`, placeHolder: 'Sessions where the conditions ranked the target differently come first' }))?.s;
  }

  /** Two of: this run's LLM conditions, or the same session under a condition of another run. */
  private async pickSides(base: Loaded, session: SessionOutcome, all: Loaded[]): Promise<{ runId: string; condition: string }[] | undefined> {
    type Side = PickItem & { runId: string; condition: string };
    const items: Side[] = [];
    for (const l of [base, ...all.filter((x) => x !== base)]) {
      const s = l === base ? session : l.results.sessions.find((x) => x.sessionId === session.sessionId);
      if (!s) continue;
      for (const [c, o] of Object.entries(s.byCondition)) {
        if (!isLlm(c)) continue;
        const defaultPick = l === base && (c === 'no-hint' || c === 'agent');
        items.push({
          label: `${l === base ? '' : `${otherRunName(l, base)} · `}${shortConditionLabel(c)}${o.hintId && o.hintId !== 'none' ? ` · ${o.hintId}` : ''}`,
          description: `target ${rankText(o.rank)}`,
          picked: defaultPick,
          runId: l.run.id,
          condition: c,
        });
      }
    }
    const picked = await this.d.ui.pickMany(items, { title: `Re2LLM: session ${session.sessionId}`, placeHolder: 'Pick two sides to compare' });
    if (!picked) return undefined;
    if (picked.length !== 2) {
      void this.d.ui.warn(`Re2LLM: pick exactly two sides to compare (${picked.length} picked).`);
      return undefined;
    }
    return picked.map((p) => ({ runId: p.runId, condition: p.condition }));
  }
}
