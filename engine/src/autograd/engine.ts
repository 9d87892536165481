// Reverse-mode autodiff, micrograd-clear: each op application that touches a tensor requiring
// grad leaves a GradNode on its outputs; backward() sorts the nodes topologically from the root,
// walks them in reverse, asks each for its inputs' gradients and accumulates them — into a map
// for intermediate tensors, into `.grad` for leaves. Gradient rules run through callOp with
// recording off, so they work on any backend.
import { setBackwardImpl, Tensor, type GradNode } from '../tensor.js';
import { noGrad } from '../runtime/grad_mode.js';
import { callOp, withSite } from '../runtime/dispatch.js';

/** A node that also knows its outputs (to look up their gradients). */
export interface TapeNode extends GradNode {
  readonly outputs: readonly Tensor[];
}

function topoOrder(root: TapeNode): TapeNode[] {
  const order: TapeNode[] = [];
  const seen = new Set<TapeNode>();
  // Iterative DFS (post-order): deep graphs (long RNN unrolls) must not overflow the stack.
  const stack: [TapeNode, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [node, i] = top;
    if (i < node.inputs.length) {
      top[1] = i + 1;
      const child = node.inputs[i]!.gradFn as TapeNode | null;
      if (child && !seen.has(child)) { seen.add(child); stack.push([child, 0]); }
    } else {
      stack.pop();
      order.push(node);
    }
  }
  return order;
}

function accumulate(a: Tensor | undefined | null, b: Tensor): Tensor {
  return a ? (callOp('add', { input: a, other: b }) as Tensor) : b;
}

function runBackward(root: Tensor, grad: Tensor | null): void {
  noGrad(() => {
    const seed = grad ?? Tensor.full(root.shape, 1, 'float32', root.backend);
    const rootNode = root.gradFn as TapeNode | null;
    if (!rootNode) {
      root.grad = accumulate(root.grad, seed);
      return;
    }
    const grads = new Map<Tensor, Tensor>([[root, seed]]);
    const order = topoOrder(rootNode);
    for (let k = order.length - 1; k >= 0; k--) {
      const node = order[k]!;
      const gouts = node.outputs.map((t) => grads.get(t) ?? null);
      for (const t of node.outputs) grads.delete(t);
      if (gouts.every((g) => g === null)) continue;
      const gins = withSite(`${node.op} (backward)${node.site ? ` at ${node.site}` : ''}`, () => node.backward(gouts));
      for (let i = 0; i < node.inputs.length; i++) {
        const g = gins[i];
        if (!g) continue;
        const input = node.inputs[i]!;
        if (g.numel !== input.numel) {
          throw new Error(`internal: gradient of '${node.op}' for input ${i} has shape [${g.shape.join(', ')}], expected [${input.shape.join(', ')}]`);
        }
        const gg = g.shape.length === input.shape.length && g.shape.every((d, j) => d === input.shape[j]) ? g : g.withShape(input.shape);
        if (input.gradFn) grads.set(input, accumulate(grads.get(input), gg));
        else if (input.requiresGrad) input.grad = accumulate(input.grad, gg);
      }
    }
  });
}

setBackwardImpl(runBackward);
