/** The server's default upload limit (DEFAULT_UPLOAD_LIMIT in packages/server/src/imports/import-routes.ts). */
export const UPLOAD_LIMIT_BYTES = 32 * 1024 * 1024;

const IMPORTABLE = /\.(json|ndjson)$/i;

/** What is wrong with the chosen files before anything is sent, or undefined when they can go. */
export function selectionProblem(files: readonly Pick<File, 'name' | 'size'>[], limit = UPLOAD_LIMIT_BYTES): string | undefined {
  if (files.length === 0) return 'Choose at least one file to import.';
  const other = files.find((file) => !IMPORTABLE.test(file.name));
  if (other) return `${other.name} is neither .json (a FHIR resource or Bundle) nor .ndjson (one resource a line).`;
  const names = new Set<string>();
  for (const file of files) {
    if (names.has(file.name)) return `Two files are named ${file.name}; rename one, so the report can tell them apart.`;
    names.add(file.name);
  }
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (total > limit) return `These files are ${formatBytes(total)} together; one import takes at most ${formatBytes(limit)}. Split them across several imports.`;
  return undefined;
}

/** Files added to a selection, the later of two with one name replacing the earlier. */
export function addFiles<T extends Pick<File, 'name'>>(chosen: readonly T[], added: readonly T[]): T[] {
  const names = new Set(added.map((file) => file.name));
  return [...chosen.filter((file) => !names.has(file.name)), ...added];
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
