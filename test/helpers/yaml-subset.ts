/**
 * A parser for the part of YAML that action.yml and CI examples use: block maps and lists,
 * `|` block scalars, plain, single- and double-quoted scalars, comments. Enough to check the files
 * Faultline ships are well-formed and to read their steps in a test, without adding a YAML
 * dependency to a project whose tests need only Node. It throws on what it does not know (flow
 * collections, anchors, a plain scalar holding `: `) rather than guessing, so a file it accepts
 * reads the same in a full YAML parser.
 */

interface SourceLine {
  indent: number;
  text: string;
  /** 1-based, for error messages. */
  number: number;
}

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

class Parser {
  private index = 0;

  constructor(
    private readonly lines: SourceLine[],
    private readonly raw: string[],
  ) {}

  parseDocument(): YamlValue {
    this.skipIgnorable();
    if (this.index >= this.lines.length) return null;
    const value = this.parseBlock(this.current().indent);
    this.skipIgnorable();
    if (this.index < this.lines.length) this.fail('unexpected indentation');
    return value;
  }

  private current(): SourceLine {
    const line = this.lines[this.index];
    if (line === undefined) throw new Error('yaml-subset: unexpected end of input');
    return line;
  }

  private fail(message: string): never {
    const line = this.lines[this.index];
    throw new Error(`yaml-subset: line ${line?.number ?? 'end'}: ${message}: ${line?.text ?? ''}`);
  }

  /** Blank lines and whole-line comments. */
  private skipIgnorable(): void {
    while (this.index < this.lines.length) {
      const text = this.current().text;
      if (text !== '' && !text.startsWith('#')) return;
      this.index++;
    }
  }

  private parseBlock(indent: number): YamlValue {
    this.skipIgnorable();
    const line = this.current();
    return line.text === '-' || line.text.startsWith('- ') ? this.parseList(indent) : this.parseMap(indent);
  }

  private parseMap(indent: number): YamlValue {
    const map: { [key: string]: YamlValue } = {};
    for (this.skipIgnorable(); this.index < this.lines.length; this.skipIgnorable()) {
      const line = this.current();
      if (line.indent < indent) break;
      if (line.indent > indent) this.fail('unexpected indentation');
      if (line.text.startsWith('- ')) break;
      const match = /^([A-Za-z0-9_.$-]+|"[^"]*"):(?:\s+(.*))?$/.exec(line.text);
      if (match === null) this.fail('expected `key: value`');
      const key = match[1]?.startsWith('"') === true ? (JSON.parse(match[1]) as string) : (match[1] ?? '');
      if (key in map) this.fail(`duplicate key ${key}`);
      map[key] = this.parseValueAfterKey(match[2] ?? '', indent);
    }
    return map;
  }

  private parseList(indent: number): YamlValue {
    const list: YamlValue[] = [];
    for (this.skipIgnorable(); this.index < this.lines.length; this.skipIgnorable()) {
      const line = this.current();
      if (line.indent !== indent || !(line.text === '-' || line.text.startsWith('- '))) {
        if (line.indent > indent) this.fail('unexpected indentation');
        break;
      }
      const content = line.text.slice(1).trimStart();
      if (content === '') {
        this.index++;
        this.skipIgnorable();
        list.push(this.index < this.lines.length && this.current().indent > indent ? this.parseBlock(this.current().indent) : null);
      } else if (/^([A-Za-z0-9_.$-]+|"[^"]*"):(\s|$)/.test(content)) {
        // `- key: value` opens a map whose keys sit where `key` starts.
        const contentIndent = indent + (line.text.length - content.length);
        this.lines[this.index] = { ...line, indent: contentIndent, text: content };
        list.push(this.parseMap(contentIndent));
      } else {
        this.index++;
        list.push(parseScalar(content, () => this.fail('bad scalar')));
      }
    }
    return list;
  }

  private parseValueAfterKey(rest: string, indent: number): YamlValue {
    this.index++;
    if (rest === '|' || rest === '|-') return this.parseBlockScalar(indent, rest === '|-');
    if (rest !== '' && !rest.startsWith('#')) return parseScalar(rest, () => this.fail('bad scalar'));
    this.skipIgnorable();
    if (this.index >= this.lines.length) return null;
    const next = this.current();
    if (next.indent > indent) return this.parseBlock(next.indent);
    // A list may sit at its key's own indentation.
    if (next.indent === indent && next.text.startsWith('- ')) return this.parseList(indent);
    return null;
  }

  /** The raw lines indented deeper than the key, with the first one's indentation removed. */
  private parseBlockScalar(indent: number, strip: boolean): string {
    const body: string[] = [];
    let blockIndent: number | null = null;
    while (this.index < this.lines.length) {
      const line = this.current();
      const raw = this.raw[line.number - 1] ?? '';
      if (raw.trim() !== '' && line.indent <= indent) break;
      if (raw.trim() !== '') blockIndent ??= line.indent;
      body.push(raw);
      this.index++;
    }
    if (blockIndent === null) return '';
    const text = body.map((raw) => raw.slice(blockIndent ?? 0)).join('\n').replace(/\n+$/, '');
    return strip ? text : `${text}\n`;
  }
}

function parseScalar(text: string, fail: () => never): YamlValue {
  if (text.startsWith('"')) {
    const end = text.lastIndexOf('"');
    if (end === 0 || !/^\s*(#.*)?$/.test(text.slice(end + 1))) fail();
    return JSON.parse(text.slice(0, end + 1)) as string;
  }
  if (text.startsWith("'")) {
    const end = text.lastIndexOf("'");
    if (end === 0 || !/^\s*(#.*)?$/.test(text.slice(end + 1))) fail();
    return text.slice(1, end).replace(/''/g, "'");
  }
  if (/^[[{&*!|>%@`]/.test(text)) fail();
  const plain = text.replace(/\s+#.*$/, '').trimEnd();
  if (plain.includes(': ') || plain.endsWith(':')) fail();
  if (plain === 'true' || plain === 'false') return plain === 'true';
  if (plain === 'null' || plain === '~') return null;
  if (/^-?\d+(\.\d+)?$/.test(plain)) return Number(plain);
  return plain;
}

export function parseYamlSubset(source: string): YamlValue {
  const raw = source.split(/\r?\n/);
  if (raw.some((line) => /^\s*\t/.test(line))) throw new Error('yaml-subset: tabs are not indentation in YAML');
  const lines = raw.map((line, index) => ({ indent: line.length - line.trimStart().length, text: line.trim(), number: index + 1 }));
  return new Parser(lines, raw).parseDocument();
}
