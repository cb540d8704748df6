import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The installed package's root (where examples/ lives), from dist/cli.js or from the TS sources. */
export function packageRoot(start: string = __dirname): string {
  let dir = start;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 're2llm-studio') return dir;
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the re2llm-studio package root above ${start}`);
    dir = up;
  }
}
