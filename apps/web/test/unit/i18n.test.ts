import { describe, expect, it } from 'vitest';
import { detectLanguage, MESSAGES } from '../../src/i18n.ts';

describe('languages', () => {
  it('takes the first of the browser languages that the app speaks', () => {
    expect(detectLanguage(['de-CH', 'en'])).toBe('de');
    expect(detectLanguage(['fr-FR', 'en-GB', 'de'])).toBe('en');
    expect(detectLanguage(['fr', 'DE'])).toBe('de');
    expect(detectLanguage(['fr'])).toBe('en');
    expect(detectLanguage([])).toBe('en');
  });

  it('pluralises the counter as the spec says: 0 items, 1 item, 2 items', () => {
    expect([0, 1, 2].map((n) => `${n}${MESSAGES.en.itemsLeft(n)}`)).toEqual([
      '0 items left',
      '1 item left',
      '2 items left',
    ]);
    expect([0, 1, 2].map((n) => `${n}${MESSAGES.de.itemsLeft(n)}`)).toEqual([
      '0 Aufgaben offen',
      '1 Aufgabe offen',
      '2 Aufgaben offen',
    ]);
  });

  it('has every text in both languages', () => {
    const keys = (language: 'en' | 'de') =>
      Object.entries(MESSAGES[language])
        .filter(([, value]) => value !== '')
        .map(([key]) => key)
        .sort();
    expect(keys('de')).toEqual(keys('en'));
    expect(MESSAGES.de.newTodo).not.toBe(MESSAGES.en.newTodo);
  });
});
