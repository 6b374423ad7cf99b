import { describe, expect, it } from 'vitest';
import { tablesCsv } from '../src/lib/export-figure';
import { embedCode, embedUrl } from '../src/lib/figure-tools';
import { chapterLink } from '../src/lib/share';

const demo = { id: 'sqrt-dk', title: 'Why the scores are "divided" by √d_k', chapter: 'query-key-value', height: 620 };

describe('share links and embed code', () => {
  it('links to the chapter at the figure, with the state prefixed by the demo', () => {
    expect(chapterLink(demo, 'dk=128&divisor=off', 'https://guide.example')).toBe(
      'https://guide.example/chapters/query-key-value/?sqrt-dk.dk=128&sqrt-dk.divisor=off#demo-sqrt-dk',
    );
    expect(chapterLink(demo, '', 'https://guide.example')).toBe('https://guide.example/chapters/query-key-value/#demo-sqrt-dk');
    expect(embedUrl(demo, 'dk=128', 'https://guide.example')).toBe('https://guide.example/embed/sqrt-dk/?dk=128');
  });

  it('escapes what it writes into the snippet’s attributes', () => {
    const code = embedCode(demo, 'text=a+%22quoted%22+%3Cb%3E&x=1', 'https://guide.example');
    expect(code).toContain('src="https://guide.example/embed/sqrt-dk/?text=a+%22quoted%22+%3Cb%3E&amp;x=1"');
    expect(code).toContain('title="Why the scores are &quot;divided&quot; by √d_k"');
    expect(code).toContain('height="620"');
    expect(code.split('\n')[1]).toBe('<script src="https://guide.example/embed/resize.js" async></script>');
  });
});

describe('CSV export', () => {
  it('writes each table under its caption, quoting fields that need it (RFC 4180)', () => {
    const csv = tablesCsv([
      { caption: 'Scores, by key', rows: [['key', 'score'], ['“the”', '1.5'], ['say "hi"', '-2']] },
      { caption: 'Second', rows: [['a\nb', '3']] },
    ]);
    expect(csv).toBe('"Scores, by key"\r\nkey,score\r\n“the”,1.5\r\n"say ""hi""",-2\r\n\r\nSecond\r\n"a\nb",3\r\n');
  });
});
