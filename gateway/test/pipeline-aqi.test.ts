// The air quality index of HJ 633-2012: Table 1 at and between its limits, the rounding up, the
// notes on SO2 1-hour and O3 8-hour above 800 µg/m³, primary and exceeding pollutants, levels, and
// worked examples (published ones from the ministry's real-time feed, and hand-computed ones).
// Concentrations in µg/m³, CO in mg/m³. IAQI = IAQI_Lo + (C − BP_Lo) × (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo),
// then rounded up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AQI_LEVELS,
  aqiLevel,
  BREAKPOINTS,
  dailyAqi,
  hourlyAqi,
  IAQI_STEPS,
  iaqi,
  type AqiResult,
  type IaqiKind,
} from '../src/pipeline/aqi.js';

const ALL_KINDS = Object.keys(BREAKPOINTS) as IaqiKind[];

/** The parts of a result a worked example states. */
function summary(r: AqiResult) {
  return { aqi: r.aqi, primary: r.primary, level: r.level, category: r.category, categoryEn: r.categoryEn };
}

describe('Table 1', () => {
  it('has the limits of HJ 633-2012', () => {
    assert.deepEqual(IAQI_STEPS, [0, 50, 100, 150, 200, 300, 400, 500]);
    assert.deepEqual(BREAKPOINTS.so2_24h, [0, 50, 150, 475, 800, 1600, 2100, 2620]);
    assert.deepEqual(BREAKPOINTS.so2_1h, [0, 150, 500, 650, 800]);
    assert.deepEqual(BREAKPOINTS.no2_24h, [0, 40, 80, 180, 280, 565, 750, 940]);
    assert.deepEqual(BREAKPOINTS.no2_1h, [0, 100, 200, 700, 1200, 2340, 3090, 3840]);
    assert.deepEqual(BREAKPOINTS.pm10_24h, [0, 50, 150, 250, 350, 420, 500, 600]);
    assert.deepEqual(BREAKPOINTS.pm10_1h, BREAKPOINTS.pm10_24h);
    assert.deepEqual(BREAKPOINTS.co_24h, [0, 2, 4, 14, 24, 36, 48, 60]);
    assert.deepEqual(BREAKPOINTS.co_1h, [0, 5, 10, 35, 60, 90, 120, 150]);
    assert.deepEqual(BREAKPOINTS.o3_1h, [0, 160, 200, 300, 400, 800, 1000, 1200]);
    assert.deepEqual(BREAKPOINTS.o3_8h, [0, 100, 160, 215, 265, 800]);
    assert.deepEqual(BREAKPOINTS.pm25_24h, [0, 35, 75, 115, 150, 250, 350, 500]);
    assert.deepEqual(BREAKPOINTS.pm25_1h, BREAKPOINTS.pm25_24h);
    assert.equal(ALL_KINDS.length, 12);
    assert.ok(Object.isFrozen(BREAKPOINTS) && Object.isFrozen(BREAKPOINTS.so2_24h));
  });

  it('gives every limit of every kind exactly its IAQI', () => {
    for (const kind of ALL_KINDS) {
      BREAKPOINTS[kind].forEach((c, i) => assert.equal(iaqi(kind, c), IAQI_STEPS[i], `${kind} at ${c}`));
    }
  });

  it('interpolates between limits and rounds up', () => {
    const cases: Array<[IaqiKind, number, number]> = [
      ['pm25_24h', 52.5, 72], // 50 + (52.5 − 35) × 50/40 = 71.875 → 72
      ['so2_24h', 523, 158], // 150 + (523 − 475) × 50/325 = 157.38 → 158
      ['so2_1h', 700, 167], // 150 + (700 − 650) × 50/150 = 166.67 → 167
      ['no2_24h', 300, 208], // 200 + (300 − 280) × 100/285 = 207.02 → 208
      ['no2_1h', 150, 75], // 50 + (150 − 100) × 50/100 = 75 exactly: no rounding
      ['pm10_24h', 380, 243], // 200 + (380 − 350) × 100/70 = 242.86 → 243
      ['pm10_24h', 50.3, 51], // 50 + 0.3 × 50/100 = 50.15 → 51 (rounding to nearest would say 50)
      ['pm10_1h', 64.3, 58], // 50 + 14.3 × 50/100 = 57.15 → 58
      ['co_24h', 2.2, 55], // 50 + 0.2 × 50/2 = 55 exactly (floating point gives 55.000000000000007: still 55)
      ['co_24h', 3.1, 78], // 50 + 1.1 × 50/2 = 77.5 → 78
      ['co_1h', 1.173, 12], // 1.173 × 50/5 = 11.73 → 12
      ['o3_1h', 149, 47], // 149 × 50/160 = 46.5625 → 47
      ['o3_1h', 900, 350], // 300 + (900 − 800) × 100/200 = 350 exactly
      ['o3_8h', 108, 57], // 50 + 8 × 50/60 = 56.67 → 57
      ['o3_8h', 108.45, 58], // 50 + 8.45 × 50/60 = 57.04 → 58
      ['pm25_1h', 400, 434], // 400 + 50 × 100/150 = 433.33 → 434
      ['pm25_24h', 0.1, 1], // 0.1 × 50/35 = 0.14 → 1
      ['pm25_24h', 0, 0],
    ];
    for (const [kind, c, expected] of cases) assert.equal(iaqi(kind, c), expected, `${kind} at ${c}`);
  });

  it('gives 500 above the top of a full table', () => {
    assert.equal(iaqi('pm25_24h', 719), 500);
    assert.equal(iaqi('pm10_1h', 910), 500);
    assert.equal(iaqi('so2_24h', 3000), 500);
    assert.equal(iaqi('no2_1h', 3841), 500);
    assert.equal(iaqi('co_1h', 200), 500);
    assert.equal(iaqi('o3_1h', 1200.1), 500);
  });

  it('gives no IAQI above 800 for SO2 1-hour and O3 8-hour (notes 2 and 3)', () => {
    assert.equal(iaqi('so2_1h', 800), 200);
    assert.equal(iaqi('so2_1h', 800.1), null);
    assert.equal(iaqi('o3_8h', 800), 300);
    assert.equal(iaqi('o3_8h', 850), null);
  });

  it('gives no IAQI for a negative or non-finite concentration', () => {
    for (const c of [-1, -0.001, Number.NaN, Infinity, -Infinity]) {
      for (const kind of ALL_KINDS) assert.equal(iaqi(kind, c), null, `${kind} at ${c}`);
    }
    assert.equal(iaqi('pm25_1h', '40' as unknown as number), null);
    assert.equal(iaqi('pm25_1h', -0), 0);
    assert.throws(() => iaqi('pm1_1h' as IaqiKind, 3), TypeError);
  });
});

