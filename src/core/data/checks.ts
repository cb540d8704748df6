/**
 * Content checks every dataset gets after import, reported as notes (they are not errors: the
 * authors' own pickles list the target twice among the 50 candidates in 28 sessions, because
 * their negative sampler did not exclude the target; we keep their lists as they are so prompts
 * and recorded answers stay comparable).
 */
import type { Session, SplitName } from './types';

export function contentNotes(splits: Record<SplitName, Session[]>): string[] {
  const notes: string[] = [];
  for (const [split, sessions] of Object.entries(splits) as Array<[SplitName, Session[]]>) {
    if (sessions.length === 0) {
      notes.push(`the ${split} split is empty`);
      continue;
    }
    const repeated = sessions.filter((s) => new Set(s.candidates).size !== s.candidates.length);
    if (repeated.length) {
      const ids = repeated.slice(0, 5).map((s) => s.id).join(', ');
      notes.push(`${split}: ${repeated.length} session(s) repeat a candidate id (kept as is), e.g. ${ids}`);
    }
    const sizes = new Set(sessions.map((s) => s.candidates.length));
    if (sizes.size > 1) notes.push(`${split}: candidate list sizes vary (${[...sizes].sort((a, b) => a - b).join(', ')})`);
  }
  return notes;
}
