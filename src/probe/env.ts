/**
 * The environment a loader runs with: the caller's, without the credentials in it. Loading an addon
 * runs its native code, and verify loads every addon in the tree: none of them needs a registry
 * token or a cloud key to load, and any of them could send one away. What addons do read (PATH,
 * HOME, LD_LIBRARY_PATH, locale and temp variables, their own settings) stays.
 */

/** Names that hold credentials by convention. Matched case-insensitively against the whole name. */
const CREDENTIAL_NAMES: readonly RegExp[] = [
  // GITHUB_TOKEN, GH_TOKEN, NPM_TOKEN, NODE_AUTH_TOKEN, CI_JOB_TOKEN, ACTIONS_RUNTIME_TOKEN
  /_TOKEN$/i,
  /^TOKEN$/i,
  // CLIENT_SECRET, *_SECRET_KEY, AWS_SECRET_ACCESS_KEY
  /SECRET/i,
  /PASSWORD|PASSWD/i,
  /_API_KEY$|_ACCESS_KEY(?:_ID)?$|_PRIVATE_KEY$|_CREDENTIALS?$/i,
  // npm's auth settings as npm passes them down: npm_config__auth, npm_config__authToken,
  // npm_config_//registry.example/:_authToken, npm_config_//registry.example/:_password
  /^npm_config_.*_(?:auth|password)/i,
  // cloud credentials
  /^AWS_/i,
  /^AZURE_/i,
  /^GOOGLE_APPLICATION_CREDENTIALS$/i,
  /^GOOGLE_GHA_CREDS_PATH$/i,
  /^CLOUDSDK_AUTH_/i,
  // an agent that signs on the user's behalf
  /^SSH_AUTH_SOCK$/i,
  /^DOCKER_AUTH_CONFIG$/i,
];

export const isCredentialName = (name: string): boolean => CREDENTIAL_NAMES.some((re) => re.test(name));

/** The environment without its credential variables; `withheld` names them (sorted), for the record. */
export function loaderEnvironment(env: Record<string, string | undefined>): {
  env: Record<string, string | undefined>;
  withheld: string[];
} {
  const out: Record<string, string | undefined> = {};
  const withheld: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (isCredentialName(name)) withheld.push(name);
    else out[name] = value;
  }
  return { env: out, withheld: withheld.sort() };
}
