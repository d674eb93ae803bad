/**
 * The air quality index of HJ 633-2012, 环境空气质量指数（AQI）技术规定（试行）: the individual
 * index (IAQI) of each pollutant, the AQI, the primary and exceeding pollutants, the level, the
 * category and its colour, for the hourly (实时报) and the daily (日报) report. Pure and
 * allocation-light: a handful of small arrays per result, no I/O.
 *
 * What was confirmed, and from where (the standard's own text could not be read here; the
 * sources below quote or implement it, and they agree unless said otherwise):
 *
 * - Table 1, IAQI 0/50/100/150/200/300/400/500 against (µg/m³; CO in mg/m³):
 *     SO2 24 h 0 50 150 475 800 1600 2100 2620 · SO2 1 h 0 150 500 650 800 (see note 2) ·
 *     NO2 24 h 0 40 80 180 280 565 750 940 · NO2 1 h 0 100 200 700 1200 2340 3090 3840 ·
 *     PM10 24 h 0 50 150 250 350 420 500 600 · CO 24 h 0 2 4 14 24 36 48 60 ·
 *     CO 1 h 0 5 10 35 60 90 120 150 · O3 1 h 0 160 200 300 400 800 1000 1200 ·
 *     O3 8 h moving 0 100 160 215 265 800 (see note 3) · PM2.5 24 h 0 35 75 115 150 250 350 500.
 *   Sources: a Chinese monitoring vendor's C# AQI helper (namespace Suncere.AQSC, `AQIHelper`),
 *   the Go package ringsaturn/aqi (`mep`, "for HJ633-2012"), an ASP.NET page reproducing Table 1
 *   with its notes ("空气质量浓度和指数换算表"), Java AQI utilities published on CSDN. Two sources
 *   disagree and were judged wrong: caiyunapp/aqi-hub's 2012-era table copies the SO2 1-hour row
 *   into SO2 24 h, and the ASP.NET page prints 52 for SO2 24 h at IAQI 50 (everyone else: 50).
 * - Notes of Table 1: (1) the 1-hour SO2, NO2 and CO limits are for the hourly report only, the
 *   daily report uses the 24-hour ones; (2) SO2 1-hour above 800 µg/m³: no IAQI from the 1-hour
 *   value, SO2 is reported with the IAQI of its 24-hour average; (3) O3 8-hour above 800 µg/m³: no
 *   IAQI from the 8-hour value, O3 is reported with the IAQI of its 1-hour average. Sources: the
 *   ASP.NET table page (notes verbatim), ringsaturn/aqi and several codes quoting notes 2 and 3.
 * - Formula: IAQI = (IAQI_Hi − IAQI_Lo) / (BP_Hi − BP_Lo) × (C − BP_Lo) + IAQI_Lo, BP_Lo/BP_Hi the
 *   Table 1 limits around C (caiyunapp/aqi-hub, Suncere helper, CSDN articles).
 * - Rounding: IAQI rounded UP to an integer (so the AQI is an integer too). NOT confirmed from the
 *   standard's text. Confirmed in practice: the Suncere helper uses Math.Ceiling, aqi-hub and the
 *   CSDN utilities math.ceil, and the ministry's real-time feed of 2013-10-21 14:00 (samples in
 *   the PM25.in API documentation) can only be reproduced by rounding up: Fuzhou, PM10 24-h 50
 *   → published AQI 51; Quanzhou, O3 8-h 108 and PM10 24-h 64 → published 58 for both. Other
 *   public codes truncate (ringsaturn/aqi) or round to nearest; they do not match that feed.
 * - Above the top of a table: IAQI 500 (the scale "bursts", 爆表). Not in the text we could read;
 *   confirmed by the same 2013 feed (Harbin, PM2.5 719 µg/m³ → AQI 500) and by an explanatory
 *   document on the AQI method (book118, "空气质量指数AQI计算方法"). The two tables that stop early
 *   (SO2 1 h at 800, O3 8 h at 800) follow notes 2 and 3 instead.
 * - AQI = the largest IAQI. Primary pollutant(s) (首要污染物): only when AQI > 50, every pollutant
 *   whose IAQI equals the AQI (ties give several). Exceeding pollutants (超标污染物): IAQI > 100.
 *   Sources: Suncere helper (limits 50 and 100, all ties joined), the 2013 feed (several primary
 *   pollutants joined by commas, none at a low AQI), a Tencent Cloud article on the method (并列).
 * - Levels: 0-50 一级 优 green #00E400 (0,228,0) · 51-100 二级 良 yellow #FFFF00 · 101-150 三级 轻度污染
 *   orange #FF7E00 (255,126,0) · 151-200 四级 中度污染 red #FF0000 · 201-300 五级 重度污染 purple
 *   #99004C (153,0,76) · >300 六级 严重污染 maroon #7E0023 (126,0,35). Sources: Suncere helper
 *   (enums with RGB and hex), aqi-hub, QWeather's AQI list; HJ 633 appendix A (规范性附录) holds the
 *   colours per the standard's table of contents.
 * - Hourly report (实时报), per the Shenzhen ecology and environment bureau's Q&A (业务知识库):
 *   1-hour SO2, NO2, O3, CO, PM2.5, PM10, the O3 8-hour moving average, and the PM2.5 and PM10
 *   24-hour moving averages (9 indicators). Table 1 has no 1-hour PM limits. The choice for
 *   PM here: the 1-hour value against the 24-hour limits, which is the national platform's method
 *   since 2014-01-01 (a ministry official, CNA report of 2014-01-01: particulate AQI changed
 *   "from the 24-hour moving average to the real-time value"; a Taiyuan news report of the same
 *   switch), and what the Suncere helper, ringsaturn/aqi and aqi-hub do. The 2013 feed samples reproduce
 *   only with the 24-hour moving averages: the pre-2014 method. Both use the same limits, so
 *   `hourlyAqi` takes whichever PM average the caller wires to `pm10`/`pm25`.
 * - Daily report (日报): 24-hour SO2, NO2, PM10, PM2.5, CO, the day's highest 1-hour O3 and the
 *   day's highest 8-hour moving O3 (field names and meanings of the ministry's feed, PM25.in
 *   documentation; the Tencent Cloud article: 1-hour SO2, NO2, CO do not enter the daily AQI). The
 *   "7 indicators" sentence of the standard itself was not found. Some published daily reports
 *   (Shanghai, 2013) list only the 8-hour O3 IAQI: wire only `o3_8h` to follow that practice.
 *
 * Not confirmed / not done: the rounding and the cap at 500 from the standard's own text; whether
 * inputs should be rounded first (national practice shows integers, CO to 0.001: round with the
 * point's `decimals` if wanted; nothing is rounded here). A revision, HJ 633-2026 (with
 * GB 3095-2026), is cited by QWeather's documentation and aqi-hub 0.3: PM2.5 良/轻度 limit 60
 * instead of 75, PM10 120 instead of 150, SO2 1 h > 800 → IAQI 200, O3 8 h > 800 → IAQI 300, no
 * exceeding pollutants. It is NOT implemented: this module is HJ 633-2012.
 */