describe('levels', () => {
  it('has six levels with their ranges, categories and colours', () => {
    const edges: Array<[number, number]> = [[0, 1], [50, 1], [51, 2], [100, 2], [101, 3], [150, 3], [151, 4], [200, 4], [201, 5], [300, 5], [301, 6], [500, 6]];
    for (const [aqi, level] of edges) assert.equal(aqiLevel(aqi).level, level, `AQI ${aqi}`);
    assert.deepEqual(
      AQI_LEVELS.map((l) => [l.level, l.min, l.max, l.category, l.categoryEn, l.color]),
      [
        [1, 0, 50, '优', 'Excellent', '#00E400'],
        [2, 51, 100, '良', 'Good', '#FFFF00'],
        [3, 101, 150, '轻度污染', 'Lightly polluted', '#FF7E00'],
        [4, 151, 200, '中度污染', 'Moderately polluted', '#FF0000'],
        [5, 201, 300, '重度污染', 'Heavily polluted', '#99004C'],
        [6, 301, 500, '严重污染', 'Severely polluted', '#7E0023'],
      ],
    );
  });
});

// Published examples: the ministry's real-time city feed of 2013-10-21 14:00, as sampled in the
// PM25.in API documentation (fields: so2, no2, co, o3 = 1-hour; o3_8h = 8-hour moving average;
// pm10_24h, pm2_5_24h = 24-hour moving averages). In 2013 the real-time AQI took PM from the
// 24-hour moving averages (it changed to 1-hour values on 2014-01-01), so those are wired to
// `pm10`/`pm25` here; both go against the same limits.
describe('worked examples published in the real-time feed (2013-10-21 14:00)', () => {
  it('Kunming: AQI 24, no primary pollutant, level 1 优', () => {
    // so2 6 → 6 × 50/150 = 2 · no2 27 → 27 × 50/100 = 13.5 → 14 · pm10_24h 24 → 24 ·
    // pm2_5_24h 15 → 15 × 50/35 = 21.43 → 22 · co 1.173 → 11.73 → 12 · o3 16 → 5 · o3_8h 7 → 3.5 → 4
    const r = hourlyAqi({ so2: 6, no2: 27, pm10: 24, pm25: 15, co: 1.173, o3: 16, o3_8h: 7 });
    assert.deepEqual(summary(r), { aqi: 24, primary: [], level: 1, category: '优', categoryEn: 'Excellent' });
    assert.deepEqual(r.iaqi, { so2: 2, no2: 14, pm10: 24, pm25: 22, co: 12, o3: 5, o3_8h: 4 });
    assert.deepEqual(r.exceeding, []);
    assert.deepEqual(r.missing, []);
    assert.equal(r.color, '#00E400');
    // With the 1-hour PM of the same record (pm10 9 → 9, pm2_5 11 → 15.71 → 16) the AQI would be 16,
    // not the published 24: the 2013 feed used the 24-hour moving averages.
    assert.equal(hourlyAqi({ so2: 6, no2: 27, pm10: 9, pm25: 11, co: 1.173, o3: 16, o3_8h: 7 }).aqi, 16);
  });

  it('Harbin: AQI 500, PM2.5 and PM10 primary, level 6 严重污染', () => {
    // so2 61 → 61/3 = 20.33 → 21 · no2 166 → 50 + 66 × 0.5 = 83 · co 4.053 → 40.53 → 41 ·
    // o3 13 → 4.06 → 5 · o3_8h 9 → 4.5 → 5 · pm10_24h 860 > 600 → 500 · pm2_5_24h 719 > 500 → 500
    const r = hourlyAqi({ so2: 61, no2: 166, pm10: 860, pm25: 719, co: 4.053, o3: 13, o3_8h: 9 });
    assert.deepEqual(summary(r), { aqi: 500, primary: ['PM10', 'PM2.5'], level: 6, category: '严重污染', categoryEn: 'Severely polluted' });
    assert.deepEqual(r.iaqi, { so2: 21, no2: 83, pm10: 500, pm25: 500, co: 41, o3: 5, o3_8h: 5 });
    assert.deepEqual(r.exceeding, ['PM10', 'PM2.5']);
    // The record's 1-hour PM (pm10 910, pm2_5 866) is above the tables too: the same result.
    assert.deepEqual(summary(hourlyAqi({ so2: 61, no2: 166, pm10: 910, pm25: 866, co: 4.053, o3: 13, o3_8h: 9 })), summary(r));
  });

  it('Quanzhou: O3 (8-hour) and PM10 tie as primary pollutants, level 2 良', () => {
    // Published: AQI 58, primary "臭氧8小时,颗粒物(PM10)". The feed prints rounded concentrations:
    // so2 12 → 4 · no2 16 → 8 · co 0.57 → 5.7 → 6 · o3 149 → 46.56 → 47 · pm2_5_24h 29 → 41.43 → 42 ·
    // o3_8h 108 → 50 + 8 × 50/60 = 56.67 → 57 · pm10_24h 64 → 50 + 14 × 0.5 = 57: the tie, at 57.
    const printed = hourlyAqi({ so2: 12, no2: 16, pm10: 64, pm25: 29, co: 0.57, o3: 149, o3_8h: 108 });
    assert.deepEqual(summary(printed), { aqi: 57, primary: ['PM10', 'O3'], level: 2, category: '良', categoryEn: 'Good' });
    // 58 for both needs O3 8-h above 108.4 and PM10 above 64 (both still print as 108 and 64), and
    // rounding up: o3_8h 108.45 → 57.04 → 58 · pm10 64.3 → 57.15 → 58 (to nearest: 57 and 57).
    const r = hourlyAqi({ so2: 12, no2: 16, pm10: 64.3, pm25: 29, co: 0.57, o3: 149, o3_8h: 108.45 });
    assert.deepEqual(summary(r), { aqi: 58, primary: ['PM10', 'O3'], level: 2, category: '良', categoryEn: 'Good' });
    assert.deepEqual(r.iaqi, { so2: 4, no2: 8, pm10: 58, pm25: 42, co: 6, o3: 47, o3_8h: 58 });
  });

  it('Fuzhou: AQI 51 with PM10 primary needs rounding up', () => {
    // Published: AQI 51, 良, primary 颗粒物(PM10), pm10_24h printed 50. so2 12 → 4 · no2 20 → 10 ·
    // co 0.562 → 5.62 → 6 · o3 92 → 28.75 → 29 · o3_8h 64 → 32 · pm2_5_24h 30 → 42.86 → 43 ·
    // PM10: 50 exactly → 50 (优, no primary); 51 needs 50 < C < 50.5 (prints as 50) and rounding up:
    // 50.3 → 50.15 → 51.
    assert.deepEqual(summary(hourlyAqi({ so2: 12, no2: 20, pm10: 50, pm25: 30, co: 0.562, o3: 92, o3_8h: 64 })), {
      aqi: 50,
      primary: [],
      level: 1,
      category: '优',
      categoryEn: 'Excellent',
    });
    const r = hourlyAqi({ so2: 12, no2: 20, pm10: 50.3, pm25: 30, co: 0.562, o3: 92, o3_8h: 64 });
    assert.deepEqual(summary(r), { aqi: 51, primary: ['PM10'], level: 2, category: '良', categoryEn: 'Good' });
  });
});

