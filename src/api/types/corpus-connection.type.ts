import { ConnectionType } from '../relay/connection.type';
import { CorpusType } from './corpus.type';

export const CorpusConnection = ConnectionType('Corpus', CorpusType, 'corpus');