/** A row of Table 1: a pollutant and the averaging period of its concentration. */
export type IaqiKind =
  | 'so2_24h'
  | 'so2_1h'
  | 'no2_24h'
  | 'no2_1h'
  | 'pm10_24h'
  | 'pm10_1h'
  | 'pm25_24h'
  | 'pm25_1h'
  | 'co_24h'
  | 'co_1h'
  | 'o3_1h'
  | 'o3_8h';

/** The IAQI values of the columns of Table 1. */
export const IAQI_STEPS: readonly number[] = Object.freeze([0, 50, 100, 150, 200, 300, 400, 500]);

const PM10 = Object.freeze([0, 50, 150, 250, 350, 420, 500, 600]);
const PM25 = Object.freeze([0, 35, 75, 115, 150, 250, 350, 500]);

/**
 * The concentration limits of Table 1 for each kind, in µg/m³ (CO in mg/m³), one per entry of
 * `IAQI_STEPS`. `so2_1h` stops at IAQI 200 and `o3_8h` at 300 (notes 2 and 3). `pm10_1h` and
 * `pm25_1h` are not in Table 1: they are the 24-hour limits, applied to 1-hour values as the
 * national real-time platform does.
 */
export const BREAKPOINTS: Readonly<Record<IaqiKind, readonly number[]>> = Object.freeze({
  so2_24h: Object.freeze([0, 50, 150, 475, 800, 1600, 2100, 2620]),
  so2_1h: Object.freeze([0, 150, 500, 650, 800]),
  no2_24h: Object.freeze([0, 40, 80, 180, 280, 565, 750, 940]),
  no2_1h: Object.freeze([0, 100, 200, 700, 1200, 2340, 3090, 3840]),
  pm10_24h: PM10,
  pm10_1h: PM10,
  pm25_24h: PM25,
  pm25_1h: PM25,
  co_24h: Object.freeze([0, 2, 4, 14, 24, 36, 48, 60]),
  co_1h: Object.freeze([0, 5, 10, 35, 60, 90, 120, 150]),
  o3_1h: Object.freeze([0, 160, 200, 300, 400, 800, 1000, 1200]),
  o3_8h: Object.freeze([0, 100, 160, 215, 265, 800]),
});

/** Below this, a computed IAQI is taken as the integer it is meant to be (binary floating point). */
const EPSILON = 1e-9;

