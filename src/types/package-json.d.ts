// Minimal typings for @npmcli/map-workspaces: only what native-guard uses.

declare module '@npmcli/map-workspaces' {
  /** Workspace name → absolute folder, from the `workspaces` globs of `pkg` under `cwd`. */
  function mapWorkspaces(opts: { cwd: string; pkg: Record<string, unknown> }): Promise<Map<string, string>>;
  export default mapWorkspaces;
}
