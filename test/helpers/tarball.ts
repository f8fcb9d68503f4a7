import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { create } from 'tar';

let scratch: string | null = null;

/** A gzipped package tarball as npm pack writes it: every path under `package/` (or `top`). */
export async function packTarball(
  files: Record<string, string | { copy: string }>,
  top = 'package',
): Promise<Buffer> {
  if (!scratch) {
    const dir = mkdtempSync(join(tmpdir(), 'ng-tarball-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  const dir = mkdtempSync(join(scratch, 'src-'));
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, top, path);
    mkdirSync(dirname(file), { recursive: true });
    if (typeof content === 'string') writeFileSync(file, content);
    else copyFileSync(content.copy, file);
  }
  const chunks: Buffer[] = [];
  const stream = create({ gzip: true, cwd: dir, portable: true }, [top]);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