// Hand-computed from Table 1 (no published daily example with all concentrations was found).
describe('worked daily examples, computed by hand', () => {
  it('PM2.5 primary, 轻度污染', () => {
    // so2 20 → 20 · no2 45 → 50 + 5 × 50/40 = 56.25 → 57 · pm10 120 → 50 + 70 × 0.5 = 85 ·
    // pm25 88 → 100 + 13 × 50/40 = 116.25 → 117 · co 1.2 → 1.2 × 25 = 30 ·
    // o3 (day's max 1-h) 150 → 150 × 50/160 = 46.875 → 47 · o3_8h (day's max) 120 → 50 + 20 × 50/60 = 66.67 → 67
    const r = dailyAqi({ so2: 20, no2: 45, pm10: 120, pm25: 88, co: 1.2, o3: 150, o3_8h: 120 });
    assert.deepEqual(summary(r), { aqi: 117, primary: ['PM2.5'], level: 3, category: '轻度污染', categoryEn: 'Lightly polluted' });
    assert.deepEqual(r.iaqi, { so2: 20, no2: 57, pm10: 85, pm25: 117, co: 30, o3: 47, o3_8h: 67 });
    assert.deepEqual(r.exceeding, ['PM2.5']);
    assert.equal(r.color, '#FF7E00');
  });

  it('PM10 and PM2.5 tie as primary pollutants', () => {
    // so2 8 → 8 · no2 32 → 40 · pm10 250 → 150 · pm25 115 → 150 · co 0.8 → 20 · o3 90 → 28.125 → 29 · o3_8h 70 → 35
    const r = dailyAqi({ so2: 8, no2: 32, pm10: 250, pm25: 115, co: 0.8, o3: 90, o3_8h: 70 });
    assert.deepEqual(summary(r), { aqi: 150, primary: ['PM10', 'PM2.5'], level: 3, category: '轻度污染', categoryEn: 'Lightly polluted' });
    assert.deepEqual(r.exceeding, ['PM10', 'PM2.5']);
  });

  it('an ozone day: O3 primary, SO2 and O3 exceeding, 中度污染', () => {
    // so2 500 → 150 + 25 × 50/325 = 153.85 → 154 · no2 60 → 50 + 20 × 50/40 = 75 · pm10 70 → 60 ·
    // pm25 40 → 50 + 5 × 50/40 = 56.25 → 57 · co 0.9 → 22.5 → 23 · o3 320 → 150 + 20 × 50/100 = 160 ·
    // o3_8h 240 → 150 + 25 × 50/50 = 175
    const r = dailyAqi({ so2: 500, no2: 60, pm10: 70, pm25: 40, co: 0.9, o3: 320, o3_8h: 240 });
    assert.deepEqual(summary(r), { aqi: 175, primary: ['O3'], level: 4, category: '中度污染', categoryEn: 'Moderately polluted' });
    assert.deepEqual(r.iaqi, { so2: 154, no2: 75, pm10: 60, pm25: 57, co: 23, o3: 160, o3_8h: 175 });
    assert.deepEqual(r.exceeding, ['SO2', 'O3']);
  });

  it('a haze day: PM10 primary, 严重污染', () => {
    // so2 30 → 30 · no2 120 → 100 + 40 × 50/100 = 120 · pm10 480 → 300 + 60 × 100/80 = 375 ·
    // pm25 320 → 300 + 70 × 100/100 = 370 · co 3.1 → 50 + 1.1 × 25 = 77.5 → 78 · o3 20 → 6.25 → 7 · o3_8h 15 → 7.5 → 8
    const r = dailyAqi({ so2: 30, no2: 120, pm10: 480, pm25: 320, co: 3.1, o3: 20, o3_8h: 15 });
    assert.deepEqual(summary(r), { aqi: 375, primary: ['PM10'], level: 6, category: '严重污染', categoryEn: 'Severely polluted' });
    assert.deepEqual(r.exceeding, ['NO2', 'PM10', 'PM2.5']);
  });

  it('uses the 24-hour limits for SO2, NO2 and CO, not the 1-hour ones (note 1)', () => {
    // daily: no2 150 → 100 + 70 × 50/100 = 135 · hourly: no2 150 → 50 + 50 × 50/100 = 75
    assert.equal(dailyAqi({ no2: 150 }).aqi, 135);
    assert.equal(hourlyAqi({ no2: 150 }).aqi, 75);
    // daily: co 5 → 100 + 1 × 50/10 = 105 · hourly: co 5 → 50
    assert.equal(dailyAqi({ co: 5 }).aqi, 105);
    assert.equal(hourlyAqi({ co: 5 }).aqi, 50);
    // daily SO2 has no 800 rule: 900 → 200 + 100 × 100/800 = 212.5 → 213
    assert.equal(dailyAqi({ so2: 900 }).aqi, 213);
  });
});

