/**
 * Double-double arithmetic (a value is hi + lo, two binary64 numbers with
 * |lo| ≤ ulp(hi)/2; about 106 significand bits), the working precision of
 * the x87 transcendental instructions (x87-functions.ts): with ~2^-104
 * relative error per operation, results rounded to the 64-bit extended
 * significand are within one ulp as the SDM states. Error-free
 * transformations after Dekker and Knuth (TwoSum, TwoProduct by splitting).
 *
 * Results are returned in `dd.hi` / `dd.lo` (no allocation).
 */

/** The last result. */
export const dd = { hi: 0, lo: 0 };
const SPLITTER = 134217729; // 2^27 + 1

function quickTwoSum(a: number, b: number): void {
  const s = a + b;
  dd.lo = b - (s - a);
  dd.hi = s;
}

function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  dd.lo = a - (s - bb) + (b - bb);
  dd.hi = s;
}

function twoProduct(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const aHigh = t - (t - a);
  const aLow = a - aHigh;
  t = SPLITTER * b;
  const bHigh = t - (t - b);
  const bLow = b - bHigh;
  dd.lo = aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow;
  dd.hi = p;
}

export function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s = dd.hi;
  let e = dd.lo;
  twoSum(al, bl);
  const t = dd.hi;
  const f = dd.lo;
  e += t;
  quickTwoSum(s, e);
  const s2 = dd.hi;
  const e2 = dd.lo + f;
  quickTwoSum(s2, e2);
}

export function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProduct(ah, bh);
  const p = dd.hi;
  const e = dd.lo + (ah * bl + al * bh);
  quickTwoSum(p, e);
}

export function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -dd.hi, -dd.lo);
  const q2 = dd.hi / bh;
  const rh = dd.hi;
  const rl = dd.lo;
  ddMul(q2, 0, bh, bl);
  ddAdd(rh, rl, -dd.hi, -dd.lo);
  const q3 = dd.hi / bh;
  quickTwoSum(q1, q2);
  ddAdd(dd.hi, dd.lo, q3, 0);
}

export function ddSqrt(ah: number, al: number): void {
  if (ah <= 0) {
    dd.hi = 0;
    dd.lo = 0;
    return;
  }
  const x = 1 / Math.sqrt(ah);
  const ax = ah * x;
  twoProduct(ax, ax);
  ddAdd(ah, al, -dd.hi, -dd.lo);
  const correction = dd.hi * (x * 0.5);
  twoSum(ax, correction);
}

/** Power series evaluated by {@link ddSeries}. */
export const SERIES = {
  /** sin x = Σ (−1)^k x^(2k+1) / (2k+1)! */
  SIN: 0,
  /** cos x = Σ (−1)^k x^(2k) / (2k)! */
  COS: 1,
  /** atan x = Σ (−1)^k x^(2k+1) / (2k+1) */
  ATAN: 2,
  /** atanh x = Σ x^(2k+1) / (2k+1) */
  ATANH: 3,
  /** e^x − 1 = Σ_{k≥1} x^k / k! */
  EXPM1: 4,
} as const;

/** Evaluates `series` at x = xh + xl (|x| small enough to converge quickly: ≤ 0.8 here). */
export function ddSeries(xh: number, xl: number, series: number): void {
  const odd = series !== SERIES.COS && series !== SERIES.EXPM1;
  let stepHigh = xh;
  let stepLow = xl;
  if (series !== SERIES.EXPM1) {
    ddMul(xh, xl, xh, xl);
    stepHigh = dd.hi;
    stepLow = dd.lo;
  }
  // `run` is x^n (ATAN, ATANH) or the previous term (factorial series).
  let runHigh = odd ? xh : 1;
  let runLow = odd ? xl : 0;
  if (series === SERIES.EXPM1) {
    runHigh = xh;
    runLow = xl;
  }
  let sumHigh = runHigh;
  let sumLow = runLow;
  for (let k = 1; k < 60; k++) {
    ddMul(runHigh, runLow, stepHigh, stepLow);
    let termHigh: number;
    let termLow: number;
    if (series === SERIES.ATAN || series === SERIES.ATANH) {
      runHigh = dd.hi;
      runLow = dd.lo;
      ddDiv(runHigh, runLow, 2 * k + 1, 0);
      termHigh = dd.hi;
      termLow = dd.lo;
    } else {
      const divisor =
        series === SERIES.SIN ? 2 * k * (2 * k + 1) : series === SERIES.COS ? (2 * k - 1) * (2 * k) : k + 1;
      ddDiv(dd.hi, dd.lo, divisor, 0);
      runHigh = dd.hi;
      runLow = dd.lo;
      termHigh = dd.hi;
      termLow = dd.lo;
    }
    const negative =
      (series === SERIES.SIN || series === SERIES.COS || series === SERIES.ATAN) && k % 2 === 1;
    if (series === SERIES.SIN || series === SERIES.COS) {
      // The running term carries its own sign: flip it every step.
      runHigh = -runHigh;
      runLow = -runLow;
      termHigh = runHigh;
      termLow = runLow;
    } else if (negative) {
      termHigh = -termHigh;
      termLow = -termLow;
    }
    ddAdd(sumHigh, sumLow, termHigh, termLow);
    sumHigh = dd.hi;
    sumLow = dd.lo;
    if (Math.abs(termHigh) <= Math.abs(sumHigh) * 2 ** -110) break;
  }
  dd.hi = sumHigh;
  dd.lo = sumLow;
}
