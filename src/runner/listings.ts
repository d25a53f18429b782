/**
 * Which names exist in the output folder, from one listing per folder (no failing stat per
 * planned output): anything at a name counts — file, link (never followed), folder. A folder
 * missing from its parent's listing is never read, so a fresh `--out` costs one listing.
 */

/** Reads the entry names of one folder; throws when it cannot. */
export type ReadDirNames = (dir: string) => Iterable<string>;

const readDirNames: ReadDirNames = (dir) => [...Deno.readDirSync(dir)].map((e) => e.name);

/** Existence of paths below `root` (absolute, `/`-separated), each folder listed once. */
export class Listings {
  readonly #names = new Map<string, Set<string> | null>();
  readonly #root: string;
  readonly #readDir: ReadDirNames;

  constructor(root: string, readDir: ReadDirNames = readDirNames) {
    this.#root = root;
    this.#readDir = readDir;
  }

  #list(dir: string): Set<string> | null {
    let names = this.#names.get(dir);
    if (names !== undefined) return names;
    names = null;
    // Below the root, a folder its parent does not list does not exist.
    if (!dir.startsWith(`${this.#root}/`) || this.has(dir)) {
      try {
        names = new Set(this.#readDir(dir));
      } catch {
        names = null;
      }
    }
    this.#names.set(dir, names);
    return names;
  }

  /** Whether something is at `path` (lstat-level). */
  has(path: string): boolean {
    const slash = path.lastIndexOf("/");
    return this.#list(path.slice(0, slash))?.has(path.slice(slash + 1)) ?? false;
  }
}