describe('the notes on 800 µg/m³', () => {
  it('hourly SO2 above 800 takes the IAQI of the 24-hour average', () => {
    // so2_24h 300 → 100 + 150 × 50/325 = 123.08 → 124 · no2 50 → 25
    const r = hourlyAqi({ so2: 900, so2_24h: 300, no2: 50 });
    assert.equal(r.iaqi.so2, 124);
    assert.deepEqual(summary(r), { aqi: 124, primary: ['SO2'], level: 3, category: '轻度污染', categoryEn: 'Lightly polluted' });
    assert.ok(!r.missing.includes('so2_24h'));
  });

  it('hourly SO2 above 800 without a 24-hour average gives no SO2 IAQI and names it missing', () => {
    const r = hourlyAqi({ so2: 900, no2: 50 });
    assert.equal(r.iaqi.so2, undefined);
    assert.equal(r.aqi, 25);
    assert.ok(r.missing.includes('so2_24h'));
    assert.deepEqual(hourlyAqi({ so2: 900, so2_24h: -3 }).invalid, ['so2_24h']);
  });

  it('hourly SO2 up to 800 uses the 1-hour limits and ignores the 24-hour average', () => {
    assert.equal(hourlyAqi({ so2: 800, so2_24h: 2000 }).aqi, 200);
    // 100 × 50/150 = 33.33 → 34
    assert.equal(hourlyAqi({ so2: 100, so2_24h: 2000 }).aqi, 34);
  });

  it('O3 8-hour above 800 gives no 8-hour IAQI; the 1-hour O3 stands for O3', () => {
    // o3 1100 → 400 + 100 × 100/200 = 450
    for (const r of [dailyAqi({ o3: 1100, o3_8h: 850 }), hourlyAqi({ o3: 1100, o3_8h: 850 })]) {
      assert.deepEqual(r.iaqi, { o3: 450 });
      assert.deepEqual(summary(r), { aqi: 450, primary: ['O3'], level: 6, category: '严重污染', categoryEn: 'Severely polluted' });
    }
    // Without a 1-hour O3, O3 has no IAQI: pm25 50 → 50 + 15 × 50/40 = 68.75 → 69
    const r = dailyAqi({ o3_8h: 850, pm25: 50 });
    assert.deepEqual(r.iaqi, { pm25: 69 });
    assert.ok(r.missing.includes('o3'));
  });
});

