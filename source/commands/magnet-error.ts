/** A magnet that cannot be used, in one line: "unusable magnet link: no info-hash (xt=urn:btih:... or ...)". */
export function magnetErrorText(error: Error): string {
  return `unusable magnet link: ${error.message.replace(/^(a )?magnet (link )?(has|needs) (no |an )?/, 'no ')}`;
}
