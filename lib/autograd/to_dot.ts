// tg.autograd.toDot(tensor): the recorded graph behind a tensor as Graphviz DOT text, for
// `dot -Tsvg`. One box per recorded op (its backward node's name, output shapes and dtypes, the bytes
// of the tensors it saved for backward), one ellipse per leaf tensor it reaches, and the tensor itself;
// edges follow the data, from an op's inputs to the op.
import { describe, formatShape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { FunctionCtx } from './function.js';

function quote(label: string): string {
  return `"${label.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

function tensorLabel(t: Tensor): string {
  return `${t.dtype} ${formatShape(t.shape)}`;
}

/** Bytes of the tensors a node saved with saveForBackward (0 once backward has freed them). */
function savedBytes(node: FunctionCtx): number {
  if (node._released || node._saved === null) return 0;
  let bytes = 0;
  for (const t of node._saved) if (t instanceof Tensor) bytes += t.data.byteLength;
  return bytes;
}

function nodeLabel(node: FunctionCtx): string {
  const outputs: string[] = [];
  for (let j = 0; j < node._numOutputs; j++) {
    const shape = node._outputShape(j);
    if (shape !== undefined) outputs.push(`${node._outputDtype(j)} ${formatShape(shape)}`);
  }
  const saved = node._released ? 'saved: freed by backward' : `saved: ${savedBytes(node)} B`;
  return `${node.name}\n${outputs.join(', ')}\n${saved}`;
}

/** Graphviz DOT text of the graph recorded for tensor (a lone node when it has none). */
export function toDot(tensor: Tensor): string {
  if (!(tensor instanceof Tensor))
    throw new TypeError(`toDot: argument 'tensor' must be a Tensor, got ${describe(tensor)}`);
  const ids = new Map<FunctionCtx | Tensor, string>();
  const lines = ['digraph tapegrad {', '  node [fontname="monospace", fontsize=10];'];
  const idOf = (x: FunctionCtx | Tensor): string => {
    let id = ids.get(x);
    if (id === undefined) {
      id = `${x instanceof FunctionCtx ? 'op' : 'leaf'}${ids.size}`;
      ids.set(x, id);
      lines.push(
        x instanceof FunctionCtx
          ? `  ${id} [shape=box, label=${quote(nodeLabel(x))}];`
          : `  ${id} [shape=ellipse, label=${quote(`leaf\n${tensorLabel(x)}`)}];`,
      );
    }
    return id;
  };
  lines.push(
    `  output [shape=ellipse, style=filled, fillcolor=lightgrey, label=${quote(`tensor\n${tensorLabel(tensor)}`)}];`,
  );
  if (tensor.gradFn === null) {
    lines.push('}');
    return `${lines.join('\n')}\n`;
  }
  const edges: string[] = [`  ${idOf(tensor.gradFn)} -> output;`];
  // Iterative walk (graphs can be deep); each node once.
  const stack: FunctionCtx[] = [tensor.gradFn];
  const visited = new Set<FunctionCtx>([tensor.gradFn]);
  while (stack.length > 0) {
    const node = stack.pop()!;
    const to = idOf(node);
    for (const edge of node._next) {
      if (edge === null) continue;
      edges.push(`  ${idOf(edge)} -> ${to};`);
      if (edge instanceof FunctionCtx && !visited.has(edge)) {
        visited.add(edge);
        stack.push(edge);
      }
    }
  }
  lines.push(...edges, '}');
  return `${lines.join('\n')}\n`;
}
