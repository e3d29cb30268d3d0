/**
 * A parser for protobuf text format (Caffe's .prototxt), schema-free: it yields a tree of
 * messages whose fields keep their values in file order. The Caffe converter reads the
 * NetParameter subset it needs from that tree through the typed accessors below.
 */

/** An unquoted token: an enum value (MAX, ACROSS_CHANNELS) or a boolean (true/false). */
export interface Identifier {
  ident: string;
}

export type TextValue = number | string | Identifier | TextMessage;

export class TextMessage {
  readonly fields = new Map<string, TextValue[]>();

  constructor(
    /** Where the message starts, for error messages ("line 12"). */
    readonly line: number,
  ) {}

  add(name: string, value: TextValue): void {
    const values = this.fields.get(name);
    if (values) values.push(value);
    else this.fields.set(name, [value]);
  }

  all(name: string): TextValue[] {
    return this.fields.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.fields.has(name);
  }

  messages(name: string): TextMessage[] {
    return this.all(name).map((v) => {
      if (!(v instanceof TextMessage)) throw this.error(`field '${name}' should be a { ... } block`);
      return v;
    });
  }

  message(name: string): TextMessage | undefined {
    return this.messages(name).at(-1);
  }

  numbers(name: string): number[] {
    return this.all(name).map((v) => {
      if (typeof v !== 'number') throw this.error(`field '${name}' should be a number`);
      return v;
    });
  }

  /** The last value of a singular number field (text format lets later values win). */
  number(name: string, fallback: number): number {
    return this.numbers(name).at(-1) ?? fallback;
  }

  strings(name: string): string[] {
    return this.all(name).map((v) => {
      if (typeof v !== 'string') throw this.error(`field '${name}' should be a quoted string`);
      return v;
    });
  }

  string(name: string): string | undefined {
    return this.strings(name).at(-1);
  }

  /** An enum field, by name; numeric enum values are mapped through `byNumber`. */
  enumName(name: string, byNumber: readonly string[], fallback: string): string {
    const v = this.all(name).at(-1);
    if (v === undefined) return fallback;
    if (typeof v === 'number' && byNumber[v] !== undefined) return byNumber[v];
    if (typeof v === 'object' && 'ident' in v) return v.ident;
    throw this.error(`field '${name}' has an invalid value`);
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.all(name).at(-1);
    if (v === undefined) return fallback;
    if (typeof v === 'number') return v !== 0;
    if (typeof v === 'object' && 'ident' in v && (v.ident === 'true' || v.ident === 'false')) return v.ident === 'true';
    throw this.error(`field '${name}' should be true or false`);
  }

  error(message: string): Error {
    return new Error(`prototxt line ${this.line}: ${message}`);
  }
}

type Token =
  | { kind: 'name' | 'number' | 'string'; text: string; line: number }
  | { kind: 'punct'; text: '{' | '}' | '<' | '>' | ':' | '[' | ']' | ','; line: number };

const NUMBER = /^[-+]?(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|inf|nan|infinity)[fF]?$/i;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c) || c === ';') {
      i++;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if ('{}<>:[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c as '{', line });
      i++;
    } else if (c === '"' || c === "'") {
      const start = line;
      let value = '';
      i++;
      while (text[i] !== c) {
        if (i >= text.length || text[i] === '\n') throw new Error(`prototxt line ${start}: unterminated string`);
        if (text[i] === '\\') {
          i++;
          const e = text[i];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : (e ?? '');
        } else value += text[i];
        i++;
      }
      i++;
      tokens.push({ kind: 'string', text: value, line: start });
    } else {
      const m = /^[A-Za-z0-9_.+\-/]+/.exec(text.slice(i, i + 256));
      if (!m) throw new Error(`prototxt line ${line}: unexpected character '${c}'`);
      const word = m[0];
      tokens.push({ kind: NUMBER.test(word) ? 'number' : 'name', text: word, line });
      i += word.length;
    }
  }
  return tokens;
}

function parseNumber(text: string): number {
  const t = text.replace(/[fF]$/, '').toLowerCase();
  if (/^[-+]?inf(inity)?$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[-+]?nan$/.test(t)) return NaN;
  return Number(t);
}

/** Parses protobuf text format into a message tree; throws a one-line error with the line number. */
export function parseTextFormat(text: string): TextMessage {
  const tokens = tokenize(text);
  let pos = 0;

  const parseValue = (field: Token): TextValue => {
    const t = tokens[pos++];
    if (!t) throw new Error(`prototxt line ${field.line}: field '${field.text}' has no value`);
    if (t.kind === 'string') {
      // Adjacent string literals concatenate, as in C.
      let s = t.text;
      while (tokens[pos]?.kind === 'string') s += tokens[pos++]!.text;
      return s;
    }
    if (t.kind === 'number') return parseNumber(t.text);
    if (t.kind === 'name') return { ident: t.text };
    if (t.text === '{' || t.text === '<') return parseMessage(t.text === '{' ? '}' : '>', t.line);
    throw new Error(`prototxt line ${t.line}: unexpected '${t.text}' after '${field.text}:'`);
  };

  const parseMessage = (close: '}' | '>' | undefined, line: number): TextMessage => {
    const msg = new TextMessage(line);
    for (;;) {
      const t = tokens[pos++];
      if (!t) {
        if (close) throw new Error(`prototxt line ${line}: block is not closed with '${close}'`);
        return msg;
      }
      if (t.kind === 'punct' && t.text === close) return msg;
      if (t.kind !== 'name') throw new Error(`prototxt line ${t.line}: expected a field name, found '${t.text}'`);
      const next = tokens[pos];
      if (next?.kind === 'punct' && next.text === ':') {
        pos++;
        if (tokens[pos]?.kind === 'punct' && tokens[pos]!.text === '[') {
          // Short repeated-field syntax: name: [1, 2, 3]
          pos++;
          while (!(tokens[pos]?.kind === 'punct' && tokens[pos]!.text === ']')) {
            msg.add(t.text, parseValue(t));
            if (tokens[pos]?.kind === 'punct' && tokens[pos]!.text === ',') pos++;
            if (pos >= tokens.length) throw new Error(`prototxt line ${t.line}: list is not closed with ']'`);
          }
          pos++;
        } else msg.add(t.text, parseValue(t));
      } else if (next?.kind === 'punct' && (next.text === '{' || next.text === '<')) {
        msg.add(t.text, parseValue(t));
      } else {
        throw new Error(`prototxt line ${t.line}: expected ':' or '{' after '${t.text}'`);
      }
      if (tokens[pos]?.kind === 'punct' && tokens[pos]!.text === ',') pos++;
    }
  };

  return parseMessage(undefined, 1);
}
