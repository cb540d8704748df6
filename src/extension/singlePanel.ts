/**
 * The one panel of a kind a host keeps (runs table, training curves, prompt diff): created on the
 * first open, revealed on later ones, forgotten when the user closes it. Its page sends a ready
 * message first; until then nothing is posted (a message before it would be lost), so `ready`
 * is the panel only once `markReady` was called for it. A panel VS Code restores after a window
 * reload is adopted instead of created.
 */
interface ClosablePanel {
  reveal(): void;
  onMessage(handler: (msg: unknown) => void): void;
  onDispose(handler: () => void): void;
}

export class SinglePanel<P extends ClosablePanel> {
  private panel: P | undefined;
  private pageReady = false;

  constructor(
    private readonly create: () => P,
    private readonly receive: (msg: unknown) => void,
  ) {}

  /** The open panel once its page is ready; undefined before (or when closed). */
  get ready(): P | undefined {
    return this.pageReady ? this.panel : undefined;
  }

  /** The page of the open panel said it is ready. */
  markReady(): void {
    if (this.panel) this.pageReady = true;
  }

  /** Reveals the open panel (true: post to it now) or creates one (false: its ready message follows). */
  show(): boolean {
    if (this.panel) {
      this.panel.reveal();
      return true;
    }
    this.adopt(this.create());
    return false;
  }

  /** Takes `panel` (restored after a reload) as the open one; its page's ready message follows. */
  adopt(panel: P): void {
    this.panel = panel;
    this.pageReady = false;
    panel.onMessage(this.receive);
    panel.onDispose(() => {
      if (this.panel !== panel) return;
      this.panel = undefined;
      this.pageReady = false;
    });
  }
}
