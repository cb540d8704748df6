/**
 * The simulated LLM's side of reflection (a SIMULATOR for demos, tests and benchmarks: its hints
 * are templates, not insight). It recognises the reflection turns and the redundancy question by
 * the fixed phrases in reflect/prompts.ts.
 *
 * Turn 3 answers with numbered hints built from the attribute values the revealed target shares
 * with the history ("Favour movies from the 1990s, ..."), which the simulator's rank model can act
 * on, mixed with vague hints (usually ineffective), a hint naming the target (a leak), an empty
 * item and, rarely, a rambling one (overlong), so every rejection reason of the checks occurs.
 * The redundancy question is answered "yes N" / "no" by word overlap with the listed hints.
 * Everything is deterministic given the conversation and the simulator's seed.
 */
import type { ChatMessage } from '../llm/types';
import type { SessionDataset } from '../data/types';
import type { SimContext, SimResponder } from './types';
import { Rng } from '../util/rng';
import { profileOf, type Family } from './families';
import { idOfTitle, readRankPrompt } from './rankPrompt';
import { REDUNDANCY_MARKER, REFLECT_TURN1_MARKER, REFLECT_TURN2_MARKER, REFLECT_TURN3_MARKER } from '../reflect/prompts';
import { contentTokens, jaccard } from '../kb/text';

const REFLECTION_RESPONDER_NAME = 'reflection';
const REDUNDANCY_RESPONDER_NAME = 'redundancy';

/** Word overlap at or above which the simulated LLM says a hint repeats a listed one. */
const SIM_REDUNDANCY_OVERLAP = 0.5;

function lastUser(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.role === 'user') return messages[i]!.content;
  return '';
}

interface Reading {
  history: string[];
  target?: string;
  targetTitle: string;
  items: string;
}

/** The base rank prompt is the first user message; the target is named in turn 2. */
function readConversation(messages: ChatMessage[], dataset: SessionDataset): Reading {
  const first = messages.find((m) => m.role === 'user')?.content ?? '';
  const { history } = readRankPrompt(first, dataset);
  let targetTitle = '';
  for (const m of messages) {
    if (m.role !== 'user') continue;
    const i = m.content.indexOf(REFLECT_TURN2_MARKER);
    if (i < 0) continue;
    const q = /^\s*"(.*)"\.\s/s.exec(m.content.slice(i + REFLECT_TURN2_MARKER.length));
    if (q) targetTitle = q[1]!;
  }
  const target = targetTitle ? idOfTitle(dataset, targetTitle) : undefined;
  const items = /I \w+ the following (\w+)/.exec(first)?.[1] ?? 'items';
  return { history, ...(target ? { target } : {}), targetTitle, items };
}

type Kind = 'era' | 'genre' | 'people' | 'origin' | 'title' | 'other';

function kindOf(f: Family): Kind {
  if (f.kind === 'era') return 'era';
  if (f.kind === 'title') return 'title';
  const n = f.name.toLowerCase();
  if (/genre|class|categor|tag|style/.test(n)) return 'genre';
  if (/director|creator|author|developer|publisher|studio|actor|cast/.test(n)) return 'people';
  if (/countr|nation|language|region|origin/.test(n)) return 'origin';
  return 'other';
}

/**
 * Templates by kind; {v} is a shared value, {f} its family's name, {items} the domain noun.
 * Several per kind so a KB can fill up.
 */
const TEMPLATES: Record<Kind, string[]> = {
  era: [
    'Favour {items} from the {v}, the decade most of the recent ones come from.',
    'Match the release era of the history instead of defaulting to the newest titles.',
    'Give weight to {items} released in the same period as the last few in the history.',
    'When the history is full of {v} releases, older candidates deserve a higher rank.',
    'Notice whether the user watches vintage cinema and rank classics accordingly.',
    'Do not assume a preference for contemporary releases; check the years first.',
    'Candidates close in time to the latest viewings are the likeliest next picks.',
    'Year of release is a cheap, reliable filter: discard candidates far outside the usual range.',
    'If nearly everything seen dates from the {v}, expect the next choice to date from then too.',
  ],
  genre: [
    'Weigh the genres that recur in the history, especially {v}.',
    'Look for {v} {items}: the history keeps coming back to that genre.',
    'Prefer candidates whose genre mix matches the history over the most popular titles.',
    'Treat a genre that runs through most of the history as a strong signal.',
    'Read the last three viewings for their dominant theme and follow it.',
    'Blend two genres the user already combines rather than switching to an unrelated one.',
    'Rank a title of the {v} genre above a blockbuster of a genre absent from the viewing record.',
    'Identify the single most frequent category among past choices and lean on it.',
    'Surprising genre jumps are rare; keep to familiar kinds of story.',
  ],
  people: [
    'Look for directors who appear repeatedly in the history.',
    'Favour {items} by {v}, whose work already shows up in the history.',
    'A filmmaker the user keeps returning to is a better guide than overall popularity.',
    'Check who directed each candidate and reward names seen earlier in the session.',
    'Auteur loyalty is common: a new release from a familiar director often comes next.',
    'Shared creators link titles more tightly than shared popularity does.',
  ],
  origin: [
    'Consider the country of origin: the history leans towards {v} productions.',
    'Give international {items} a chance when the history includes foreign titles.',
    'Keep the regional origin of the history in mind when ranking.',
    'Someone exploring {v} cinema tends to continue with another film from there.',
    'Let national film traditions in the record guide which candidates rise.',
    'Language and country of production often stay constant across consecutive choices.',
  ],
  // Items with titles only: the shared value is a word of the titles.
  title: [
    'Look for candidates whose titles share the word "{v}" with several history items.',
    'Titles that echo the history, such as "{v}", often mean the same series or theme.',
    'Favour a candidate whose title repeats a word the recent titles keep using.',
  ],
  other: ['Look for candidates that share the {f} "{v}" with several history items.'],
};

