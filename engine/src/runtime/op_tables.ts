// The elementwise family as ONE data table: name, parameters, forward expression and gradient
// expression(s). The CPU backend generates its kernels from these strings (backends/cpu/codegen.ts);
// a WGSL generator reads the same table, so backends agree by construction.
//
// Expression language (a subset both JS and WGSL can express): numbers, + - * /, comparisons,
// `c ? a : b`, and the functions exp log sqrt tanh abs sign erf sigmoid pow max min floor ceil
// round trunc sin cos tan asin acos atan sinh cosh log1p expm1 atan2. Variables: unary x (input), y (output), g (gradient of y);
// binary a, b (inputs), y, g; plus the entry's named scalar parameters.

export interface ScalarParam { readonly name: string; readonly default: number }

export interface UnaryEntry {
  readonly name: string;
  readonly params?: readonly ScalarParam[];
  readonly fwd: string;
  /** d input = expression; null: not differentiable (gradient zero / not defined). */
  readonly grad: string | null;
  /** Integer inputs keep int32 (abs, neg); otherwise the output is float32. */
  readonly keepsInt?: boolean;
  /** Output is a 0/1 mask (dtype bool). */
  readonly bool?: boolean;
}

export interface BinaryEntry {
  readonly name: string;
  readonly params?: readonly ScalarParam[];
  readonly fwd: string;
  readonly gradA: string | null;
  readonly gradB: string | null;
  /** 'float': float32 result; 'promote': int32 when both inputs are integer; 'bool': 0/1 int32 (the engine's bool). */
  readonly out: 'float' | 'promote' | 'bool';
}

const SQRT_2_OVER_PI = '0.7978845608028654';

