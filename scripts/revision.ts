/**
 * Another revision of this repository, checked out beside the working tree so
 * that a benchmark can run its code and the working tree's side by side in one
 * process (`npm run bench:compute -- --against REV`): a detached git worktree
 * in the system's temporary folder. Its node_modules links to this one's
 * installed packages, except the workspace's own (packages/*), which link to
 * the revision's, so its imports of `@attention-guide/…` load its own code.
 * Nothing is installed and nothing in the working tree changes.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..');

export interface Revision {
  /** The worktree's folder: import `${dir}/src/…` to load the revision's code. */
  readonly dir: string;
  /** The revision's short commit id. */
  readonly commit: string;
  /** Deletes the worktree (once; later calls do nothing). */
  remove(): void;
}

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function checkOutRevision(rev: string): Revision {
  let commit: string;
  try {
    commit = git('rev-parse', '--short', '--verify', `${rev}^{commit}`);
  } catch {
    throw new Error(`"${rev}" names no commit of this repository.`);
  }
  const dir = join(mkdtempSync(join(tmpdir(), 'attention-guide-')), commit);
  git('worktree', 'add', '--detach', dir, commit);
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    git('worktree', 'remove', '--force', dir);
    rmSync(dirname(dir), { recursive: true, force: true });
  };
  try {
    const modules = join(dir, 'node_modules');
    mkdirSync(modules);
    const own = new Map<string, string>();
    for (const name of readdirSync(join(dir, 'packages'))) {
      const manifest = join(dir, 'packages', name, 'package.json');
      if (existsSync(manifest)) own.set((JSON.parse(readFileSync(manifest, 'utf8')) as { name: string }).name, join(dir, 'packages', name));
    }
    const link = (name: string) => {
      const at = join(modules, name);
      if (existsSync(at)) return;
      mkdirSync(dirname(at), { recursive: true });
      symlinkSync(own.get(name) ?? join(ROOT, 'node_modules', name), at);
    };
    for (const entry of readdirSync(join(ROOT, 'node_modules'))) {
      // Scopes (@astrojs, @attention-guide, …) package by package, so the workspace's own can be the revision's.
      if (entry.startsWith('@')) for (const name of readdirSync(join(ROOT, 'node_modules', entry))) link(`${entry}/${name}`);
      else link(entry);
    }
    for (const name of own.keys()) link(name);
  } catch (error) {
    remove();
    throw error;
  }
  return { dir, commit, remove };
}