const VAGUE = [
  'Think more carefully about what the user really wants before answering.',
  'Balance safe choices with lesser-known gems.',
  'Rank with more confidence and fewer safe picks.',
  'Avoid putting the most obvious candidate first.',
];

const RAMBLING =
  'Try to take into account absolutely everything that might possibly matter to someone like this, including but not limited to ' +
  'their habits, the time of day, their friends, what critics said, what was on television recently, the weather and the general ' +
  'atmosphere of the whole list, and then weigh all of it carefully before deciding on any ranking at all.';

/** Values of the target that the history shares, per family, most frequent in the history first. */
function sharedValues(dataset: SessionDataset, history: string[], target: string): { family: Family; values: string[] }[] {
  const profile = profileOf(dataset);
  const tv = profile.values.get(target);
  if (!tv) return [];
  return profile.families
    .map((family, f) => {
      const counts = new Map<string, number>();
      for (const h of history) for (const v of profile.values.get(h)?.[f] ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
      const values = tv[f]!.filter((v) => counts.has(v)).sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : 1));
      return { family, values };
    })
    .filter((x) => x.values.length > 0);
}

function hintsFor(reading: Reading, dataset: SessionDataset, rng: Rng): string[] {
  const out: string[] = [];
  const fill = (t: string, v: string, f: Family): string => t.replace('{v}', v).replace('{f}', f.name).replace('{items}', reading.items);
  if (reading.target) {
    for (const { family, values } of sharedValues(dataset, reading.history, reading.target)) {
      const templates = TEMPLATES[kindOf(family)];
      // One or two templates per shared family, chosen by the seeded draw.
      const picks = rng.sample(templates, Math.min(templates.length, 1 + rng.int(2)));
      for (const t of picks) out.push(fill(t, values[rng.int(Math.min(2, values.length))]!, family));
    }
  }
  rng.shuffle(out);
  const hints = out.slice(0, 4);
  if (rng.next() < 0.6 || hints.length === 0) hints.push(VAGUE[rng.int(VAGUE.length)]!);
  if (reading.targetTitle && rng.next() < 0.3) hints.splice(rng.int(hints.length + 1), 0, `Put "${reading.targetTitle}" near the top: it fits this history best.`);
  if (rng.next() < 0.15) hints.push('""');
  if (rng.next() < 0.1) hints.push(RAMBLING);
  return hints;
}

function reflectionAnswer(messages: ChatMessage[], ctx: SimContext): string {
  const last = lastUser(messages);
  const reading = readConversation(messages, ctx.dataset);
  const rng = new Rng(`sim-reflect/${ctx.seed}/${reading.history.join(',')}/${reading.target ?? ''}`);
  if (last.includes(REFLECT_TURN3_MARKER)) {
    const hints = hintsFor(reading, ctx.dataset, rng);
    return `Here are hints that should help:\n${hints.map((h, i) => `${i + 1}. ${h}`).join('\n')}`;
  }
  if (last.includes(REFLECT_TURN2_MARKER)) {
    const shared = reading.target ? sharedValues(ctx.dataset, reading.history, reading.target) : [];
    const aspects = shared.map(({ family, values }) => `${family.name}: it shares ${values.slice(0, 3).join(', ')} with the history`);
    return aspects.length
      ? `I missed it because I weighed popularity over the links to the history. Aspects:\n${aspects.map((a, i) => `${i + 1}. ${a}`).join('\n')}`
      : 'I missed it; it shares little with the history, so the signal was weak and I relied on popularity.';
  }
  return 'I probably over-weighted popular titles and under-weighted the attributes that recur in the history.';
}

/** "N. text" lines of the listed KB and the quoted new hint. */
function redundancyAnswer(messages: ChatMessage[]): string {
  const text = lastUser(messages);
  const listed: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\.\s+(.*)$/.exec(line);
    if (m) listed.push(m[2]!);
  }
  const hint = /New hint: "(.*)"\s*$/m.exec(text)?.[1] ?? '';
  const tokens = contentTokens(hint);
  let best = -1;
  let bestI = -1;
  listed.forEach((l, i) => {
    const s = jaccard(tokens, contentTokens(l));
    if (s > best) [best, bestI] = [s, i];
  });
  return best >= SIM_REDUNDANCY_OVERLAP ? `yes ${bestI + 1}` : 'no';
}

export function reflectionResponder(): SimResponder {
  return {
    name: REFLECTION_RESPONDER_NAME,
    matches: (messages) => {
      const last = lastUser(messages);
      return last.includes(REFLECT_TURN1_MARKER) || last.includes(REFLECT_TURN2_MARKER) || last.includes(REFLECT_TURN3_MARKER);
    },
    respond: reflectionAnswer,
  };
}

export function redundancyResponder(): SimResponder {
  return {
    name: REDUNDANCY_RESPONDER_NAME,
    matches: (messages) => lastUser(messages).includes(REDUNDANCY_MARKER),
    respond: (messages) => redundancyAnswer(messages),
  };
}

/** Both responders, to put before the rank responder (startSimServer({responders}); registry.ts lists them by default). */
export function reflectionResponders(): SimResponder[] {
  return [reflectionResponder(), redundancyResponder()];
}
