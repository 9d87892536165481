// Containers (Sequential, ModuleList, ModuleDict) and the generic module that stands for a user
// class: it only holds children under the user's attribute names so state_dict keys match
// PyTorch; its forward is the model IR (see engine/src/model).
import type { RuntimeValue } from '../runtime/value.js';
import { Module } from './module.js';

export class Sequential extends Module {
  constructor(modules: readonly Module[] | ReadonlyMap<string, Module> = []) {
    super();
    if (Array.isArray(modules)) modules.forEach((m, i) => this.registerModule(String(i), m));
    else for (const [k, m] of modules as ReadonlyMap<string, Module>) this.registerModule(k, m);
  }
  forward(...args: RuntimeValue[]): RuntimeValue {
    let x: RuntimeValue = args.length === 1 ? args[0]! : args;
    for (const [, m] of this.namedChildren()) x = m.forward(x);
    return x;
  }
  get length(): number { return this.namedChildren().length; }
  at(i: number): Module {
    const kids = this.namedChildren();
    const m = kids[i < 0 ? kids.length + i : i];
    if (!m) throw new Error(`Sequential index ${i} is out of range (length ${kids.length})`);
    return m[1];
  }
}

export class ModuleList extends Module {
  constructor(modules: readonly Module[] = []) {
    super();
    modules.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(): RuntimeValue { throw new Error('ModuleList is not callable: call its items'); }
  get length(): number { return this.namedChildren().length; }
  at(i: number): Module {
    const kids = this.namedChildren();
    const m = kids[i < 0 ? kids.length + i : i];
    if (!m) throw new Error(`ModuleList index ${i} is out of range (length ${kids.length})`);
    return m[1];
  }
}

export class ModuleDict extends Module {
  constructor(modules: ReadonlyMap<string, Module> = new Map()) {
    super();
    for (const [k, m] of modules) this.registerModule(k, m);
  }
  forward(): RuntimeValue { throw new Error('ModuleDict is not callable: call its items'); }
}

/** A user-defined nn.Module subclass: children in definition order; forward supplied by the model runner. */
export class UserModule extends Module {
  forwardImpl: ((...args: RuntimeValue[]) => RuntimeValue) | null = null;
  constructor(readonly className: string) { super(); }
  override get typeName(): string { return this.className; }
  forward(...args: RuntimeValue[]): RuntimeValue {
    if (!this.forwardImpl) throw new Error(`${this.className}.forward is not available: run the model through loadModel()`);
    return this.forwardImpl(...args);
  }
}
