// Minimal typings for @npmcli/package-json and @npmcli/map-workspaces: only what `init` uses.

declare module '@npmcli/package-json' {
  class PackageJson {
    static load(path: string, opts?: { create?: boolean }): Promise<PackageJson>;
    /** The parsed manifest; carries Symbol.for('indent') and Symbol.for('newline') from the file. */
    readonly content: Record<string | symbol, unknown>;
    readonly filename: string;
    update(content: Record<string, unknown>): this;
    save(opts?: { sort?: boolean }): Promise<void>;
  }
  export default PackageJson;
}

declare module '@npmcli/map-workspaces' {
  /** Workspace name → absolute folder, from the `workspaces` globs of `pkg` under `cwd`. */
  function mapWorkspaces(opts: { cwd: string; pkg: Record<string, unknown> }): Promise<Map<string, string>>;
  export default mapWorkspaces;
}
