/** How `re2llm study` shows its plan, its progress per cell and its tables in a terminal. */
import type { CliIO } from './io';
import type { PlannedCell, StudyEvent, StudyRunResult } from '../core/study/runStudy';
import { studyTables } from '../core/study/tables';
import type { StudyResults } from '../protocol/study';

function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function formatPlan(plan: PlannedCell[], estimate: StudyRunResult['estimate']): string {
  const rows = plan.map((p, i) => [String(i + 1), p.config.id, p.finished ? 'done' : 'to run', String(estimate.perCell[p.config.id] ?? 0), p.cell.label]);
  const b = estimate.byStage;
  return [
    textTable(['#', 'cell', 'state', 'calls≤', 'settings'], rows),
    '',
    `${plan.length} cells (${plan.filter((p) => !p.finished).length} to run); LLM calls at most ${estimate.total} before the cache ` +
      `(reflection ${b.reflection}, training ${b.training}, evaluation ${b.evaluation}; counted once per distinct inputs)`,
  ].join('\n');
}

export function studyEventPrinter(io: CliIO): (e: StudyEvent) => void {
  return (e) => {
    switch (e.kind) {
      case 'plan':
        io.logger.log('info', `study: ${e.cells.length} cells, ${e.cells.filter((c) => c.finished).length} already done; at most ${e.estimate.total} LLM calls before the cache`);
        break;
      case 'cell-start':
        io.logger.log('info', `[cell ${e.position}/${e.total}] ${e.cell.config.id} ${e.cell.cell.label}`);
        break;
      case 'cell-progress':
        if (e.event.kind === 'done' || e.event.kind === 'skip') io.logger.log('debug', `  ${e.cell.config.id} [${e.event.stage}] ${e.event.kind}`);
        break;
      case 'cell-done':
        io.logger.log('info', `[done ${e.done}/${e.total}] ${e.cell.config.id} in ${e.seconds.toFixed(1)}s, ${e.calls} LLM calls`);
        break;
      case 'cell-failed':
        io.logger.log('error', `cell ${e.cell.config.id} (${e.cell.cell.label}) failed: ${e.error}`);
        break;
      case 'budget':
        io.logger.log('warn', `budget reached: ${e.calls} calls >= --max-calls ${e.maxCalls}; stopping (run again with a larger budget to continue)`);
        break;
      default: {
        const never: never = e;
        throw new Error(`unhandled study event ${JSON.stringify(never)}`);
      }
    }
  };
}

export function formatStudyResults(r: StudyResults, studyPath: string, htmlPath?: string): string {
  const out: string[] = [];
  for (const t of studyTables(r)) {
    if (t.id.startsWith('figure')) continue;
    out.push(t.caption.replace(/\$\\pm\$/g, '±').replace(/\\%/g, '%'), textTable(t.latex.header.map((h) => h.replace(/\\%/g, '%')), t.latex.rows), '');
  }
  const done = r.cells.filter((c) => c.status === 'done').length;
  out.push(`${done}/${r.cells.length} cells done${r.complete ? '' : ' (incomplete: run the same command again to continue)'}; ` +
    `${r.usage.calls} LLM calls in ${r.usage.seconds.toFixed(1)}s (the finished cells made ${r.usage.cellCalls} when they ran)`);
  out.push(`study ${studyPath}`);
  if (htmlPath) out.push(`page  ${htmlPath}`);
  return out.join('\n');
}
