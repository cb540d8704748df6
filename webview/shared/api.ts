/**
 * The typed VS Code API of a webview, and the ready handshake: the page installs its message
 * listener first, then says it is ready, and the host answers with a complete snapshot. Persisted
 * view state goes through setState/getState (no retainContextWhenHidden).
 */
export interface HostApi<Command, Persisted> {
  post(cmd: Command): void;
  getState(): Persisted | undefined;
  setState(state: Persisted): void;
}

/**
 * Acquires the API (once per page, as VS Code requires), routes host messages to `onMessage`
 * (which must check them: they are plain data), then posts `ready`.
 */
export function connectHost<Command, Persisted>(ready: Command, onMessage: (data: unknown) => void): HostApi<Command, Persisted> {
  const vscode = acquireVsCodeApi<Persisted>();
  window.addEventListener('message', (event: MessageEvent) => onMessage(event.data));
  const api: HostApi<Command, Persisted> = {
    post: (cmd) => vscode.postMessage(cmd),
    getState: () => vscode.getState(),
    setState: (s) => void vscode.setState(s),
  };
  api.post(ready);
  return api;
}
