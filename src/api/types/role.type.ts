import { registerEnumType } from 'type-graphql';

import { Role } from '../../auth/role';

registerEnumType(Role, {
  name: 'Role',
  description: 'What a token may do; each role includes the ones before it.',
  valuesConfig: {
    VIEWER: { description: 'Read corpora, models, queries and analyses.' },
    ANNOTATOR: { description: 'Also label documents.' },
    CURATOR: { description: 'Also import corpora, register models, create queries and start jobs.' },
    ADMIN: { description: 'Also manage tokens and users.' },
  },
});

export { Role };