export const UNARY: readonly UnaryEntry[] = [
  { name: 'neg', fwd: '-x', grad: '-g', keepsInt: true },
  { name: 'abs', fwd: 'abs(x)', grad: 'g * sign(x)', keepsInt: true },
  { name: 'exp', fwd: 'exp(x)', grad: 'g * y' },
  { name: 'log', fwd: 'log(x)', grad: 'g / x' },
  { name: 'log2', fwd: 'log(x) * 1.4426950408889634', grad: 'g / (x * 0.6931471805599453)' },
  { name: 'log1p', fwd: 'log1p(x)', grad: 'g / (1 + x)' },
  { name: 'expm1', fwd: 'expm1(x)', grad: 'g * (y + 1)' },
  { name: 'sqrt', fwd: 'sqrt(x)', grad: 'g / (2 * y)' },
  { name: 'rsqrt', fwd: '1 / sqrt(x)', grad: '-0.5 * g * y * y * y' },
  { name: 'square', fwd: 'x * x', grad: '2 * g * x' },
  { name: 'reciprocal', fwd: '1 / x', grad: '-g * y * y' },
  { name: 'sin', fwd: 'sin(x)', grad: 'g * cos(x)' },
  { name: 'cos', fwd: 'cos(x)', grad: '-g * sin(x)' },
  { name: 'tanh', fwd: 'tanh(x)', grad: 'g * (1 - y * y)' },
  { name: 'sigmoid', fwd: 'sigmoid(x)', grad: 'g * y * (1 - y)' },
  { name: 'erf', fwd: 'erf(x)', grad: 'g * 1.1283791670955126 * exp(-x * x)' },
  { name: 'sign', fwd: 'sign(x)', grad: null, keepsInt: true },
  { name: 'floor', fwd: 'floor(x)', grad: null, keepsInt: true },
  { name: 'ceil', fwd: 'ceil(x)', grad: null, keepsInt: true },
  { name: 'round', fwd: 'round(x)', grad: null, keepsInt: true },
  { name: 'trunc', fwd: 'trunc(x)', grad: null, keepsInt: true },
  { name: 'relu', fwd: 'x > 0 ? x : 0', grad: 'x > 0 ? g : 0', keepsInt: true },
  { name: 'relu6', fwd: 'x <= 0 ? 0 : (x >= 6 ? 6 : x)', grad: 'x > 0 && x < 6 ? g : 0' },
  { name: 'leaky_relu', params: [{ name: 'negative_slope', default: 0.01 }], fwd: 'x > 0 ? x : x * negative_slope', grad: 'x > 0 ? g : g * negative_slope' },
  { name: 'elu', params: [{ name: 'alpha', default: 1 }], fwd: 'x > 0 ? x : alpha * expm1(x)', grad: 'x > 0 ? g : g * (y + alpha)' },
  { name: 'selu', fwd: 'x > 0 ? 1.0507009873554805 * x : 1.7580993408473766 * expm1(x)', grad: 'x > 0 ? g * 1.0507009873554805 : g * (y + 1.7580993408473766)' },
  { name: 'celu', params: [{ name: 'alpha', default: 1 }], fwd: 'x > 0 ? x : alpha * expm1(x / alpha)', grad: 'x > 0 ? g : g * exp(x / alpha)' },
  { name: 'gelu', fwd: '0.5 * x * (1 + erf(x * 0.7071067811865476))', grad: 'g * (0.5 * (1 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x))' },
  // gelu(approximate='tanh'): the dispatcher picks this entry from the string parameter.
  { name: 'gelu_tanh', fwd: `0.5 * x * (1 + tanh(${SQRT_2_OVER_PI} * (x + 0.044715 * x * x * x)))`,
    grad: `g * (0.5 * (1 + tanh(${SQRT_2_OVER_PI} * (x + 0.044715 * x * x * x))) + 0.5 * x * (1 - tanh(${SQRT_2_OVER_PI} * (x + 0.044715 * x * x * x)) * tanh(${SQRT_2_OVER_PI} * (x + 0.044715 * x * x * x))) * ${SQRT_2_OVER_PI} * (1 + 0.134145 * x * x))` },
  { name: 'silu', fwd: 'x * sigmoid(x)', grad: 'g * (sigmoid(x) * (1 + x * (1 - sigmoid(x))))' },
  { name: 'mish', fwd: 'x * tanh(softplus(x))',
    grad: 'g * (tanh(softplus(x)) + x * sigmoid(x) * (1 - tanh(softplus(x)) * tanh(softplus(x))))' },
  { name: 'softplus', params: [{ name: 'beta', default: 1 }, { name: 'threshold', default: 20 }],
    fwd: 'x * beta > threshold ? x : log1p(exp(x * beta)) / beta', grad: 'x * beta > threshold ? g : g * sigmoid(x * beta)' },
  { name: 'hardtanh', params: [{ name: 'min_val', default: -1 }, { name: 'max_val', default: 1 }],
    fwd: 'x < min_val ? min_val : (x > max_val ? max_val : x)', grad: 'x > min_val && x < max_val ? g : 0' },
  { name: 'hardsigmoid', fwd: 'x <= -3 ? 0 : (x >= 3 ? 1 : x / 6 + 0.5)', grad: 'x > -3 && x < 3 ? g / 6 : 0' },
  { name: 'hardswish', fwd: 'x <= -3 ? 0 : (x >= 3 ? x : x * (x + 3) / 6)', grad: 'x < -3 ? 0 : (x <= 3 ? g * (2 * x + 3) / 6 : g)' },
  { name: 'logsigmoid', fwd: 'x >= 0 ? -log1p(exp(-x)) : x - log1p(exp(x))', grad: 'g * (1 - sigmoid(x))' },
  // clamp with None bounds is given +-Infinity by its kernel.
  { name: 'clamp', params: [{ name: 'min', default: -Infinity }, { name: 'max', default: Infinity }],
    fwd: 'x < min ? min : (x > max ? max : x)', grad: 'x >= min && x <= max ? g : 0', keepsInt: true },
  { name: 'logical_not', bool: true, fwd: 'x == 0 ? 1 : 0', grad: null, keepsInt: true },
  { name: 'tan', fwd: 'tan(x)', grad: 'g * (1 + y * y)' },
  { name: 'exp2', fwd: 'pow(2, x)', grad: 'g * y * 0.6931471805599453' },
  { name: 'log10', fwd: 'log(x) * 0.4342944819032518', grad: 'g / (x * 2.302585092994046)' },
  { name: 'frac', fwd: 'x - trunc(x)', grad: 'g' },
  { name: 'erfc', fwd: '1 - erf(x)', grad: '-g * 1.1283791670955126 * exp(-x * x)' },
  { name: 'atan', fwd: 'atan(x)', grad: 'g / (1 + x * x)' },
  { name: 'asin', fwd: 'asin(x)', grad: 'g / sqrt(1 - x * x)' },
  { name: 'acos', fwd: 'acos(x)', grad: '-g / sqrt(1 - x * x)' },
  { name: 'sinh', fwd: 'sinh(x)', grad: 'g * cosh(x)' },
  { name: 'cosh', fwd: 'cosh(x)', grad: 'g * sinh(x)' },
  { name: 'positive', fwd: 'x', grad: 'g', keepsInt: true },
  { name: 'isnan', bool: true, fwd: 'x != x ? 1 : 0', grad: null, keepsInt: true },
  { name: 'isinf', bool: true, fwd: 'x == Infinity || x == -Infinity ? 1 : 0', grad: null, keepsInt: true },
  { name: 'isfinite', bool: true, fwd: 'x - x == 0 ? 1 : 0', grad: null, keepsInt: true },
  { name: 'bitwise_not', fwd: '-x - 1', grad: null, keepsInt: true },
  { name: 'softsign', fwd: 'x / (1 + abs(x))', grad: 'g / ((1 + abs(x)) * (1 + abs(x)))' },
  { name: 'tanhshrink', fwd: 'x - tanh(x)', grad: 'g * tanh(x) * tanh(x)' },
  { name: 'softshrink', params: [{ name: 'lambd', default: 0.5 }], fwd: 'x > lambd ? x - lambd : (x < -lambd ? x + lambd : 0)', grad: 'x > lambd || x < -lambd ? g : 0' },
  { name: 'hardshrink', params: [{ name: 'lambd', default: 0.5 }], fwd: 'x > lambd || x < -lambd ? x : 0', grad: 'x > lambd || x < -lambd ? g : 0' },
];

