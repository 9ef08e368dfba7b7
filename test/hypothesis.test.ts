import {describe, expect, it} from "vitest";
import {
  chiSquareIndependence,
  chiSquareSf,
  fSf,
  kruskalWallis,
  plainReading,
  regularizedBeta,
  regularizedGammaP,
  regularizedGammaQ,
  studentTSf,
  studentTTwoSidedP,
  welchTTest
} from "../loaders/hypothesis.js";

// Reference values: mpmath at 50 digits (scipy agrees to 1e-12 except where noted), or closed forms.
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);
const TOLERANCE = 1e-10;

describe("distribution functions", () => {
  it("give the textbook 5% critical values: χ²(1) 3.8415, χ²(5) 11.0705 and two-sided t(10) 2.2281", () => {
    expect(relative(chiSquareSf(3.841458820694124, 1), 0.05)).toBeLessThan(TOLERANCE);
    expect(relative(chiSquareSf(11.070497693516351, 5), 0.05)).toBeLessThan(TOLERANCE);
    expect(relative(studentTTwoSidedP(2.228138851986273, 10), 0.05)).toBeLessThan(TOLERANCE);
  });

  it("match the chi-square survival function to 1e-10 relative, far into the tails and for large df", () => {
    const cases = [
      [0.5, 3, 0.9188914116546758],
      [41.2, 7, 7.410710473620294e-7],
      [100, 50, 0.00003454931382984864],
      [200, 30, 4.952733529003191e-27],
      [1500, 1000, 1.0454640385979657e-22],
      [0.001, 4, 0.9999998750416589],
      [25, 1, 5.733031437583878e-7]
    ];
    for (const [x, df, p] of cases) expect(relative(chiSquareSf(x, df), p), `x=${x} df=${df}`).toBeLessThan(TOLERANCE);
  });

  it("match the regularized incomplete gamma P and Q, on both sides of the series / continued-fraction switch", () => {
    const cases = [
      [0.5, 0.2, 0.4729107431344619],
      [3, 2.5, 0.45618688411667047],
      [10, 15, 0.9301463393005902],
      [100, 90, 0.15822098918643018],
      [2.5, 40, 0.9999999999999991]
    ];
    for (const [a, x, p] of cases) {
      expect(relative(regularizedGammaP(a, x), p), `P(${a}, ${x})`).toBeLessThan(TOLERANCE);
      expect(regularizedGammaP(a, x) + regularizedGammaQ(a, x)).toBeCloseTo(1, 15);
    }
  });

  it("reduce to closed forms: P(1, x) = 1 − e^−x and the χ²(2) tail is e^(−x/2)", () => {
    for (const x of [0.01, 0.7, 3, 12, 60]) {
      expect(relative(regularizedGammaP(1, x), -Math.expm1(-x))).toBeLessThan(TOLERANCE);
      expect(relative(chiSquareSf(x, 2), Math.exp(-x / 2))).toBeLessThan(TOLERANCE);
    }
  });

  it("match the regularized incomplete beta function", () => {
    const cases = [
      [0.3, 2, 5, 0.579825],
      [0.9, 0.5, 0.5, 0.7951672353008665],
      [0.05, 10, 3, 5.872802734375003e-12],
      [0.6, 60, 40, 0.49456299888440514]
    ];
    for (const [x, a, b, p] of cases)
      expect(relative(regularizedBeta(x, a, b), p), `I(${x}; ${a}, ${b})`).toBeLessThan(TOLERANCE);
    expect(regularizedBeta(0, 2, 3)).toBe(0);
    expect(regularizedBeta(1, 2, 3)).toBe(1);
  });

  it("match Student's t two-sided p-values, including fractional and very large df", () => {
    const cases = [
      [1.5, 3, 0.23058386524482305],
      [-4, 7.5, 0.0045061103501851775],
      [0.3, 200, 0.764488730189328],
      [12, 5, 0.00007089492517161522],
      [3, 100000, 0.002700460884064719]
    ];
    for (const [t, df, p] of cases)
      expect(relative(studentTTwoSidedP(t, df), p), `t=${t} df=${df}`).toBeLessThan(TOLERANCE);
  });

  it("reduce to closed forms for t with 1 and 2 df (Cauchy, and 1 − |t| / √(2 + t²)), even for tiny t", () => {
    for (const t of [1e-6, 0.01, 0.5, 3, 50]) {
      expect(relative(studentTTwoSidedP(t, 1), 1 - (2 * Math.atan(t)) / Math.PI)).toBeLessThan(TOLERANCE);
      expect(relative(studentTTwoSidedP(t, 2), 1 - t / Math.sqrt(2 + t * t))).toBeLessThan(TOLERANCE);
    }
    expect(studentTTwoSidedP(0, 4)).toBe(1);
    expect(studentTSf(2.228138851986273, 10)).toBeCloseTo(0.025, 14);
    expect(studentTSf(-2.228138851986273, 10)).toBeCloseTo(0.975, 14);
  });

  it("match the F survival function, and F(2, 2) reduces to 1 / (1 + f)", () => {
    const cases = [
      [3.5, 2, 20, 0.04973502207609714],
      [0.8, 5, 7, 0.5830492588263734],
      [10, 1, 1000, 0.0016125523948250526],
      [2.1, 12, 30, 0.04914447506390155],
      [50, 3, 3, 0.00463364019003448]
    ];
    for (const [f, d1, d2, p] of cases) expect(relative(fSf(f, d1, d2), p), `F(${d1}, ${d2})`).toBeLessThan(TOLERANCE);
    for (const f of [0.1, 1, 7]) expect(relative(fSf(f, 2, 2), 1 / (1 + f))).toBeLessThan(TOLERANCE);
  });

  it("return NaN outside their domain and the limits at the ends", () => {
    expect(chiSquareSf(3, 0)).toBeNaN();
    expect(chiSquareSf(-1, 3)).toBe(1);
    expect(chiSquareSf(Infinity, 3)).toBe(0);
    expect(studentTTwoSidedP(Infinity, 3)).toBe(0);
    expect(fSf(0, 3, 4)).toBe(1);
  });
});

