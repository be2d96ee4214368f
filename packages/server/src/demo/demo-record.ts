import type { Reference, Resource } from '@medplum/fhirtypes';
import type { DateTime } from 'luxon';
import { demoId, SeededRandom } from './seeded-random.js';

export type WithId<T extends Resource> = T & { id: string };

/**
 * The demo practice being written: every generated resource with its id, the seeded chance
 * that shapes it, and the clock and time zone the calendar is laid out in.
 */
export class DemoRecord {
  /** What a new user sees first: the directory, the patients and the calendar. */
  readonly core: WithId<Resource>[] = [];
  /** The patients' past care, written after the core (in the background on a first start). */
  readonly history: WithId<Resource>[] = [];
  /** Where `add` puts resources. */
  phase: 'core' | 'history' = 'core';
  readonly random: SeededRandom;
  private readonly counters = new Map<string, number>();

  constructor(
    readonly seed: number,
    /** The moment the demo is generated for, in the practice's time zone. */
    readonly now: DateTime,
  ) {
    this.random = new SeededRandom(seed);
  }

  get timeZone(): string {
    return this.now.zoneName!;
  }

  /** Adds a resource under an id from `key` (default: its type and a running number). */
  add<T extends Resource>(resource: T, key?: string): WithId<T> {
    const n = (this.counters.get(resource.resourceType) ?? 0) + 1;
    this.counters.set(resource.resourceType, n);
    const stored = { ...resource, id: demoId(this.seed, key ?? `${resource.resourceType}/${n}`) } as WithId<T>;
    (this.phase === 'core' ? this.core : this.history).push(stored);
    return stored;
  }
}

export function referenceTo<T extends Resource>(resource: WithId<T>, display?: string): Reference<T> {
  return display ? { reference: `${resource.resourceType}/${resource.id}`, display } : { reference: `${resource.resourceType}/${resource.id}` };
}
