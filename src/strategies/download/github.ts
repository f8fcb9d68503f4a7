const GITHUB_URL = /\bgithub.com[:/]([^/"]+)\/([^/"]+)/;

const match = (json: string | undefined): string | undefined => {
  const m = json === undefined ? null : GITHUB_URL.exec(json);
  return m ? `https://github.com/${m[1]}/${m[2]!.replace(/\.git$/, '')}` : undefined;
};

/**
 * github-from-package@0.0.0, which prebuild-install uses for its default host. It only recognises
 * a literal `github.com` followed by `:` or `/`: npm's shorthands (`user/repo`, `github:user/repo`)
 * are *not* expanded, so such a package only gets a host when some other field of its manifest
 * (homepage, bugs, …) happens to contain a github.com URL — the whole manifest is scanned as JSON.
 */
export function githubFromPackage(pkg: Record<string, unknown>): string | undefined {
  return match(JSON.stringify(pkg.repository)) ?? match(JSON.stringify(pkg));
}
