import {describe, expect, it} from "vitest";
import {
  applyPowerTransform,
  boxCox,
  boxCoxLambda,
  boxCoxLogLikelihood,
  fitPowerTransform,
  fitStandardize,
  minimize,
  powerTransform,
  standardize,
  yeoJohnson,
  yeoJohnsonLambda,
  yeoJohnsonLogLikelihood
} from "../loaders/power-transform.js";

const x = [1, 2, 3, 4, 5, 10, 20, 50];

describe("maximum-likelihood λ", () => {
  it("finds scipy's Yeo-Johnson λ = −0.370351 on [1,2,3,4,5,10,20,50]", () => {
    expect(Math.abs(yeoJohnsonLambda(x) - -0.370351)).toBeLessThan(1e-5);
  });

  it("finds scipy's Box-Cox λ = −0.175022 on [1,2,3,4,5,10,20,50]", () => {
    expect(Math.abs(boxCoxLambda(x) - -0.175022)).toBeLessThan(1e-5);
  });

  it("returns a λ where the log-likelihood is at its maximum", () => {
    for (const [lambda, llf] of [
      [yeoJohnsonLambda(x), yeoJohnsonLogLikelihood],
      [boxCoxLambda(x), boxCoxLogLikelihood]
    ] as const) {
      expect(llf(x, lambda)).toBeGreaterThan(llf(x, lambda - 1e-3));
      expect(llf(x, lambda)).toBeGreaterThan(llf(x, lambda + 1e-3));
    }
  });

  it("finds a λ outside the initial bracket (−2, 2) when the data call for it", () => {
    // Strongly left-skewed positive data need λ well above 2.
    const skewed = [90, 95, 97, 98, 99, 99.5, 99.8, 100];
    const lambda = boxCoxLambda(skewed);
    // scipy.stats.boxcox_normmax(skewed, method="mle") = 25.995272...
    expect(lambda).toBeCloseTo(25.995272, 4);
    expect(boxCoxLogLikelihood(skewed, lambda)).toBeGreaterThan(boxCoxLogLikelihood(skewed, lambda * 0.99));
    expect(boxCoxLogLikelihood(skewed, lambda)).toBeGreaterThan(boxCoxLogLikelihood(skewed, lambda * 1.01));
  });

  it("matches scipy's log-likelihood functions", () => {
    // scipy.stats.boxcox_llf(0.5, x) and yeojohnson_llf(0.5, x), scipy 1.17.
    expect(boxCoxLogLikelihood(x, 0.5)).toBeCloseTo(-17.607530405196563, 10);
    expect(yeoJohnsonLogLikelihood([-3, -1, 0, 2, 7], 0.5)).toBeCloseTo(-5.662909677026593, 10);
  });

  it("rejects constant data, non-finite values and non-positive data for Box-Cox", () => {
    expect(() => yeoJohnsonLambda([3, 3, 3])).toThrow(RangeError);
    expect(() => yeoJohnsonLambda([1, NaN])).toThrow(RangeError);
    expect(() => boxCoxLambda([0, 1, 2])).toThrow(RangeError);
    expect(() => boxCox(-1, 0.5)).toThrow(RangeError);
  });

  it("minimises a parabola to Brent's tolerance", () => {
    expect(minimize((t) => (t - 3.7) ** 2 + 1, -2, 2)).toBeCloseTo(3.7, 7);
  });
});

describe("transforms", () => {
  it("applies the four Yeo-Johnson branches", () => {
    expect(yeoJohnson(3, 0.5)).toBeCloseTo((Math.sqrt(4) - 1) / 0.5, 14);
    expect(yeoJohnson(3, 0)).toBeCloseTo(Math.log(4), 14);
    expect(yeoJohnson(-3, 0.5)).toBeCloseTo(-((4 ** 1.5 - 1) / 1.5), 14);
    expect(yeoJohnson(-3, 2)).toBeCloseTo(-Math.log(4), 14);
    expect(yeoJohnson(0, -1.3)).toBe(0);
  });

  it("applies Box-Cox, with the logarithm at λ = 0 and continuity around it", () => {
    expect(boxCox(8, 1 / 3)).toBeCloseTo((2 - 1) * 3, 14);
    expect(boxCox(8, 0)).toBe(Math.log(8));
    expect(boxCox(8, 1e-12)).toBeCloseTo(Math.log(8), 10);
  });

  it("is monotone increasing in x for any λ", () => {
    for (const lambda of [-2, -0.37, 0, 0.5, 2, 3]) {
      const values = [-10, -1, -0.1, 0, 0.1, 1, 10].map((v) => yeoJohnson(v, lambda));
      for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThan(values[i - 1]);
    }
  });
});

describe("standardisation", () => {
  it("uses the population sd, as sklearn's StandardScaler", () => {
    const params = fitStandardize([2, 4, 4, 4, 5, 5, 7, 9]);
    expect(params).toEqual({mean: 5, sd: 2});
    expect(Array.from(standardize([5, 9], params))).toEqual([0, 2]);
  });

  it("leaves a constant column centred but unscaled", () => {
    expect(fitStandardize([3, 3, 3])).toEqual({mean: 3, sd: 1});
  });

  it("reproduces sklearn's PowerTransformer(method='yeo-johnson', standardize=True)", () => {
    const {values, params} = powerTransform(x);
    // PowerTransformer().fit_transform on x, sklearn 1.9: first and last values.
    expect(values[0]).toBeCloseTo(-1.5801358, 6);
    expect(values[7]).toBeCloseTo(1.6477235, 6);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(mean).toBeCloseTo(0, 12);
    expect(Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length)).toBeCloseTo(1, 12);
    expect(params.method).toBe("yeo-johnson");
  });

  it("returns parameters that survive JSON and reapply to new data identically", () => {
    const params = fitPowerTransform(x, {method: "box-cox"});
    const restored = JSON.parse(JSON.stringify(params));
    expect(Array.from(applyPowerTransform([7, 70], restored))).toEqual(
      Array.from(applyPowerTransform([7, 70], params))
    );
    expect(Array.from(applyPowerTransform(x, params))).toEqual(
      Array.from(powerTransform(x, {method: "box-cox"}).values)
    );
  });

  it("can skip standardisation or use a fixed λ", () => {
    const params = fitPowerTransform(x, {lambda: 0, standardize: false, method: "box-cox"});
    expect(params).toEqual({method: "box-cox", lambda: 0});
    expect(Array.from(applyPowerTransform([Math.E], params))).toEqual([1]);
  });
});
