import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, resolve, sep } from 'node:path';

/** Where a file lives: `domain`, `application`, `adapters/<technology>`, `entrypoints`, `web`. */
export function layerOf(pathFromSrc: string): string {
  const [top, second] = pathFromSrc.split('/');
  return top === 'adapters' ? `adapters/${second}` : (top ?? '');
}

/** Every module specifier a TypeScript source imports or re-exports, types included. */
export function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern =
    /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*\(?\s*['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) found.push((match[1] ?? match[2]) as string);
  return found;
}

/** Why `specifier`, imported by `file` (path from src/), breaks the layer rules; undefined if it does not. */
export function violation(file: string, specifier: string): string | undefined {
  const from = layerOf(file);
  if (from === 'entrypoints') return undefined;
  if (!specifier.startsWith('.')) {
    return from.startsWith('adapters/') ? undefined : `${from} imports the package ${specifier}`;
  }
  const target = posix.normalize(posix.join(posix.dirname(file), specifier));
  if (target.startsWith('..')) return `${file} imports ${specifier}, outside src`;
  const to = layerOf(target);
  const allowed: Record<string, readonly string[]> = {
    domain: ['domain'],
    application: ['domain', 'application'],
    // The page runs in a browser: it speaks the protocol, it shares no code with the server.
    web: ['web'],
  };
  const ok = from.startsWith('adapters/') ? to === 'domain' || to === from : (allowed[from] ?? []).includes(to);
  return ok ? undefined : `${from} imports ${to} (${file} -> ${specifier})`;
}

/** Every violation in the tree under `srcDir`. */
export function checkTree(srcDir: string): string[] {
  const problems: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) {
        const file = relative(srcDir, path).split(sep).join('/');
        for (const specifier of importsOf(readFileSync(path, 'utf8'))) {
          const problem = violation(file, specifier);
          if (problem !== undefined) problems.push(problem);
        }
      }
    }
  };
  walk(resolve(srcDir));
  return problems;
}

export const srcDirOf = (testFileUrl: string) => join(dirname(new URL(testFileUrl).pathname), '..', '..', 'src');
