/**
 * Natural batching: the first item goes at once; items that arrive while batches are
 * in flight wait and go together in the next one. No timer, so no added latency when
 * idle, and batches grow with load — one round trip (and one commit) for many items.
 */
export class NaturalBatcher<K, R> {
  private pending: Array<{ key: K; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private inFlight = 0;

  constructor(
    /** Runs one batch; returns a result per key (a missing key rejects that item). */
    private readonly run: (keys: K[]) => Promise<Map<K, R>>,
    private readonly options: { maxBatch: number; maxInFlight: number },
  ) {}

  submit(key: K): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ key, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.pending.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.pending.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.runBatch(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async runBatch(batch: typeof this.pending): Promise<void> {
    try {
      this.settle(batch, await this.run(batch.map((b) => b.key)));
    } catch (err) {
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad item must not fail the others: retry them one by one.
      for (const item of batch) {
        try {
          this.settle([item], await this.run([item.key]));
        } catch (e) {
          item.reject(e);
        }
      }
    }
  }

  private settle(batch: typeof this.pending, results: Map<K, R>): void {
    for (const item of batch) {
      if (results.has(item.key)) item.resolve(results.get(item.key) as R);
      else item.reject(new Error('batch returned no result for an item'));
    }
  }
}
