import { InvalidInputError } from '../errors/tracebase.error';

/** Receives the payload of one NOTIFY (an empty string when it had none). */
export type NotificationHandler = (payload: string) => void;

/** Ends one subscription. */
export type Unlisten = () => Promise<void>;

/** Channel names Tracebase listens on: lower-case SQL identifiers, used quoted in LISTEN. */
const CHANNEL_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Throws {@link InvalidInputError} unless `channel` is a plain lower-case identifier. */
export function assertChannelName(channel: string): void {
  if (!CHANNEL_NAME.test(channel)) {
    throw new InvalidInputError(`notification channel "${channel}" must be a lower-case identifier of at most 63 characters (letters, digits, _)`);
  }
}
