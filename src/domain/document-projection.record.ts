/** x_d of one document in one projection space, as stored. */
export interface DocumentProjectionRecord {
  readonly documentId: number;
  /** Sketch (≤ 4000 dims), stored as halfvec. */
  readonly sketch: Float32Array | null;
  /** Full projection (≤ 16000 dims), stored as vector (float32). */
  readonly full: Float32Array | null;
  /** Summed token loss of the document, nats. */
  readonly loss: number;
  readonly tokenCount: number;
  /** ‖x_d‖₂. */
  readonly gradientNorm: number;
}
