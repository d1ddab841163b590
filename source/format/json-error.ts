/**
 * Where a JSON text first stops being JSON, as line and column (1-based) and what was found
 * there; undefined when it parses. JSON.parse in Node 20 does not always say where.
 */
export function jsonSyntaxError(text: string): { line: number; column: number; problem: string } | undefined {
  let at = 0;
  class Stop extends Error {}
  const fail = (problem: string): never => {
    throw Object.assign(new Stop(problem), { at });
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at]!)) at++;
  };
  const found = () =>
    at >= text.length ? 'end of file' : text[at] === '\n' || text[at] === '\r' ? 'line break' : JSON.stringify(text[at]);
  const literal = (word: string) => {
    for (const ch of word) {
      if (text[at] !== ch) fail(`unexpected ${found()}`);
      at++;
    }
  };
  const string = () => {
    at++; // the opening quote
    for (;;) {
      if (at >= text.length) fail('a string is not closed');
      const ch = text[at]!;
      if (ch === '"') return void at++;
      if (ch < ' ') fail('a control character inside a string');
      if (ch === '\\') {
        at++;
        if (text[at] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) fail('a bad \\u escape');
          at += 5;
        } else if (text[at] !== undefined && '"\\/bfnrt'.includes(text[at]!)) at++;
        else fail(`a bad escape`);
      } else at++;
    }
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at));
    if (!match) fail(`unexpected ${found()}`);
    at += match![0].length;
  };
  const value = (): void => {
    space();
    const ch = text[at];
    if (ch === '{') {
      at++;
      space();
      if (text[at] === '}') return void at++;
      for (;;) {
        space();
        if (text[at] !== '"') fail(`expected a property name in double quotes, found ${found()}`);
        string();
        space();
        if (text[at] !== ':') fail(`expected ':', found ${found()}`);
        at++;
        value();
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') return void at++;
        fail(`expected ',' or '}', found ${found()}`);
      }
    }
    if (ch === '[') {
      at++;
      space();
      if (text[at] === ']') return void at++;
      for (;;) {
        value();
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === ']') return void at++;
        fail(`expected ',' or ']', found ${found()}`);
      }
    }
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail(`unexpected ${found()}`);
  };
  try {
    if (text.charCodeAt(0) === 0xfeff) at = 1;
    value();
    space();
    if (at < text.length) fail(`unexpected ${found()} after the end`);
    return undefined;
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
    const before = text.slice(0, (error as Stop & { at: number }).at);
    const lines = before.split('\n');
    return { line: lines.length, column: lines[lines.length - 1]!.length + 1, problem: error.message };
  }
}
