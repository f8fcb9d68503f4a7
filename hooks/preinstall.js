// The "preinstall" script `native-guard init` writes imports this file: `native-guard check`, in hook mode.
import { run } from './run.js';

await run('preinstall');
