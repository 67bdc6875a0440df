import type { CholeskyDecomposition, Matrix } from "ml-matrix";
import { matrix } from "./lazy-deps.js";

/**
 * The Gaussian process W&B's bayes search fits (scikit-learn's GaussianProcessRegressor with a
 * Matérn ν = 1.5 kernel, alpha 1e-7, on normalised y), with the kernel's length scale chosen by
 * maximising the log marginal likelihood inside scikit-learn's bounds [1e-5, 1e5].
 */

const NUGGET = 1e-7;
export const STD_EPSILON = 1e-6;
const LOG_BOUNDS: readonly [number, number] = [Math.log(1e-5), Math.log(1e5)];
const SEARCH_POINTS = 61;

export interface FittedProcess {
  predict(points: number[][]): { mean: number[]; std: number[] };
  /** the fitted length scale sits at a bound of its range: scikit-learn's "bad fit" signal */
  atBound: boolean;
  yMean: number;
  yStd: number;
}

function matern15(distance: number, lengthScale: number): number {
  const r = (Math.sqrt(3) * distance) / lengthScale;
  return (1 + r) * Math.exp(-r);
}

function distance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return Math.sqrt(sum);
}

function kernelMatrix(X: number[][], lengthScale: number): Matrix {
  const n = X.length;
  const K = matrix().Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    K.set(i, i, 1 + NUGGET);
    for (let j = 0; j < i; j++) {
      const k = matern15(distance(X[i] as number[], X[j] as number[]), lengthScale);
      K.set(i, j, k);
      K.set(j, i, k);
    }
  }
  return K;
}

interface Fit {
  logLikelihood: number;
  cholesky: CholeskyDecomposition;
  alpha: Matrix;
}

function fitAt(X: number[][], y: Matrix, logLengthScale: number): Fit | undefined {
  const cholesky = new (matrix().CholeskyDecomposition)(kernelMatrix(X, Math.exp(logLengthScale)));
  if (!cholesky.isPositiveDefinite()) return undefined;
  const alpha = cholesky.solve(y);
  const L = cholesky.lowerTriangularMatrix;
  let logDet = 0;
  for (let i = 0; i < X.length; i++) logDet += Math.log(L.get(i, i));
  const fit = y.transpose().mmul(alpha).get(0, 0);
  return { logLikelihood: -0.5 * fit - logDet - (X.length / 2) * Math.log(2 * Math.PI), cholesky, alpha };
}

/** A grid over the log length scale, then golden-section search around the best grid point. */
function bestLogLengthScale(X: number[][], y: Matrix): number {
  const [low, high] = LOG_BOUNDS;
  const score = (theta: number) => fitAt(X, y, theta)?.logLikelihood ?? Number.NEGATIVE_INFINITY;
  const step = (high - low) / (SEARCH_POINTS - 1);
  let best = low;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < SEARCH_POINTS; i++) {
    const theta = low + i * step;
    const s = score(theta);
    if (s > bestScore) [best, bestScore] = [theta, s];
  }
  let a = Math.max(low, best - step);
  let b = Math.min(high, best + step);
  const ratio = (Math.sqrt(5) - 1) / 2;
  while (b - a > 1e-6) {
    const c = b - ratio * (b - a);
    const d = a + ratio * (b - a);
    if (score(c) >= score(d)) b = d;
    else a = c;
  }
  const refined = (a + b) / 2;
  return score(refined) >= bestScore ? refined : best;
}

/** numpy.isclose(theta, bound) with its default tolerances. */
function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

/** undefined when no length scale gives a positive-definite kernel (the caller then samples at random). */
export function fitNormalisedProcess(X: number[][], y: readonly number[]): FittedProcess | undefined {
  // As W&B: scale by the largest |y| first so the mean cannot overflow, then standardise.
  const scale = Math.max(Math.max(...y.map(Math.abs)), 1);
  const scaled = y.map((v) => v / scale);
  const scaledMean = scaled.reduce((sum, v) => sum + v, 0) / scaled.length;
  const scaledStd = Math.sqrt(scaled.reduce((sum, v) => sum + (v - scaledMean) ** 2, 0) / scaled.length) + STD_EPSILON / scale;
  const yNorm = matrix().Matrix.columnVector(scaled.map((v) => (v - scaledMean) / scaledStd));

  const theta = bestLogLengthScale(X, yNorm);
  const fit = fitAt(X, yNorm, theta);
  if (fit === undefined) return undefined;
  const lengthScale = Math.exp(theta);
  return {
    atBound: isClose(theta, LOG_BOUNDS[0]) || isClose(theta, LOG_BOUNDS[1]),
    yMean: scaledMean * scale,
    yStd: scaledStd * scale,
    predict(points) {
      const cross = new (matrix().Matrix)(X.map((row) => points.map((point) => matern15(distance(row, point), lengthScale))));
      const mean = cross.transpose().mmul(fit.alpha).getColumn(0);
      const solved = fit.cholesky.solve(cross);
      const std = points.map((_, j) => {
        let explained = 0;
        for (let i = 0; i < X.length; i++) explained += cross.get(i, j) * solved.get(i, j);
        return Math.sqrt(Math.max(0, 1 - explained));
      });
      return { mean, std };
    },
  };
}
