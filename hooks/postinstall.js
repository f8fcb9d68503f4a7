// The "postinstall" script `native-guard init` writes imports this file: `native-guard verify`, in hook mode.
import { run } from './run.js';

await run('postinstall');
