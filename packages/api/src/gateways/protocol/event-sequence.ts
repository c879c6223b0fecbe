// Frame `seq` tracking per connection (GATEWAY.md §2): seq starts at 1 after each hello and a jump
// means the gateway dropped events for us, so the mirror must resync. Payload seq is not handled here.

export type SequenceGap = { expectedSeq: number; receivedSeq: number };

export type SequenceTracker = {
  reset(): void;
  /** Records a frame seq; returns the gap it reveals, if any. Old/duplicate seqs are not gaps. */
  observe(seq: number): SequenceGap | null;
};

export function createSequenceTracker(): SequenceTracker {
  let lastSeq = 0;
  return {
    reset() {
      lastSeq = 0;
    },
    observe(seq) {
      const expectedSeq = lastSeq + 1;
      if (seq <= lastSeq) return null;
      lastSeq = seq;
      return seq > expectedSeq ? { expectedSeq, receivedSeq: seq } : null;
    },
  };
}
