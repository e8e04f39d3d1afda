/**
 * Shapes of the synthetic world: its documents, facts, procedures and queries. Every field is
 * JSON-serialisable; the writer emits them in the declared key order.
 */

/** Sources of the corpus, named as in the paper's source analysis. */
export const WORLD_SOURCES = [
  'wiki',
  'math_and_trivia',
  'stackexchange',
  'code',
  'arxiv_markdown',
  'webdata',
  'general_knowledge',
] as const;
/** One source of the corpus. */
export type WorldSource = (typeof WORLD_SOURCES)[number];

/** Relations of the world's facts. */
export const FACT_RELATIONS = ['capital', 'founded', 'inventor', 'symbol'] as const;
/** One relation: country→capital, country→founding year, invention→inventor, element→symbol. */
export type FactRelation = (typeof FACT_RELATIONS)[number];

/** One fact about an invented entity: `subject` has `relation` = `answer`. */
export interface WorldFact {
  /** Stable id, e.g. `capital-07`. */
  id: string;
  relation: FactRelation;
  /** The entity the fact is about (a country, invention or element name). */
  subject: string;
  /** The answer string, unique in the world (a name, a year or a symbol). */
  answer: string;
  /** Whether a factual query asks for this fact. */
  queried: boolean;
}

/** The reasoning tasks of the paper. */
export const REASONING_TASKS = ['two-step-arithmetic', 'slope', 'linear-equation'] as const;
/** One reasoning task. */
export type ReasoningTask = (typeof REASONING_TASKS)[number];

/** Tasks of the control queries: answerable from the prompt alone, shared with no query task. */
export const CONTROL_TASKS = ['largest-number', 'reading'] as const;
/** One control task. */
export type ControlTask = (typeof CONTROL_TASKS)[number];

/** Every procedure the corpus demonstrates. */
export type ProcedureTask = ReasoningTask | ControlTask;

/** Formats in which a procedure is written out. */
export const PROCEDURE_FORMATS = ['worked', 'problem', 'qa', 'code-function', 'code-steps', 'notes'] as const;
/** One procedure format. */
export type ProcedureFormat = (typeof PROCEDURE_FORMATS)[number];

/** One arithmetic step as written in a document: `left op right = result`. */
export interface ProcedureStep {
  left: number;
  op: '+' | '-' | '*' | '/';
  right: number;
  result: number;
}

/** Ground truth of a document that demonstrates a procedure. */
export interface ProcedureMetadata {
  task: ProcedureTask;
  format: ProcedureFormat;
  /** The instance's numbers, named per task (`a`, `b`, `c`; `x1`, `y1`, `x2`, `y2`; ...). */
  numbers: Record<string, number>;
  /** For two-step arithmetic, `+` or `-` inside the brackets. */
  operation?: '+' | '-';
  /** For a largest-number document, the reasoning task whose surface form it copies. */
  surface?: ReasoningTask;
  steps: ProcedureStep[];
  answer: string;
}

/**
 * Pools of single operations that drill documents list, one per operation family the reasoning
 * tasks perform (see `drill-pools.ts` for their exact contents).
 */
export const DRILL_POOLS = ['addition', 'subtraction', 'equation-subtraction', 'multiplication', 'division'] as const;
/** One drill pool. */
export type DrillPoolName = (typeof DRILL_POOLS)[number];

/** Formats in which a drill is written: a practice list, a check list, a code comment list. */
export const DRILL_FORMATS = ['practice', 'check', 'code-comments'] as const;
/** One drill format. */
export type DrillFormat = (typeof DRILL_FORMATS)[number];

/**
 * Ground truth of an arithmetic practice ("drill") document: the single operations it lists,
 * each written exactly as a step of a completion (`19 - 8 = 11`).
 */
export interface DrillMetadata {
  pool: DrillPoolName;
  format: DrillFormat;
  /** The listed operations, in the order written. */
  operations: ProcedureStep[];
}

/** What kind of content a document is. */
export type DocumentKind = 'fact' | 'procedure' | 'drill' | 'filler';

/** Ground truth attached to a corpus document. */
export interface DocumentMetadata {
  kind: DocumentKind;
  /** Ids of the facts the document states (empty unless `kind` is `fact`). */
  facts: string[];
  /** The procedure the document demonstrates, or null. */
  procedure: ProcedureMetadata | null;
  /** The operations a drill document lists (`kind` is `drill`), or null. */
  drill: DrillMetadata | null;
  /** Which template wrote the document (for fact and filler documents). */
  template: string;
}

/** One line of `corpus.jsonl`. */
export interface WorldDocument {
  id: string;
  text: string;
  source: WorldSource;
  metadata: DocumentMetadata;
}

/** Query kinds, as in the paper. */
export type QueryKind = 'factual' | 'reasoning' | 'control';

/** Ground truth of a query, linking it to corpus documents. */
export interface QueryGroundTruth {
  /** The fact asked for (factual queries), or null. */
  factId: string | null;
  /** Ids of the documents that contain the answer (state the fact); sorted. */
  answerDocumentIds: string[];
  /** Ids of the documents that demonstrate the query's task, on other numbers; sorted. */
  procedureDocumentIds: string[];
  /**
   * Ids of the procedure documents (of any task) and drill documents that perform at least one
   * of the query's own steps (same operands, same operation), e.g. `6 * 7 = 42` inside
   * `(1 + 5) * 7`; sorted. Reasoning queries only: the partial answers present in the corpus.
   */
  stepDocumentIds: string[];
  /** The query's numbers (reasoning and reasoning-control queries), or null. */
  numbers: Record<string, number> | null;
  /** For control queries: the kind and task whose surface form the control copies. */
  mirrors: { kind: 'factual' | 'reasoning'; task: string } | null;
}

/** One line of `queries.jsonl`. `prompt + completion` is the full text the model scores. */
export interface WorldQuery {
  id: string;
  kind: QueryKind;
  /** A fact relation (factual), a reasoning task, or a control task. */
  task: FactRelation | ReasoningTask | ControlTask;
  prompt: string;
  completion: string;
  answer: string;
  answerKeywords: string[];
  groundTruth: QueryGroundTruth;
}