describe("chi-square test of independence", () => {
  it("gives χ² = 0.79365 (df 1, p 0.373) for [[10, 20], [30, 40]] without Yates' correction", () => {
    const result = chiSquareIndependence([
      [10, 20],
      [30, 40]
    ]);
    expect(result.statistic).toBeCloseTo(0.7936507936507936, 14);
    expect(result.df).toBe(1);
    expect(relative(result.pValue, 0.37299848361348686)).toBeLessThan(TOLERANCE);
    expect(result.expected).toEqual([
      [12, 18],
      [28, 42]
    ]);
    expect(result.cramersV).toBeCloseTo(Math.sqrt(0.7936507936507936 / 100), 14);
    expect(result.lowExpected).toBe(false);
  });

  it("matches scipy on a 3 × 4 table (χ² 26.035, df 6, Cramér's V 0.3164)", () => {
    const result = chiSquareIndependence([
      [12, 5, 9, 20],
      [7, 14, 3, 8],
      [25, 10, 11, 6]
    ]);
    expect(result.statistic).toBeCloseTo(26.035179622682843, 12);
    expect(result.df).toBe(6);
    expect(relative(result.pValue, 0.00021930771088706812)).toBeLessThan(TOLERANCE);
    expect(result.cramersV).toBeCloseTo(0.31644163164964223, 12);
    expect(result.expected[2]).toEqual([17.6, 11.6, 9.2, 13.6]);
  });

  it("skips empty rows and columns instead of counting them in df", () => {
    const result = chiSquareIndependence([
      [10, 0, 20],
      [0, 0, 0],
      [30, 0, 40]
    ]);
    expect(result.statistic).toBeCloseTo(0.7936507936507936, 14);
    expect([result.df, result.rows, result.columns]).toEqual([1, 2, 2]);
  });

  it("flags tables where more than 20% of the cells expect fewer than 5 cases", () => {
    const result = chiSquareIndependence([
      [1, 2],
      [3, 40]
    ]);
    expect(result.lowExpectedShare).toBe(0.75);
    expect(result.lowExpected).toBe(true);
  });

  it("has df 0 and a NaN p-value when only one row or column is left, and rejects negative counts", () => {
    const result = chiSquareIndependence([
      [5, 7],
      [0, 0]
    ]);
    expect(result.df).toBe(0);
    expect(result.pValue).toBeNaN();
    expect(() => chiSquareIndependence([[1, -2]])).toThrow(RangeError);
    expect(() => chiSquareIndependence([[1, 2], [3]])).toThrow(RangeError);
  });
});

describe("Welch's t test", () => {
  const a = [12.1, 14.3, 9.8, 11.0, 15.2, 13.3, 10.9];
  const b = [8.2, 9.9, 7.4, 11.5, 6.8, 9.1, 8.8, 10.2, 7.7];

  it("matches scipy's ttest_ind(equal_var=False): t 3.9287, df 10.968, p 0.00237", () => {
    const result = welchTTest(a, b);
    expect(result.t).toBeCloseTo(3.9286657461650742, 12);
    expect(result.df).toBeCloseTo(10.968403188403174, 10);
    expect(relative(result.pValue, 0.0023703036104272233)).toBeLessThan(1e-9);
    expect(result.meanDiff).toBeCloseTo(86.6 / 7 - 79.6 / 9, 12);
  });

  it("is antisymmetric in its samples and ignores non-finite values", () => {
    const swapped = welchTTest(b, [...a, NaN]);
    expect(swapped.t).toBeCloseTo(-welchTTest(a, b).t, 12);
    expect(swapped.pValue).toBeCloseTo(welchTTest(a, b).pValue, 14);
    expect(swapped.nB).toBe(7);
  });

  it("returns NaN with fewer than two values in a sample", () => {
    expect(welchTTest([1], [2, 3]).pValue).toBeNaN();
  });
});

