// Creation ops have no inputs to differentiate (the *_like ops ignore their input's values).
import { registerNonDifferentiable } from '../../autograd/grad_registry.js';

export function registerCreationGrads(): void {
  const names = ['zeros', 'empty', 'ones', 'rand', 'randn'];
  registerNonDifferentiable(...names, ...names.map((n) => `new_${n}`), ...names.map((n) => `${n}_like`),
    'full', 'new_full', 'full_like', 'randint', 'randint_like', 'arange', 'linspace', 'logspace', 'eye', 'tensor');
}
