/**
 * `re2llm runs annotate RUN_DIR`: name, star or annotate a run from the command line, as the
 * results panel does. The annotations live in the run's results.json (run.name, run.starred,
 * run.notes), written by the same read-modify-write as the panel's (updateRunInfo).
 */
import type { Command } from 'commander';
import { ioFor } from './shared';
import { updateRunInfo, type RunInfoPatch } from '../../core/evaluate/runInfo';
import { InputError } from '../../core/util/errors';

interface AnnotateFlags {
  name?: string;
  star?: boolean;
  unstar?: boolean;
  notes?: string;
}

/** The patch the flags ask for; refuses contradictory or empty requests. */
export function patchFromFlags(flags: AnnotateFlags): RunInfoPatch {
  if (flags.star && flags.unstar) throw new InputError('--star and --unstar contradict each other', undefined, undefined, 'starred');
  const patch: RunInfoPatch = {};
  if (flags.name !== undefined) patch.name = flags.name;
  if (flags.star) patch.starred = true;
  if (flags.unstar) patch.starred = false;
  if (flags.notes !== undefined) patch.notes = flags.notes;
  if (!Object.keys(patch).length) throw new InputError('nothing to change: give --name, --star, --unstar or --notes');
  return patch;
}

export function register(program: Command): void {
  const runs = program.command('runs').description('manage run folders (name, star and notes shown in the results panel and the sidebar)');
  runs
    .command('annotate')
    .description('set the name, star or notes of a run (stored in its results.json); an empty --name or --notes removes it')
    .argument('<run>', 'run folder holding results.json')
    .option('--name <name>', 'display name of the run (at most 200 characters)')
    .option('--star', 'star the run')
    .option('--unstar', 'remove the star')
    .option('--notes <text>', 'free notes on the run (at most 5000 characters)')
    .action(async (runDir: string, flags: AnnotateFlags, cmd: Command) => {
      const io = ioFor(cmd);
      const results = await updateRunInfo(runDir, patchFromFlags(flags));
      const { id, name, starred, notes } = results.run;
      io.result({ run: id, dir: runDir, name: name ?? null, starred: !!starred, notes: notes ?? null }, () =>
        `${starred ? '★ ' : ''}${name ?? id} (${id})${notes ? `\n  ${notes.split('\n').join('\n  ')}` : ''}`);
    });
}
