/** A one-line progress bar on stderr (redrawn in place on a terminal, printed at the end otherwise). */
export class ProgressBar {
  private readonly started = Date.now();
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly write: (text: string) => void,
    private readonly tty: boolean = process.stderr.isTTY ?? false,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (this.tty && (now - this.lastDraw > 100 || done === this.total)) {
      this.lastDraw = now;
      this.write(`\r${this.line(done)}`);
    }
  }

  finish(done: number): void {
    this.write(`${this.tty ? '\r' : ''}${this.line(done)}\n`);
  }

  private line(done: number): string {
    const width = 30;
    const share = this.total === 0 ? 1 : done / this.total;
    const filled = Math.round(share * width);
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${this.total} (${Math.round(share * 100)}%) ${rate}/s`;
  }
}
