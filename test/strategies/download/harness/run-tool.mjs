// Runs a real download tool's CLI (prebuild-install bin.js, node-pre-gyp main) in this process with
// its network and build steps replaced, and writes what it did to $HARNESS_OUT:
// the URL it requested, the npm-cache/local files it looked at, the .node path it resolved,
// whether it fell back to (or went straight to) a source build, and the error it stopped on.
// Started by run-tool.ts with the package.json in the working directory and argv = the tool's args.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';

const tool = process.env.HARNESS_TOOL;
const kind = process.env.HARNESS_KIND;
const outFile = process.env.HARNESS_OUT;
const load = createRequire(path.join(tool, 'package.json'));

const result = {
  requested: [],
  built: null,
  error: null,
  cachePath: null,
  localPrebuild: null,
  module: null,
};
process.on('exit', (code) => {
  result.exitCode = code;
  fs.writeFileSync(outFile, JSON.stringify(result));
});

const notFound = () => Object.assign(new Error('stubbed out'), { code: 'MODULE_NOT_FOUND' });
// every download answers 404, so the tool goes on to its fallback (or its error)
const fakeSimpleGet = (opts, cb) => {
  result.requested.push(typeof opts === 'string' ? opts : opts.url);
  setImmediate(() => cb(null, Object.assign(new EventEmitter(), { statusCode: 404, resume() {} })));
  return { setTimeout() {}, abort() {}, on() {} };
};
const fakeFetch = async (url) => {
  result.requested.push(url);
  return { ok: false, status: 404, statusText: 'Not Found' };
};
const fakeNeedle = {
  get(uri) {
    result.requested.push(uri);
    const req = Object.assign(new EventEmitter(), { pipe() {} });
    setImmediate(() => req.emit('response', { statusCode: 404, headers: {} }));
    return req;
  },
};
const fakeBuild = Object.assign(
  (gyp, argv, cb) => {
    result.built = argv;
    process.nextTick(cb);
  },
  { usage: '' },
);
const fakeClean = Object.assign((gyp, argv, cb) => process.nextTick(cb), { usage: '' });

const originalLoad = Module._load;
Module._load = function (request, parent, ...rest) {
  const fromTool = parent?.filename?.startsWith(tool + path.sep);
  if (fromTool) {
    if (request === 'simple-get') return fakeSimpleGet;
    if (request === 'node-fetch') return fakeFetch;
    if (request === 'needle') return fakeNeedle;
    if (request === 'request') throw notFound();
    if (request === './build') return fakeBuild;
    if (request === './clean') return fakeClean;
    if (request === './install') {
      const install = originalLoad.call(this, request, parent, ...rest);
      return Object.assign(
        (gyp, argv, cb) =>
          install(gyp, argv, (err, ...more) => {
            if (err) result.error = err.message;
            cb(err, ...more);
          }),
        { usage: install.usage },
      );
    }
  }
  return originalLoad.call(this, request, parent, ...rest);
};

if (kind === 'prebuild-install') {
  const util = load('./util.js');
  const { cachedPrebuild, localPrebuild } = util;
  util.cachedPrebuild = (url) => (result.cachePath = cachedPrebuild(url));
  if (localPrebuild) util.localPrebuild = (url, opts) => (result.localPrebuild = localPrebuild(url, opts));
  load('./rc.js');
  const rcModule = load.cache[load.resolve('./rc.js')];
  const rc = rcModule.exports;
  rcModule.exports = (pkg) => {
    try {
      const out = rc(pkg);
      result.rc = {
        abi: out.abi,
        runtime: out.runtime,
        target: out.target,
        libc: out.libc,
        buildFromSource: out.buildFromSource,
      };
      return out;
    } catch (err) {
      result.error = err.message;
      throw err;
    }
  };
  start('./bin.js');
} else {
  const versioning = load('./lib/util/versioning.js');
  const evaluate = versioning.evaluate;
  versioning.evaluate = (...args) => {
    const opts = evaluate(...args);
    result.module = path.relative(process.cwd(), opts.module);
    return opts;
  };
  start(kind === 'node-pre-gyp-legacy' ? './bin/node-pre-gyp' : './lib/main.js');
}

// a throw while the CLI starts up (bad config, unknown ABI) ends the tool: record it as its error
function start(entry) {
  try {
    load(entry);
  } catch (err) {
    result.error ??= err.message;
    process.exitCode = 1;
  }
}
