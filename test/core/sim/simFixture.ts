/**
 * A small movie dataset built in code for the simulator and client tests (no importer needed).
 * 120 movies over 6 genres x 6 decades; directors and countries cycle independently of genre,
 * so movie i of every genre shares decade, director and country with movie i of the others.
 * Session "horror": eight horror films from mixed decades, directors and countries; its target
 * is the only horror film among the candidates, while a dozen distractors share the history's
 * decades and countries. A genre hint should lift the target; a country hint should not.
 */
import type { Item, Session, SessionDataset } from '../../../src/core/data/types';
import { DEFAULT_DOMAIN } from '../../../src/core/data/types';
import { buildRankPrompt, rankPromptOptions } from '../../../src/core/prompts/rank';
import { defaultConfig } from '../../../src/core/config/defaults';
import type { ChatMessage } from '../../../src/core/llm/types';

const GENRES = ['Horror', 'Comedy', 'Drama', 'Sci-Fi', 'Romance', 'Western'];
const DECADES = [1950, 1960, 1970, 1980, 1990, 2000];
const COUNTRIES = ['USA', 'France', 'Japan', 'UK'];

function movieId(g: number, i: number): string {
  return String(g * 20 + i + 1);
}

export function fixtureDataset(): SessionDataset {
  const items = new Map<string, Item>();
  GENRES.forEach((genre, g) => {
    for (let i = 0; i < 20; i++) {
      const id = movieId(g, i);
      const year = DECADES[i % 6]! + ((i * 3) % 10);
      items.set(id, {
        id,
        title: `${genre} Tale ${i + 1}`,
        attributes: {
          year: [String(year)],
          genres: [genre],
          directors: [`Director ${i % 5}`],
          countries: [COUNTRIES[i % 4]!],
        },
      });
    }
  });
  // Horror history: items 0..7 of genre 0 (decades 1950..2000, directors 0..4, countries mixed).
  const horror: Session = {
    id: 'horror',
    history: [0, 1, 2, 3, 4, 5, 6, 7].map((i) => movieId(0, i)),
    target: movieId(0, 19),
    candidates: [
      // distractors first: other genres, sharing decades and countries with the history
      ...[1, 2, 3, 4, 5].flatMap((g) => [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => movieId(g, i))),
      movieId(0, 19),
      movieId(1, 10),
      movieId(2, 10),
      movieId(3, 10),
      movieId(4, 10),
    ],
  };
  // Mixed sessions for the simulator's calibration and for the server tests.
  const mixed: Session[] = [0, 1, 2, 3, 4].map((k) => ({
    id: `mixed-${k}`,
    history: GENRES.map((_, g) => movieId(g, (k + g) % 20)),
    target: movieId((k + 1) % 6, 15),
    candidates: Array.from({ length: 50 }, (_, j) => movieId(j % 6, (j * 7 + k) % 20)).filter((v, i, a) => a.indexOf(v) === i),
  }));
  for (const s of mixed) if (!s.candidates.includes(s.target)) s.candidates[0] = s.target;
  return {
    name: 'sim-fixture',
    root: '/nonexistent/sim-fixture',
    domain: DEFAULT_DOMAIN,
    items,
    splits: { train: [horror, ...mixed.slice(0, 3)], validation: [mixed[3]!], test: [mixed[4]!] },
    hash: 'fixture',
    report: { format: 'jsonl', files: [], skippedRows: 0, skippedExamples: [], notes: [] },
  };
}

/** The rank prompt for a session exactly as the pipeline builds it. */
export function rankMessages(dataset: SessionDataset, session: Session, hint?: string): ChatMessage[] {
  return buildRankPrompt(dataset, session, rankPromptOptions(defaultConfig()), hint).messages;
}

/** 1-based rank of a title in a "1. Title" answer, or Infinity. */
export function rankOfTitle(answer: string, title: string): number {
  const lines = answer.split('\n').map((l) => l.replace(/^\s*\d+\.\s*/, '').trim());
  const i = lines.indexOf(title);
  return i < 0 ? Infinity : i + 1;
}
