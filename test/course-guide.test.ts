import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// The German course guide follows Modul 109's chapters, in its order and with its titles, and
// every chapter answers the same questions; chapter 1 is the translation of requirements.md.
const root = join(import.meta.dirname, '..');
const dir = join(root, 'docs/kurs');
const read = (name: string) => readFileSync(join(dir, name), 'utf8');

const MODULE_CHAPTERS = [
  'Anforderungen',
  'Netzwerk',
  'Datenbank',
  'Container Image',
  'Container Plattform',
  'ToDo-App Implementierung',
  'Monitoring, Logging & Alarme',
  'Backup & Recovery',
  'Zusammenfassung',
];
const SECTIONS = ['Ziel', 'Kontrolle', 'Übung', 'Kosten', 'Aufräumen'];

const chapters = readdirSync(dir)
  .filter((f) => /^\d\d-.+\.md$/.test(f))
  .sort();

describe('docs/kurs', () => {
  it("has nine chapters in the module's order, titled with its terms", () => {
    expect(chapters).toHaveLength(9);
    chapters.forEach((file, i) => {
      expect(file.startsWith(`0${i + 1}-`)).toBe(true);
      expect(read(file).split('\n')[0]).toBe(`# ${i + 1}. ${MODULE_CHAPTERS[i]}`);
    });
  });

  it.each(chapters)('%s has goal, realisation, check, exercise, cost and clean-up', (file) => {
    const headings = [...read(file).matchAll(/^## (.+)$/gm)].map((m) => m[1]!);
    for (const section of SECTIONS) {
      expect(
        headings.some((h) => h.startsWith(section)),
        `${file}: ## ${section}`,
      ).toBe(true);
    }
    if (file !== '09-zusammenfassung.md') {
      expect(headings, file).toContain('So setzt cloud-todo es um');
    }
  });

  it('does the console steps where the module teaches them, with PostgreSQL instead of MySQL', () => {
    for (const file of chapters.slice(1, 8)) {
      expect(read(file), file).toMatch(/^## Von Hand in der Console$/m);
    }
    expect(read('02-netzwerk.md')).toMatch(/PostgreSQL 5432\*\* statt MYSQL\/Aurora 3306/);
    expect(read('03-datenbank.md')).toMatch(
      /### PostgreSQL statt MySQL: was sich ändert und warum/,
    );
  });

  it('states the same requirements in German and English, each with a check and a figure', () => {
    const rows = (text: string) =>
      [...text.matchAll(/^\| (NFR-\d+) \|(.+)$/gm)].map((m) => ({
        id: m[1]!,
        cells: m[2]!.split(' | '),
        links: [...m[2]!.matchAll(/\]\(([^)]+)\)/g)].length,
      }));
    const english = rows(readFileSync(join(root, 'docs/requirements.md'), 'utf8'));
    const german = rows(read('01-anforderungen.md'));
    expect(english.map((r) => r.id)).toEqual(german.map((r) => r.id));
    expect(english.length).toBeGreaterThanOrEqual(6);
    for (const [i, row] of english.entries()) {
      expect(row.cells, row.id).toHaveLength(4);
      expect(row.links, `${row.id} links to what checks it`).toBeGreaterThan(0);
      expect(german[i]!.links, row.id).toBe(row.links);
      // the figures are the same in both (digits of the last column)
      const digits = (s: string) => (s.match(/\d+/g) ?? []).join(' ');
      expect(digits(german[i]!.cells[3]!), row.id).toBe(digits(row.cells[3]!));
    }
  });

  it('says which features a lab account without IAM roles cannot have', () => {
    expect(read('README.md')).toMatch(/## Lab-Accounts mit eingeschränkten Rechten/);
    expect(read('README.md')).toMatch(/iam:CreateRole/);
  });
});
