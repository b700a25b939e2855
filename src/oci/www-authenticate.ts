// Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (RFC 7235
// auth-params, quoted or bare), as sent by Docker Hub, ghcr.io, Aliyun ACR
// and the distribution registry.

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export function parseChallenges(header: string | null): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  let i = 0;
  const text = header;
  const skipSpaces = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  };
  while (i < text.length) {
    skipSpaces();
    if (text[i] === ',') {
      i++;
      continue;
    }
    const schemeMatch = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*/.exec(text.slice(i));
    if (!schemeMatch) break;
    const current: Challenge = { scheme: schemeMatch[0].toLowerCase(), params: {} };
    challenges.push(current);
    i += schemeMatch[0].length;
    for (;;) {
      skipSpaces();
      const paramMatch = /^([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*/.exec(text.slice(i));
      if (!paramMatch) break;
      i += paramMatch[0].length;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < text.length) i++;
          value += text[i];
          i++;
        }
        i++;
      } else {
        const bare = /^[^,\s]*/.exec(text.slice(i))![0];
        value = bare;
        i += bare.length;
      }
      current.params[paramMatch[1]!.toLowerCase()] = value;
      skipSpaces();
      if (text[i] !== ',') break;
      // A comma either separates params or starts the next challenge: look ahead.
      const after = text.slice(i + 1);
      if (/^\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=/.test(after)) i++;
      else break;
    }
  }
  return challenges;
}
