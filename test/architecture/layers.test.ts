import { describe, expect, it } from 'vitest';
import { checkTree, importsOf, srcDirOf, violation } from './layerRules.js';

describe('layer rules', () => {
  it('hold for every file under src', () => {
    expect(checkTree(srcDirOf(import.meta.url))).toEqual([]);
  });

  describe('violation', () => {
    it.each([
      ['domain/Thing.ts', 'node:crypto'],
      ['domain/Thing.ts', 'inversify'],
      ['domain/Thing.ts', '../application/JoinChat.js'],
      ['application/JoinChat.ts', 'ws'],
      ['application/JoinChat.ts', '../adapters/memory/index.js'],
      ['application/JoinChat.ts', '../entrypoints/tokens.js'],
      ['adapters/redis/RedisThing.ts', '../../application/index.js'],
      ['adapters/redis/RedisThing.ts', '../ws/index.js'],
      ['adapters/redis/RedisThing.ts', '../../entrypoints/log.js'],
    ])('rejects %s importing %s', (file, specifier) => {
      expect(violation(file, specifier)).toBeDefined();
    });

    it.each([
      ['domain/Thing.ts', './ConnectionId.js'],
      ['application/JoinChat.ts', '../domain/index.js'],
      ['adapters/redis/RedisThing.ts', 'ioredis'],
      ['adapters/redis/RedisThing.ts', './keys.js'],
      ['adapters/redis/RedisThing.ts', '../../domain/index.js'],
      ['entrypoints/server/main.ts', '../../adapters/ws/index.js'],
    ])('allows %s importing %s', (file, specifier) => {
      expect(violation(file, specifier)).toBeUndefined();
    });
  });

  describe('importsOf', () => {
    it('finds static, type-only, re-exported, side-effect and dynamic imports', () => {
      const source = [
        "import { a } from './a.js';",
        "import type { B } from '../b.js';",
        "export * from './c.js';",
        "import 'reflect-metadata';",
        "const d = await import('./d.js');",
        'import {\n  e,\n  f,\n} from "./ef.js";',
      ].join('\n');
      expect(importsOf(source)).toEqual(['./a.js', '../b.js', './c.js', 'reflect-metadata', './d.js', './ef.js']);
    });
  });
});
