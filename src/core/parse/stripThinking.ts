/**
 * Reasoning models (served by Ollama, vLLM, ...) may think aloud in `<think>...</think>` before
 * answering, often drafting lists, hints or a "no" they later revise. Every reader of an answer
 * drops that part first; an unclosed block runs to the end of the answer.
 */
export function stripThinking(answer: string): string {
  return answer.replace(/<think>[\s\S]*?(?:<\/think>|$)/gi, '').trim();
}
