import { describe, expect, it } from 'vitest';
import { addFiles, formatBytes, selectionProblem } from './import-selection.js';

const file = (name: string, size = 100) => ({ name, size });

describe('selectionProblem', () => {
  it('accepts .json and .ndjson files within the limit', () => {
    expect(selectionProblem([file('bundle.json'), file('patients.NDJSON')])).toBeUndefined();
  });

  it('asks for a file when none is chosen', () => {
    expect(selectionProblem([])).toMatch(/at least one file/);
  });

  it('names a file that is neither JSON nor NDJSON', () => {
    expect(selectionProblem([file('bundle.json'), file('notes.txt')])).toMatch(/^notes\.txt is neither/);
  });

  it('refuses two files of one name', () => {
    expect(selectionProblem([file('a.json'), file('a.json')])).toMatch(/Two files are named a\.json/);
  });

  it('refuses files over the limit together, saying both sizes', () => {
    expect(selectionProblem([file('a.json', 600), file('b.json', 600)], 1024)).toBe('These files are 1.2 KB together; one import takes at most 1.0 KB. Split them across several imports.');
    expect(selectionProblem([file('a.json', 512), file('b.json', 512)], 1024)).toBeUndefined();
  });
});

describe('addFiles', () => {
  it('adds files, a file of the same name replacing the one chosen before', () => {
    const chosen = [{ name: 'a.json', v: 1 }, { name: 'b.json', v: 1 }];
    expect(addFiles(chosen, [{ name: 'a.json', v: 2 }, { name: 'c.ndjson', v: 1 }])).toEqual([
      { name: 'b.json', v: 1 },
      { name: 'a.json', v: 2 },
      { name: 'c.ndjson', v: 1 },
    ]);
  });
});

describe('formatBytes', () => {
  it('says bytes, kilobytes or megabytes', () => {
    expect([formatBytes(900), formatBytes(2048), formatBytes(5 * 1024 * 1024)]).toEqual(['900 B', '2.0 KB', '5.0 MB']);
  });
});
