import { AIMS, buildResults, nestFigures, REQUIRED_FIGURES, resultsPath, type Machine } from '../../../bench/results';

const MACHINE: Machine = { cpu: 'test cpu', cores: 2, node: 'v20.0.0', date: '2026-01-01T00:00:00.000Z', quick: true };

/** Every required figure, each a distinct number. */
function requiredFigures(): Map<string, number> {
  return new Map(REQUIRED_FIGURES.map((key, index) => [key, index + 0.5]));
}

describe('nestFigures', () => {
  it('turns dotted keys into nested objects', () => {
    expect(nestFigures([['decode.json.ratio', 2], ['decode.json.vs_peer', 1.5], ['init.ingest.ratio', 1.1]])).toEqual({
      decode: { json: { ratio: 2, vs_peer: 1.5 } },
      init: { ingest: { ratio: 1.1 } },
    });
  });

  it('refuses a key that is both a figure and a group, or given twice, or with an empty part', () => {
    expect(() => nestFigures([['a.b', 1], ['a.b.c', 2]])).toThrow(/under the figure/);
    expect(() => nestFigures([['a.b.c', 2], ['a.b', 1]])).toThrow(/twice, or is also a group/);
    expect(() => nestFigures([['a.b', 1], ['a.b', 2]])).toThrow(/twice/);
    expect(() => nestFigures([['a..b', 1]])).toThrow(/empty part/);
  });
});

describe('buildResults', () => {
  it("holds each of issue 11's keys as a number, nested, with the machine and the aims", () => {
    const figures = requiredFigures();
    figures.set('decode.json.events.ComputerAdded.ours_us', 20);
    const results = buildResults(MACHINE, figures);
    expect(results.machine).toEqual(MACHINE);
    expect(results).toMatchObject({
      decode: { json: { ratio: 0.5, vs_peer: 2.5, events: { ComputerAdded: { ours_us: 20 } } }, xml: { ratio_vs_default: 1.5, vs_peer: 3.5 } },
      init: { ingest: { ratio: 4.5 }, scep: { ratio: 5.5 } },
      bundle: { scep: { init_bytes: 6.5 }, ingest: { init_bytes: 7.5 } },
      ingest: { warm: { p50_ms: 8.5 }, cpu_ms_per_request: 9.5 },
    });
    // Met or missed, as a number a reader can sum: 0.5 <= 2.0 is met, 2.5 > 1.5 is not.
    expect(results.aims).toMatchObject({ decode: { json: { ratio: { max: 2, met: 1 }, vs_peer: { max: 1.5, met: 0 } } } });
  });

  it('survives a round trip through JSON unchanged', () => {
    const results = buildResults(MACHINE, requiredFigures());
    expect(JSON.parse(JSON.stringify(results))).toEqual(results);
  });

  it.each(REQUIRED_FIGURES)('refuses a run without %s, or with it not a finite number', (key) => {
    const figures = requiredFigures();
    figures.delete(key);
    expect(() => buildResults(MACHINE, figures)).toThrow(key);
    figures.set(key, Number.NaN);
    expect(() => buildResults(MACHINE, figures)).toThrow(key);
  });

  it('keeps machine and aims for themselves', () => {
    expect(() => buildResults(MACHINE, requiredFigures().set('machine.cores', 4))).toThrow(/reserved/);
    expect(() => buildResults(MACHINE, requiredFigures().set('aims.x', 4))).toThrow(/reserved/);
  });

  it('has an aim for each ratio issue 11 sets one for', () => {
    for (const key of ['decode.json.ratio', 'decode.xml.ratio_vs_default', 'decode.json.vs_peer', 'decode.xml.vs_peer', 'init.ingest.ratio']) {
      expect(AIMS[key]).toBeDefined();
    }
    expect(AIMS['bundle.scep.init_bytes']?.max).toBe(25 * 1024);
  });
});

describe('resultsPath', () => {
  it('writes full runs to bench/results.json and quick runs (CI) beside it, to a file git ignores', () => {
    expect(resultsPath(false)).toMatch(/\/bench\/results\.json$/);
    expect(resultsPath(true)).toMatch(/\/bench\/results\.quick\.json$/);
  });
});
