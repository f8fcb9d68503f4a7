// The floor for a Node process: start, print its peak RSS.
console.log(JSON.stringify({ ms: 0, rss: process.resourceUsage().maxRSS * 1024 }));