describe("Kruskal-Wallis H test", () => {
  it("gives H = 3.857 (p 0.0495) for [1, 2, 3] against [4, 5, 6], by hand: 12/42 · (36/3 + 225/3) − 21", () => {
    const result = kruskalWallis([
      [1, 2, 3],
      [4, 5, 6]
    ]);
    expect(result.H).toBeCloseTo((12 / 42) * (36 / 3 + 225 / 3) - 21, 12);
    expect(result.df).toBe(1);
    expect(relative(result.pValue, 0.049534613435626915)).toBeLessThan(TOLERANCE);
  });

  it("corrects for ties like scipy.stats.kruskal (H 10.7199, p 0.00470)", () => {
    const result = kruskalWallis([
      [1, 2, 2, 3, 5],
      [2, 4, 4, 6, 7, 7],
      [5, 6, 8, 9, 9, 9, 10]
    ]);
    expect(result.H).toBeCloseTo(10.719930835448073, 11);
    expect(result.df).toBe(2);
    expect(relative(result.pValue, 0.004701068678426587)).toBeLessThan(TOLERANCE);
  });

  it("skips empty groups and gives NaN when every value is equal", () => {
    expect(kruskalWallis([[1, 2, 3], [], [4, 5, 6]]).df).toBe(1);
    expect(
      kruskalWallis([
        [2, 2],
        [2, 2]
      ]).pValue
    ).toBeNaN();
  });
});

describe("plain reading", () => {
  const table = chiSquareIndependence([
    [10, 20],
    [30, 40]
  ]);

  it("reads a significant chi-square test with its effect size in one sentence", () => {
    const significant = {...table, statistic: 41.2, df: 7, pValue: chiSquareSf(41.2, 7), cramersV: 0.08, rows: 8};
    expect(plainReading({...significant, subject: "Late-payment rates", by: "segment"})).toBe(
      "Late-payment rates differ by segment (χ² = 41.2, df = 7, p < 0.001); the difference is small (Cramér's V = 0.08)."
    );
  });

  it("says when the groups do not differ significantly at the chosen level", () => {
    expect(plainReading({...table, subject: "Late-payment rates", by: "kind"})).toBe(
      "Late-payment rates do not differ significantly by kind at the 5% level (χ² = 0.794, df = 1, p = 0.373)."
    );
    expect(plainReading({...table, subject: "Late-payment rates", by: "kind"}, 0.5)).toMatch(
      /^Late-payment rates differ/
    );
  });

  it("prints more decimals rather than round a p-value onto alpha", () => {
    const kw = kruskalWallis([
      [1, 2, 3],
      [4, 5, 6]
    ]);
    expect(plainReading({...kw, subject: "Delays", by: "participant"})).toBe(
      "Delays differ by participant (H = 3.86, df = 1, p = 0.0495); the difference is large (ε² = 0.77)."
    );
  });

  it("reads Welch's test on the log scale as a ratio of typical (geometric-mean) values", () => {
    const result = welchTTest(
      [Math.log(200), Math.log(400), Math.log(300)],
      [Math.log(100), Math.log(150), Math.log(120)]
    );
    const reading = plainReading({
      ...result,
      subject: "Bill values",
      by: "kind",
      sampleNames: ["goods bills", "services bills"],
      logScale: true
    });
    // scipy: t 3.7098, df 3.219, p 0.03019; d = 3.029; ratio (24e6 / 1.8e6)^(1/3) = 2.3713.
    expect(reading).toBe(
      "Bill values differ by kind (t = 3.71, df = 3.2, p = 0.030); the typical value of goods bills is 2.37 times " +
        "that of services bills (ratio of geometric means), a large difference (Cohen's d = 3.03)."
    );
  });

  it("warns about small expected counts and says when there is not enough data", () => {
    const sparse = chiSquareIndependence([
      [9, 0],
      [0, 9]
    ]);
    expect(plainReading(sparse)).toContain("so the p-value is only approximate.");
    expect(plainReading({...chiSquareIndependence([[3, 4]]), subject: "Late-payment rates", by: "UF"})).toBe(
      "There is not enough data to test whether late-payment rates differ by UF."
    );
  });
});