describe('primary and exceeding pollutants', () => {
  it('names no primary pollutant at AQI 50 or below, and one from 51', () => {
    // pm25 35 → 50, no2 100 → 50 (1-hour)
    const at50 = hourlyAqi({ pm25: 35, no2: 100 });
    assert.deepEqual(summary(at50), { aqi: 50, primary: [], level: 1, category: '优', categoryEn: 'Excellent' });
    // pm25 35.5 → 50 + 0.5 × 1.25 = 50.625 → 51
    assert.deepEqual(hourlyAqi({ pm25: 35.5, no2: 100 }).primary, ['PM2.5']);
  });

  it('names O3 once when its 1-hour and 8-hour IAQIs tie', () => {
    // o3 200 → 100, o3_8h 160 → 100
    const r = hourlyAqi({ o3: 200, o3_8h: 160, pm25: 60 });
    assert.deepEqual(r.primary, ['O3']);
    assert.deepEqual(r.iaqi, { o3: 100, o3_8h: 100, pm25: 82 }); // pm25 60 → 50 + 25 × 1.25 = 81.25 → 82
    // 101 on both: o3 201 → 100.5 → 101, o3_8h 161 → 100.9 → 101
    assert.deepEqual(hourlyAqi({ o3: 201, o3_8h: 161 }).exceeding, ['O3']);
  });

  it('counts an IAQI of exactly 100 as not exceeding', () => {
    const r = hourlyAqi({ pm25: 75 });
    assert.deepEqual(r.exceeding, []);
    assert.equal(r.level, 2);
  });
});

