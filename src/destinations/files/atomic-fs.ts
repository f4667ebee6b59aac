import { randomBytes } from 'node:crypto';
import { mkdir, open, readlink, rename, rm, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FileIoError } from './errors.js';

/**
 * The few file-system moves the destination makes, each durable when it resolves: a file is
 * fsynced before it is renamed into place, and the folder after, so that a crash keeps either the
 * old name or the complete new file. Failures become `FileIoError`s naming the path.
 */

/** Runs `task`, turning a failure into a `FileIoError` about `path`. */
export async function onPath<T>(action: string, path: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (error) {
    if (error instanceof FileIoError) throw error;
    throw new FileIoError(action, path, error);
  }
}

/** Flushes a file's contents to disk. */
export function syncFile(path: string): Promise<void> {
  return onPath('flush', path, async () => {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/**
 * Flushes a folder's entries (a rename or a new file in it) to disk. File systems that cannot
 * fsync a folder (EISDIR, EINVAL) are taken as having nothing to flush.
 */
export function syncFolder(path: string): Promise<void> {
  return onPath('flush folder', path, async () => {
    let handle: Awaited<ReturnType<typeof open>> | undefined;
    try {
      handle = await open(path, 'r');
      await handle.sync();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'EINVAL') throw error;
    } finally {
      await handle?.close();
    }
  });
}

/** Creates a folder (and its parents) if missing, and flushes the folder that gained an entry. */
export async function ensureFolder(path: string): Promise<void> {
  const first = await onPath('create folder', path, () => mkdir(path, { recursive: true }));
  if (first !== undefined) await syncFolder(dirname(first));
}

/** Removes a file or folder tree; a missing one is fine. Errors are reported, not thrown. */
export async function removeQuietly(path: string): Promise<unknown> {
  try {
    await rm(path, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return error;
  }
}

/**
 * Moves a complete, fsynced file `from` to `to` (same folder) and flushes the folder: from then on
 * the file is in place for good. On failure `from` is removed and `to` untouched.
 */
export async function publishFile(from: string, to: string): Promise<void> {
  try {
    await onPath('rename into place', to, () => rename(from, to));
  } catch (error) {
    await removeQuietly(from);
    throw error;
  }
  await syncFolder(dirname(to));
}

/**
 * Replaces `path` with `contents` atomically: a temporary file next to it is written, fsynced and
 * renamed over it, then the folder is flushed. A crash leaves the old file or the new one.
 */
export async function writeFileAtomically(path: string, contents: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await onPath('write', path, async () => {
      const handle = await open(temporary, 'wx');
      try {
        await handle.writeFile(contents, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
  } catch (error) {
    await removeQuietly(temporary);
    throw error;
  }
  await publishFile(temporary, path);
}

/** Where the symlink `path` points, or undefined when there is none. */
export async function readLinkTarget(path: string): Promise<string | undefined> {
  try {
    return await readlink(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new FileIoError('read link', path, error);
  }
}

/**
 * Points the symlink `path` at `target` atomically: a new symlink under a temporary name is renamed
 * over the old one, so a reader resolving `path` finds the old target or the new one, never none.
 */
export async function switchLink(path: string, target: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}-${randomBytes(6).toString('hex')}`);
  try {
    await onPath('create link', path, () => symlink(target, temporary));
    await onPath('switch link', path, () => rename(temporary, path));
  } catch (error) {
    await removeQuietly(temporary);
    throw error;
  }
  await syncFolder(dirname(path));
}

/** Removes the symlink `path` (a missing one is fine) and flushes its folder. */
export async function removeLink(path: string): Promise<void> {
  await onPath('remove', path, () => rm(path, { force: true }));
  await syncFolder(dirname(path));
}