/**
 * The IAQI of one concentration: linear between the limits of Table 1 around it, rounded up to an
 * integer. 500 above the top of a full table. `null` when it cannot be computed: not a finite
 * number, negative, or above the end of the `so2_1h` or `o3_8h` table (800 µg/m³), where the
 * standard says not to compute it (use the 24-hour SO2 or the 1-hour O3 IAQI instead).
 */
export function iaqi(kind: IaqiKind, concentration: number): number | null {
  const limits = BREAKPOINTS[kind];
  if (limits === undefined) throw new TypeError(`unknown IAQI kind "${String(kind)}"`);
  if (typeof concentration !== 'number' || !(concentration >= 0) || concentration === Infinity) return null;
  for (let i = 1; i < limits.length; i++) {
    const hi = limits[i]!;
    if (concentration <= hi) {
      const lo = limits[i - 1]!;
      const iLo = IAQI_STEPS[i - 1]!;
      const value = iLo + ((concentration - lo) * (IAQI_STEPS[i]! - iLo)) / (hi - lo);
      return Math.ceil(value - EPSILON) + 0; // + 0: a concentration of 0 gives 0, not -0
    }
  }
  return limits.length === IAQI_STEPS.length ? 500 : null;
}

/** The inputs of an AQI: the keys of the `aqi` derived point's pollutants. */
export type AqiPollutant = 'so2' | 'no2' | 'pm10' | 'pm25' | 'co' | 'o3' | 'o3_8h';

/**
 * Concentrations for an AQI, in µg/m³ (CO in mg/m³); absent or `null` when there is none. What
 * each one averages depends on the report: see `hourlyAqi` and `dailyAqi`.
 */
export interface AqiInputs {
  so2?: number | null;
  no2?: number | null;
  pm10?: number | null;
  pm25?: number | null;
  co?: number | null;
  o3?: number | null;
  o3_8h?: number | null;
}

/** Inputs of the hourly AQI: `AqiInputs`, and the SO2 24-hour average that note 2 falls back to. */
export interface HourlyAqiInputs extends AqiInputs {
  /** SO2 24-hour (moving) average, used only when the 1-hour SO2 is above 800 µg/m³. */
  so2_24h?: number | null;
}

/** One of the six levels of the AQI. */
export type AqiLevel = 1 | 2 | 3 | 4 | 5 | 6;

/** A level of the AQI with its range, category and colour (HJ 633-2012; colours: its appendix A). */
export interface AqiLevelInfo {
  readonly level: AqiLevel;
  /** Lowest and highest AQI of the level. */
  readonly min: number;
  readonly max: number;
  /** Category (类别) in Chinese. */
  readonly category: string;
  readonly categoryEn: string;
  /** Colour as `#RRGGBB`. */
  readonly color: string;
}

/** The six levels, level 1 first. */
export const AQI_LEVELS: readonly AqiLevelInfo[] = Object.freeze([
  Object.freeze({ level: 1, min: 0, max: 50, category: '优', categoryEn: 'Excellent', color: '#00E400' }),
  Object.freeze({ level: 2, min: 51, max: 100, category: '良', categoryEn: 'Good', color: '#FFFF00' }),
  Object.freeze({ level: 3, min: 101, max: 150, category: '轻度污染', categoryEn: 'Lightly polluted', color: '#FF7E00' }),
  Object.freeze({ level: 4, min: 151, max: 200, category: '中度污染', categoryEn: 'Moderately polluted', color: '#FF0000' }),
  Object.freeze({ level: 5, min: 201, max: 300, category: '重度污染', categoryEn: 'Heavily polluted', color: '#99004C' }),
  Object.freeze({ level: 6, min: 301, max: 500, category: '严重污染', categoryEn: 'Severely polluted', color: '#7E0023' }),
] as AqiLevelInfo[]);

/** The level of an AQI (an integer from 0 up; above 300 is level 6). */
export function aqiLevel(aqi: number): AqiLevelInfo {
  const i = aqi <= 50 ? 0 : aqi <= 100 ? 1 : aqi <= 150 ? 2 : aqi <= 200 ? 3 : aqi <= 300 ? 4 : 5;
  return AQI_LEVELS[i]!;
}

/** The AQI of one set of concentrations. */
export interface AqiResult {
  /** The largest IAQI; `null` when no pollutant could be computed. */
  aqi: number | null;
  /**
   * The IAQI of each pollutant that could be computed. `so2` comes from the 24-hour average when
   * the hourly 1-hour SO2 is above 800; `o3_8h` is absent when its concentration is above 800.
   */
  iaqi: Partial<Record<AqiPollutant, number>>;
  /** Display names ('SO2', 'NO2', 'PM10', 'PM2.5', 'CO', 'O3') with IAQI = AQI; empty when AQI <= 50. */
  primary: string[];
  /** Display names of the pollutants with an IAQI above 100 (超标污染物). */
  exceeding: string[];
  level: AqiLevel | null;
  /** Chinese category (优, 良, 轻度污染, 中度污染, 重度污染, 严重污染); `null` without an AQI. */
  category: string | null;
  /** 'Excellent', 'Good', 'Lightly polluted', 'Moderately polluted', 'Heavily polluted', 'Severely polluted'. */
  categoryEn: string | null;
  /** Colour of the level as `#RRGGBB`. */
  color: string | null;
  /** Input keys without a value (absent or null), including `so2_24h` when note 2 needed it. */
  missing: string[];
  /** Input keys whose value was unusable: not a finite number, or negative. */
  invalid: string[];
}

