declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options of dynalite 4 this project uses; the package ships no types. */
  interface DynaliteOptions {
    readonly createTableMs?: number;
    readonly deleteTableMs?: number;
    readonly updateTableMs?: number;
    /** LevelDB directory; in memory when absent. */
    readonly path?: string;
  }

  /** A DynamoDB-compatible HTTP server; `close` also closes its store. */
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
