/** Unix seconds as "2024-05-01 12:00:00 UTC" (UTC: a seedbox's local zone means nothing to its user). */
export function formatUnixTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) return String(seconds);
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