export const BINARY: readonly BinaryEntry[] = [
  { name: 'add', params: [{ name: 'alpha', default: 1 }], fwd: 'a + alpha * b', gradA: 'g', gradB: 'g * alpha', out: 'promote' },
  { name: 'sub', params: [{ name: 'alpha', default: 1 }], fwd: 'a - alpha * b', gradA: 'g', gradB: '-g * alpha', out: 'promote' },
  { name: 'rsub', params: [{ name: 'alpha', default: 1 }], fwd: 'b - alpha * a', gradA: '-g * alpha', gradB: 'g', out: 'promote' },
  { name: 'mul', fwd: 'a * b', gradA: 'g * b', gradB: 'g * a', out: 'promote' },
  { name: 'div', fwd: 'a / b', gradA: 'g / b', gradB: '-g * a / (b * b)', out: 'float' },
  { name: 'div_trunc', fwd: 'trunc(a / b)', gradA: null, gradB: null, out: 'promote' },
  { name: 'floor_divide', fwd: 'floor(a / b)', gradA: null, gradB: null, out: 'promote' },
  { name: 'remainder', fwd: 'a - floor(a / b) * b', gradA: 'g', gradB: '-g * floor(a / b)', out: 'promote' },
  { name: 'pow', fwd: 'pow(a, b)', gradA: 'b == 0 ? 0 : g * b * pow(a, b - 1)', gradB: 'a > 0 ? g * y * log(a) : 0', out: 'float' },
  { name: 'maximum', fwd: 'a > b ? a : (a < b ? b : (a == a ? a : a))', gradA: 'a > b ? g : (a == b ? g / 2 : 0)', gradB: 'b > a ? g : (a == b ? g / 2 : 0)', out: 'promote' },
  { name: 'minimum', fwd: 'a < b ? a : (a > b ? b : (a == a ? a : a))', gradA: 'a < b ? g : (a == b ? g / 2 : 0)', gradB: 'b < a ? g : (a == b ? g / 2 : 0)', out: 'promote' },
  { name: 'fmod', fwd: 'a % b', gradA: 'g', gradB: '-g * trunc(a / b)', out: 'promote' },
  { name: 'atan2', fwd: 'atan2(a, b)', gradA: 'g * b / (a * a + b * b)', gradB: '-g * a / (a * a + b * b)', out: 'float' },
  // prelu(input, weight): weight is viewed to broadcast over dim 1 by its kernel.
  { name: 'prelu', fwd: 'a > 0 ? a : a * b', gradA: 'a > 0 ? g : g * b', gradB: 'a > 0 ? 0 : g * a', out: 'float' },
  { name: 'eq', fwd: 'a == b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'ne', fwd: 'a != b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'lt', fwd: 'a < b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'le', fwd: 'a <= b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'gt', fwd: 'a > b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'ge', fwd: 'a >= b ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'logical_xor', fwd: '(a != 0) != (b != 0) ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'bitwise_and', fwd: 'a & b', gradA: null, gradB: null, out: 'promote' },
  { name: 'bitwise_or', fwd: 'a | b', gradA: null, gradB: null, out: 'promote' },
  { name: 'bitwise_xor', fwd: 'a ^ b', gradA: null, gradB: null, out: 'promote' },
  { name: 'logical_and', fwd: 'a != 0 && b != 0 ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
  { name: 'logical_or', fwd: 'a != 0 || b != 0 ? 1 : 0', gradA: null, gradB: null, out: 'bool' },
];

/**
 * The reduction family as a data table: init, accumulate (acc, x), finish (acc, n) and the
 * gradient of the input (x, y = reduced output broadcast back, g = its gradient broadcast, n).
 */
export interface ReduceEntry {
  readonly name: string;
  readonly init: string;
  readonly acc: string;
  readonly finish: string;
  readonly grad: string | null;
  readonly keepsInt?: boolean;
}

export const REDUCE: readonly ReduceEntry[] = [
  { name: 'sum', init: '0', acc: 'acc + x', finish: 'acc', grad: 'g', keepsInt: true },
  { name: 'mean', init: '0', acc: 'acc + x', finish: 'acc / n', grad: 'g / n' },
  { name: 'prod', init: '1', acc: 'acc * x', finish: 'acc', grad: 'g * y / x', keepsInt: true },
  // amax/amin spread the gradient evenly over ties (PyTorch does the same); the tie count comes
  // from a second reduction in the gradient rule.
  { name: 'amax', init: '-Infinity', acc: 'x > acc || x != x ? x : acc', finish: 'acc', grad: 'x == y ? g : 0', keepsInt: true },
  { name: 'amin', init: 'Infinity', acc: 'x < acc || x != x ? x : acc', finish: 'acc', grad: 'x == y ? g : 0', keepsInt: true },
];
