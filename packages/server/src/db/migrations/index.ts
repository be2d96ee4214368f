import * as recordStore from './001-record-store.js';
import * as rowLevelSecurity from './002-row-level-security.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** In order; a released migration is never edited, only followed by a new one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'record-store', sql: recordStore.sql },
  { version: 2, name: 'row-level-security', sql: rowLevelSecurity.sql },
];