interface Slot {
  readonly key: AqiPollutant;
  readonly name: string;
  readonly hourly: IaqiKind;
  readonly daily: IaqiKind;
}

const SLOTS: readonly Slot[] = [
  { key: 'so2', name: 'SO2', hourly: 'so2_1h', daily: 'so2_24h' },
  { key: 'no2', name: 'NO2', hourly: 'no2_1h', daily: 'no2_24h' },
  { key: 'pm10', name: 'PM10', hourly: 'pm10_1h', daily: 'pm10_24h' },
  { key: 'pm25', name: 'PM2.5', hourly: 'pm25_1h', daily: 'pm25_24h' },
  { key: 'co', name: 'CO', hourly: 'co_1h', daily: 'co_24h' },
  { key: 'o3', name: 'O3', hourly: 'o3_1h', daily: 'o3_1h' },
  { key: 'o3_8h', name: 'O3', hourly: 'o3_8h', daily: 'o3_8h' },
];

/**
 * The hourly (real-time, 实时报) AQI of a station or a city. Inputs: 1-hour averages of `so2`,
 * `no2`, `co` and `o3`, the 8-hour moving average `o3_8h`, and for `pm10`/`pm25` the 1-hour
 * averages (national practice since 2014; the 24-hour moving averages, the earlier practice, go
 * against the same limits). A 1-hour SO2 above 800 µg/m³ is replaced by the IAQI of `so2_24h`;
 * an 8-hour O3 above 800 µg/m³ gives no IAQI and the 1-hour O3 one stands for O3.
 */
export function hourlyAqi(inputs: HourlyAqiInputs): AqiResult {
  return compute(inputs, true);
}

/**
 * The daily (日报) AQI. Inputs: 24-hour averages of `so2`, `no2`, `pm10`, `pm25` and `co`, the
 * day's highest 1-hour average of `o3` and the day's highest 8-hour moving average `o3_8h`. An
 * `o3_8h` above 800 µg/m³ gives no IAQI and the 1-hour O3 one stands for O3.
 */
export function dailyAqi(inputs: AqiInputs): AqiResult {
  return compute(inputs, false);
}

function compute(inputs: HourlyAqiInputs, hourly: boolean): AqiResult {
  const values: Partial<Record<AqiPollutant, number>> = {};
  const missing: string[] = [];
  const invalid: string[] = [];
  let aqi = -1;
  for (const slot of SLOTS) {
    const c = inputs[slot.key];
    if (c === undefined || c === null) {
      missing.push(slot.key);
      continue;
    }
    if (!usable(c)) {
      invalid.push(slot.key);
      continue;
    }
    let value: number | null;
    if (hourly && slot.key === 'so2' && c > 800) {
      const day = inputs.so2_24h;
      if (day === undefined || day === null) {
        missing.push('so2_24h');
        continue;
      }
      if (!usable(day)) {
        invalid.push('so2_24h');
        continue;
      }
      value = iaqi('so2_24h', day);
    } else {
      value = iaqi(hourly ? slot.hourly : slot.daily, c);
    }
    if (value === null) continue; // O3 8-hour above 800: O3 is the 1-hour IAQI (note 3)
    values[slot.key] = value;
    if (value > aqi) aqi = value;
  }
  if (aqi < 0) {
    return { aqi: null, iaqi: values, primary: [], exceeding: [], level: null, category: null, categoryEn: null, color: null, missing, invalid };
  }
  const primary: string[] = [];
  const exceeding: string[] = [];
  for (const slot of SLOTS) {
    const value = values[slot.key];
    if (value === undefined) continue;
    if (aqi > 50 && value === aqi && !primary.includes(slot.name)) primary.push(slot.name);
    if (value > 100 && !exceeding.includes(slot.name)) exceeding.push(slot.name);
  }
  const level = aqiLevel(aqi);
  return {
    aqi,
    iaqi: values,
    primary,
    exceeding,
    level: level.level,
    category: level.category,
    categoryEn: level.categoryEn,
    color: level.color,
    missing,
    invalid,
  };
}

function usable(c: unknown): c is number {
  return typeof c === 'number' && c >= 0 && c !== Infinity;
}
