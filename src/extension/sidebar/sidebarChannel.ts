/**
 * The host end of the sidebar webview: the webview says `sidebar/ready` before the host posts
 * anything (a snapshot posted earlier would be lost while its script loads); the host then sends
 * the latest complete state, and every later state. Incoming messages are checked with
 * `asSidebarCommand`; anything else is logged and dropped.
 */
import { asSidebarCommand, type SidebarCommand, type SidebarNotification, type SidebarState } from '../../protocol/webview';

export interface Poster {
  postMessage(msg: SidebarNotification): PromiseLike<boolean> | boolean;
}

export class SidebarChannel {
  private view: Poster | undefined;
  private ready = false;
  private latest: SidebarState | undefined;

  constructor(
    private readonly handle: (cmd: SidebarCommand) => void | Promise<void>,
    private readonly warn: (message: string) => void,
  ) {}

  /** A (new) webview is attached: wait for its ready message. */
  attach(view: Poster): void {
    this.view = view;
    this.ready = false;
  }

  detach(view: Poster): void {
    if (this.view === view) {
      this.view = undefined;
      this.ready = false;
    }
  }

  publish(state: SidebarState): void {
    this.latest = state;
    this.flush();
  }

  async receive(raw: unknown): Promise<void> {
    const cmd = asSidebarCommand(raw);
    if (!cmd) {
      const type = raw && typeof raw === 'object' ? String((raw as { type?: unknown }).type).slice(0, 60) : typeof raw;
      this.warn(`sidebar: ignored malformed message (type ${type})`);
      return;
    }
    if (cmd.type === 'sidebar/ready') {
      this.ready = true;
      this.flush();
    }
    await this.handle(cmd);
  }

  private flush(): void {
    if (this.view && this.ready && this.latest) void this.view.postMessage({ type: 'sidebar/state', state: this.latest });
  }
}
