// analyzeDockerBuild (Dockerfile, .dockerignore, context walk, binary facts) in a fresh process, through the public API.
import { analyzeDockerBuild, currentHostEnvironment, detectHost } from '../dist/index.js';
import { inspectFile } from '../dist/binary/facts.js';
const host = await detectHost(currentHostEnvironment());
const t0 = performance.now();
const analysis = analyzeDockerBuild({
  root: process.argv[2],
  dockerfile: process.argv[3],
  targetContext: { host },
  readFacts: inspectFile,
});
const ms = performance.now() - t0;
console.log(
  JSON.stringify({ ms, rss: process.resourceUsage().maxRSS * 1024, entries: analysis.scan?.entries }),
);