describe('missing and invalid concentrations', () => {
  it('lists and ignores pollutants without a value', () => {
    // pm25 40 → 50 + 5 × 1.25 = 56.25 → 57
    const r = hourlyAqi({ pm25: 40, so2: null });
    assert.equal(r.aqi, 57);
    assert.deepEqual(r.missing, ['so2', 'no2', 'pm10', 'co', 'o3', 'o3_8h']);
    assert.deepEqual(r.invalid, []);
  });

  it('lists and ignores negative and non-finite concentrations', () => {
    const r = dailyAqi({ so2: -1, no2: Number.NaN, pm10: Infinity, pm25: 40, co: 0.5, o3: null, o3_8h: 90 });
    assert.deepEqual(r.invalid, ['so2', 'no2', 'pm10']);
    assert.deepEqual(r.missing, ['o3']);
    // pm25 57 · co 0.5 → 12.5 → 13 · o3_8h 90 → 45
    assert.deepEqual(r.iaqi, { pm25: 57, co: 13, o3_8h: 45 });
    assert.equal(r.aqi, 57);
  });

  it('gives no AQI when nothing could be computed', () => {
    const r = hourlyAqi({ so2: -5 });
    assert.deepEqual(r, {
      aqi: null,
      iaqi: {},
      primary: [],
      exceeding: [],
      level: null,
      category: null,
      categoryEn: null,
      color: null,
      missing: ['no2', 'pm10', 'pm25', 'co', 'o3', 'o3_8h'],
      invalid: ['so2'],
    });
    assert.equal(dailyAqi({}).aqi, null);
  });

  it('takes the concentrations a derived point passes (a record by pollutant key)', () => {
    const concentrations: Record<string, number | null> = { pm25: 100, o3_8h: null, extra: 1000 };
    // pm25 100 (1-hour, against the 24-hour limits) → 100 + 25 × 50/40 = 131.25 → 132
    const r = hourlyAqi(concentrations);
    assert.deepEqual(summary(r), { aqi: 132, primary: ['PM2.5'], level: 3, category: '轻度污染', categoryEn: 'Lightly polluted' });
    assert.equal(dailyAqi(concentrations).aqi, 132);
  });
});
