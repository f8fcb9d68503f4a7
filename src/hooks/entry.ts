// What hooks/run.js imports: the cache check first, the real hook (run.ts, and with it Arborist's import
// graph, ~0.5 s) only on a miss. This file and cache.ts load nothing but node: built-ins and the
// bounded reader, so an unchanged project's hook costs little more than a bare Node start.
import { answerCache } from './cache.js';
import type { CacheIo, HookAnswer } from './cache.js';
import type { HookEvent } from './init-plan.js';

/** runHook with the answer cache in front: same arguments, same result as hooks/run.ts's. */
export async function runHook(event: HookEvent, io: CacheIo): Promise<HookAnswer> {
  const cache = answerCache(event, io);
  const hit = cache?.lookup();
  if (hit) return hit;
  const hook = (await import('./run.js')) as { runHook?: unknown };
  // an older or broken build beside this file: hooks/run.js words it as one line and fails open
  if (typeof hook.runHook !== 'function') throw new Error('dist/hooks/run.js does not export runHook');
  const run = hook.runHook as (event: HookEvent, io: CacheIo & { cache?: unknown }) => Promise<HookAnswer>;
  return run(event, cache ? { ...io, cache } : io);
}
