/** "ABCD EFGH …": a secret typed by hand is read in groups of four. */
export function groupedSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
