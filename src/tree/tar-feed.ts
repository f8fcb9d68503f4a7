/** Feeding a tarball stream to tar's parser in small slices, with backpressure, so a stopped read stops early. */
import { Writable } from 'node:stream';
import type { Parser } from 'tar';

export const FEED_BYTES = 8 * 1024;

/**
 * Pipes `stream` into `parser` a slice at a time, waiting whenever the parser asks to. node-tar
 * inflates each write in one go, so one big chunk of a tarball that compresses well (npm's cache
 * hands over a whole file at once; a 150 MB `.node` of mostly zeros gzips to under 1 MB) would
 * become hundreds of megabytes before anything reads them. A plain pipe from the stream, since
 * pacote tees it into npm's cache as well (pausing that stream by hand made the cached copy fail
 * its integrity check); once `stopped`, and after the returned function is called, the rest is
 * drained unread.
 */
export function feed(stream: NodeJS.ReadableStream, parser: Parser, stopped: () => boolean): () => void {
  let waiting: (() => void) | null = null;
  const slicer = new Writable({
    write(chunk: Buffer, _encoding, done) {
      let at = 0;
      const next = (): void => {
        while (at < chunk.length && !stopped()) {
          const slice = chunk.subarray(at, at + FEED_BYTES);
          at += slice.length;
          if (!parser.write(slice)) {
            waiting = () => {
              waiting = null;
              next();
            };
            parser.once('drain', () => waiting?.());
            return;
          }
        }
        done();
      };
      next();
    },
    final(done) {
      parser.end();
      done();
    },
  });
  stream.pipe(slicer);
  // a parser that failed may never drain: let the rest of the stream through unread
  return () => waiting?.();
}
