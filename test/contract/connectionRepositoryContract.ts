import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionRepository } from '../../src/domain/index.js';
import { collect, newId } from '../support/fakes.js';

export interface RepositoryHarness {
  readonly repository: ConnectionRepository;
  /** Releases what the factory acquired (tables, keys, clients). */
  close(): Promise<void>;
}

export interface RepositoryFactoryOptions {
  /** The page size the adapter under test must list with. */
  readonly pageSize: number;
}

/**
 * What every ConnectionRepository promises. Call once per adapter; the factory must give each
 * test fresh, empty state.
 */
export function connectionRepositoryContract(
  name: string,
  factory: (options: RepositoryFactoryOptions) => Promise<RepositoryHarness>,
): void {
  describe(`ConnectionRepository contract: ${name}`, () => {
    const pageSize = 10;
    let harness: RepositoryHarness;
    let repository: ConnectionRepository;

    beforeEach(async () => {
      harness = await factory({ pageSize });
      repository = harness.repository;
    });
    afterEach(async () => {
      await harness.close();
    });

    const listed = async () => (await collect(repository.list())).flat().sort();

    it('lists nothing when nobody is connected', async () => {
      expect(await listed()).toEqual([]);
    });

    it('lists a connection once it is added', async () => {
      const id = newId();
      await repository.add(id);
      expect(await listed()).toEqual([id]);
    });

    it('treats adding the same id twice as harmless', async () => {
      const id = newId();
      await repository.add(id);
      await repository.add(id);
      expect(await listed()).toEqual([id]);
    });

    it('forgets a removed connection and keeps the others', async () => {
      const [a, b] = [newId(), newId()];
      await repository.add(a);
      await repository.add(b);
      await repository.remove(a);
      expect(await listed()).toEqual([b]);
    });

    it('treats removing an unknown id as harmless', async () => {
      const id = newId();
      await repository.add(id);
      await expect(repository.remove(newId())).resolves.toBeUndefined();
      expect(await listed()).toEqual([id]);
    });

    it('treats removing twice as harmless', async () => {
      const id = newId();
      await repository.add(id);
      await repository.remove(id);
      await expect(repository.remove(id)).resolves.toBeUndefined();
      expect(await listed()).toEqual([]);
    });

    it('lists every member exactly once across pages no larger than the page size', async () => {
      const ids = Array.from({ length: pageSize * 3 + 7 }, () => newId());
      for (const id of ids) await repository.add(id);
      const pages = await collect(repository.list());
      expect(pages.length).toBeGreaterThanOrEqual(4);
      for (const page of pages) expect(page.length).toBeLessThanOrEqual(pageSize);
      expect(pages.flat().sort()).toEqual([...ids].sort());
    });

    it('keeps every concurrent add', async () => {
      const ids = Array.from({ length: 50 }, () => newId());
      await Promise.all(ids.map((id) => repository.add(id)));
      expect(await listed()).toEqual([...ids].sort());
    });

    it('still lists the members nobody removed while a listing is under way', async () => {
      const ids = Array.from({ length: pageSize * 2 + 3 }, () => newId());
      for (const id of ids) await repository.add(id);
      const seen: string[] = [];
      let removedCount = 0;
      for await (const page of repository.list()) {
        seen.push(...page);
        if (removedCount === 0) {
          for (const id of page) await repository.remove(id);
          removedCount = page.length;
        }
      }
      expect([...seen].sort()).toEqual([...ids].sort());
      expect(removedCount).toBeGreaterThan(0);
      expect(await listed()).toHaveLength(ids.length - removedCount);
    });
  });
}
