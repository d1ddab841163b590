/**
 * Work over a list a slice per turn of the event loop: at most `perTurn` items, then the next
 * slice after whatever else is waiting (setImmediate). With 10,000 torrents, a pass done in one
 * block (housekeeping every torrent, starting a restored session's downloads) kept a key pressed
 * meanwhile waiting 50-150 ms.
 */
export class TurnSlices<T> {
  private next = 0;
  private immediate?: NodeJS.Immediate;
  private ended = false;

  /**
   * `each` gets the item and the time its slice began (Date.now()). `done` is called once, when the
   * last item is done or when `each` throws (the run ends there and the error goes on), never
   * after cancel().
   */
  constructor(
    private readonly items: readonly T[],
    private readonly perTurn: number,
    private readonly each: (item: T, sliceStart: number) => void,
    private readonly done?: () => void,
  ) {}

  /** Runs the first slice now, the rest in later turns. */
  start(): void {
    this.slice();
  }

  /** Between start() and the end. */
  get running(): boolean {
    return !this.ended;
  }

  /** Ends the run where it is; returns the items not reached. */
  cancel(): T[] {
    if (this.immediate) clearImmediate(this.immediate);
    this.immediate = undefined;
    this.ended = true;
    const rest = this.items.slice(this.next);
    this.next = this.items.length;
    return rest;
  }

  private readonly slice = (): void => {
    this.immediate = undefined;
    if (this.ended) return;
    const now = Date.now();
    const end = Math.min(this.items.length, this.next + this.perTurn);
    let threw = true;
    try {
      // An item's work may cancel the run (a new plan takes the rest): it stops there.
      while (!this.ended && this.next < end) this.each(this.items[this.next++]!, now);
      threw = false;
    } finally {
      if (!this.ended) {
        if (threw || this.next >= this.items.length) {
          this.ended = true;
          this.done?.();
        } else {
          this.immediate = setImmediate(this.slice);
        }
      }
    }
  };
}
