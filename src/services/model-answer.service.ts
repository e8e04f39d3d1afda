import type { LoadedModel } from '../model/model-directory.loader';
import type { SessionSettings } from '../onnx/ort.runner';
import type { QueryRecord } from '../domain/query.record';
import { END_OF_TEXT } from '../generation/byte-level.vocabulary';
import { extractFinalAnswer } from '../generation/final-answer.extractor';
import type { GreedyDecoder } from '../generation/greedy.decoder';

/** Tokens decoded beyond the reference completion's length (as the world evaluator allows). */
export const ANSWER_SLACK_TOKENS = 24;

/** The model's own answer to one query. */
export interface ModelAnswer {
  readonly queryId: number;
  /** The greedy continuation of the prompt (stop token excluded); null when the model cannot decode it. */
  readonly text: string | null;
  /** Whether its final answer is the query's answer; null when that cannot be decided. */
  readonly correct: boolean | null;
}

/**
 * Whether a generation gives a query's answer, read as the world evaluator reads it
 * ({@link extractFinalAnswer}): the answer is the last of the query's answer keywords that its
 * reference completion states in a recognised form (ending `The answer is A.`, or starting `A.`),
 * and the generation is correct when its final answer is exactly that A. Null (undecidable) when
 * the query has no answer keyword, or the completion states none of them in such a form.
 */
export function judgeAnswer(generation: string, completion: string, answerKeywords: readonly string[]): boolean | null {
  const answer = [...answerKeywords]
    .reverse()
    .find((k) => k.length > 0 && (completion.trimEnd().endsWith(`The answer is ${k}.`) || completion.startsWith(`${k}.`)));
  if (answer === undefined) return null;
  return extractFinalAnswer(generation, completion, answer) === answer;
}

/**
 * The model's own greedy answer to stored queries (GreedyDecoder: argmax at every step). As
 * `tracebase generate` and the world evaluator do, the prompt is fed after the end-of-text token
 * when the vocabulary has one (training documents start with it); decoding stops at end-of-text,
 * at a newline when the reference completion is one line, after (completion tokens +
 * {@link ANSWER_SLACK_TOKENS}) new tokens, or when the context is full.
 */
export class ModelAnswerService {
  private readonly decoders = new Map<string, Promise<GreedyDecoder>>();

  constructor(private readonly session: SessionSettings = { device: 'cpu', intraOpThreads: 1, interOpThreads: 1 }) {}

  private decoder(model: LoadedModel): Promise<GreedyDecoder> {
    let decoder = this.decoders.get(model.hash);
    if (!decoder) {
      decoder = import('../generation/greedy.decoder').then(
        ({ GreedyDecoder }) => new GreedyDecoder(model.family, model.config, model.weights.tensors, this.session),
      );
      this.decoders.set(model.hash, decoder);
    }
    return decoder;
  }

  /** Prompt tokens as decoded: end-of-text (when the vocabulary has it as one token), then the prompt. */
  static promptTokens(model: LoadedModel, prompt: string): number[] {
    return [...endOfText(model), ...model.tokenizer.encode(prompt, { field: 'query prompt' })];
  }

  /** Greedy answers of `queries` (all of `model`), in input order. */
  async answer(model: LoadedModel, queries: readonly QueryRecord[]): Promise<ModelAnswer[]> {
    // the decoder's graph has the LM head tied to the token embedding; it cannot run other models
    if (model.weights.lmHead) return queries.map((q) => ({ queryId: q.id, text: null, correct: null }));
    const eot = endOfText(model);
    const newline = model.tokenizer.encode('\n');
    const out = new Map<number, ModelAnswer>();
    const decodable = queries.filter((q) => {
      if (ModelAnswerService.promptTokens(model, q.prompt).length > 0) return true;
      out.set(q.id, { queryId: q.id, text: null, correct: null });
      return false;
    });
    // one decoder call per set of stop tokens: one-line completions also stop at a newline
    for (const oneLine of [true, false]) {
      const group = decodable.filter((q) => !q.completion.includes('\n') === oneLine);
      if (group.length === 0) continue;
      const stopIds = oneLine && newline.length === 1 ? [...eot, ...newline] : eot;
      const decoder = await this.decoder(model);
      const generated = await decoder.generate(
        group.map((q) => ModelAnswerService.promptTokens(model, q.prompt)),
        { maxNewTokens: group.map((q) => model.tokenizer.encode(q.completion).length + ANSWER_SLACK_TOKENS), stopIds },
      );
      group.forEach((q, i) => {
        const text = model.tokenizer.decode(generated[i]!);
        out.set(q.id, { queryId: q.id, text, correct: judgeAnswer(text, q.completion, q.answerKeywords) });
      });
    }
    return queries.map((q) => out.get(q.id)!);
  }
}

/** The end-of-text token id when the vocabulary has `<|endoftext|>` as one token, else none. */
function endOfText(model: LoadedModel): number[] {
  const ids = model.tokenizer.encode(END_OF_TEXT);
  return ids.length === 1 ? ids : [];
}
